import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerUnavailableError, type FeedSubscriber } from './broker.js';
import { Channel } from '../hub/channel.js';
import { MemoryBroker } from './memory-broker.js';

function subscriber(): FeedSubscriber & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    isClosed: false,
    write: (chunk) => written.push(chunk.toString()) > 0,
    deliver: (chunk) => void written.push(chunk.toString()),
    end: () => {},
  };
}

describe('MemoryBroker', () => {
  it('resolves a publish once its pass is delivered, and resumes like the channel', async () => {
    const channel = new Channel({ epoch: 'abcdef012345' });
    const broker = new MemoryBroker(channel);
    const live = subscriber();
    assert.deepEqual(await broker.subscribe(live, undefined), { kind: 'fresh' });
    assert.deepEqual(await broker.publish({ data: 'one' }), { id: 'abcdef012345-1' });
    // The cursor first (nothing published yet: -0), then the event.
    assert.deepEqual(live.written, ['id: abcdef012345-0\n\n', 'id: abcdef012345-1\ndata: one\n\n']);
    const resumed = subscriber();
    assert.deepEqual(await broker.subscribe(resumed, 'abcdef012345-0'), { kind: 'replay', replayed: 1 });
    assert.deepEqual(await broker.subscribe(subscriber(), 'nope'), { kind: 'reset', reason: 'invalid' });
    broker.unsubscribe(live);
    await broker.publish({ data: 'two' });
    assert.equal(live.written.length, 2);
    assert.deepEqual(broker.stats.subscribers, 2);
    assert.deepEqual(broker.health(), { isUp: true, text: 'ok' });
    assert.match(broker.describe(), /in memory, epoch abcdef012345/);
    await broker.start();
    await broker.close();
  });

  it('turns a failing log into BrokerUnavailableError and leaves no trace of the event', async () => {
    const log = {
      append: () => {
        throw new Error('ENOSPC: no space left on device');
      },
      sync: () => {},
    };
    const channel = new Channel({ epoch: 'abcdef012345', log });
    const broker = new MemoryBroker(channel);
    await assert.rejects(broker.publish({ data: 'x' }), (error: unknown) => error instanceof BrokerUnavailableError && /ENOSPC/.test(error.message));
    await assert.rejects(broker.publish({ data: 'x', event: 'a\nb' }), /CR or LF/);
    assert.equal(channel.history.head, 0);
  });
});

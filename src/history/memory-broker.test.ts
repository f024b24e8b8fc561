import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokerUnavailableError } from './broker.js';
import type { EventSink } from '../stream/sink.js';
import { Channel } from '../hub/channel.js';
import { MemoryBroker } from './memory-broker.js';
import { FileLogError } from './file-log.js';
import { SseError } from '../protocol/errors.js';

function subscriber(): EventSink & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    isClosed: false,
    write: (chunk) => written.push(chunk.toString()) > 0,
    deliver: (chunk) => void written.push(chunk.toString()),
    end: () => {},
    drain: () => Promise.resolve(true),
    onClose: () => {},
  };
}

describe('MemoryBroker', () => {
  it('resolves a publish once the event is stored, before its fan-out, and resumes like the channel', async () => {
    const channel = new Channel({ epoch: 'abcdef012345' });
    const broker = new MemoryBroker(channel);
    const live = subscriber();
    assert.deepEqual(await broker.subscribe(live, undefined), { kind: 'fresh' });
    assert.deepEqual(await broker.publish({ data: 'one' }), { id: 'abcdef012345-1' });
    // Stored in memory when publish returns: answered before the end of the turn writes it.
    assert.deepEqual(live.written, ['id: abcdef012345-0\n\n']);
    await channel.flushed();
    // The cursor first (nothing published yet: -0), then the event.
    assert.deepEqual(live.written, ['id: abcdef012345-0\n\n', 'id: abcdef012345-1\ndata: one\n\n']);
    const resumed = subscriber();
    assert.deepEqual(await broker.subscribe(resumed, 'abcdef012345-0'), { kind: 'replay', replayed: 1 });
    assert.deepEqual(await broker.subscribe(subscriber(), 'nope'), { kind: 'reset', reason: 'invalid' });
    broker.unsubscribe(live);
    await broker.publish({ data: 'two' });
    broker.flush();
    assert.equal(live.written.length, 2);
    assert.deepEqual(broker.stats.subscribers, 2);
    assert.deepEqual(broker.health(), { isUp: true, text: 'ok' });
    assert.match(broker.describe(), /in memory, epoch abcdef012345/);
    await broker.start();
    await broker.close();
  });

  it('with a log, resolves a publish only after the sync that makes it durable', async () => {
    const order: string[] = [];
    const log = { append: () => void order.push('append'), sync: () => void order.push('sync') };
    const broker = new MemoryBroker(new Channel({ epoch: 'abcdef012345', log }));
    const published = broker.publish({ data: 'x' }).then(() => order.push('answered'));
    await published;
    assert.deepEqual(order, ['append', 'sync', 'answered']);
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

  it('turns a broken file log into BrokerUnavailableError too, though FileLogError is an SseError, and passes an event refusal on as it is', async () => {
    const log = {
      append: () => {
        throw new FileLogError('A write failed part-way and could not be cut back.');
      },
      sync: () => {},
    };
    const broker = new MemoryBroker(new Channel({ epoch: 'abcdef012345', log }));
    await assert.rejects(broker.publish({ data: 'x' }), (error: unknown) => error instanceof BrokerUnavailableError && error.cause instanceof FileLogError);
    await assert.rejects(broker.publish({ data: 'x', event: 'a\nb' }), (error: unknown) => error instanceof SseError && error.code === 'SSE_ERR_EVENT_HAS_NEWLINE');
  });
});

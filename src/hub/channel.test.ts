import assert from 'node:assert/strict';
import { setImmediate as nextPass } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { SseError } from '../protocol/errors.js';
import { createParser, type ParsedEvent } from '../protocol/parse.js';
import { Channel } from './channel.js';
import type { EventSink } from '../stream/sink.js';

/** What a channel's fan-out uses of a stream. */
type Subscriber = Pick<EventSink, 'deliver'>;

const EPOCH = 'c0ffee000001';

/** A subscriber that parses what it gets, as a client would. */
function collector(): Subscriber & { events: ParsedEvent[]; writes: number } {
  const events: ParsedEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const sub = {
    events,
    writes: 0,
    deliver(chunk: Buffer) {
      sub.writes++;
      parser.feed(chunk);
    },
  };
  return sub;
}

function subscribe(channel: Channel, lastEventId?: string) {
  const sub = collector();
  const subscription = channel.subscribe(sub, lastEventId);
  if (subscription.initial !== undefined) sub.deliver(subscription.initial, subscription.replayed);
  return { sub, subscription };
}

describe('Channel', () => {
  it('assigns <epoch>-<seq> ids from 1 and delivers to every subscriber', async () => {
    const channel = new Channel({ epoch: EPOCH });
    const a = subscribe(channel).sub;
    const b = subscribe(channel).sub;
    assert.deepEqual(channel.publish({ data: 'one' }), { id: `${EPOCH}-1`, seq: 1 });
    channel.publish({ event: 'note', data: 'two\nlines' });
    await nextPass();
    for (const sub of [a, b]) {
      assert.deepEqual(sub.events, [
        { type: 'message', data: 'one', lastEventId: `${EPOCH}-1` },
        { type: 'note', data: 'two\nlines', lastEventId: `${EPOCH}-2` },
      ]);
    }
    assert.deepEqual(channel.stats, { published: 2, delivered: 4, subscribers: 2 });
  });

  it('merges all events of one pass into one write per subscriber', async () => {
    const channel = new Channel({ epoch: EPOCH });
    const { sub } = subscribe(channel);
    sub.writes = 0;
    for (let i = 0; i < 100; i++) channel.publish({ data: String(i) });
    await nextPass();
    assert.equal(sub.writes, 1);
    assert.equal(sub.events.length, 100);
  });

  it('refuses an invalid event whole, leaving no id used and nothing delivered', async () => {
    const channel = new Channel({ epoch: EPOCH, maxEventBytes: 64 });
    const { sub } = subscribe(channel);
    assert.throws(() => channel.publish({ event: 'a\nb', data: 'x' }), { code: 'SSE_ERR_EVENT_HAS_NEWLINE' });
    assert.throws(() => channel.publish({ data: 'x'.repeat(100) }), { code: 'SSE_ERR_EVENT_TOO_LARGE' });
    assert.deepEqual(channel.publish({ data: 'ok' }).seq, 1);
    await nextPass();
    assert.deepEqual(sub.events.map((e) => e.data), ['ok']);
  });

  it('resumes exactly after the given id, with no duplicate and no gap, even mid-pass', async () => {
    const channel = new Channel({ epoch: EPOCH });
    for (let i = 1; i <= 5; i++) channel.publish({ data: String(i) });
    // Subscribing before the pending merged write went out must not deliver events 4 and 5 twice.
    const { sub, subscription } = subscribe(channel, `${EPOCH}-3`);
    assert.equal(subscription.replayed, 2);
    channel.publish({ data: '6' });
    await nextPass();
    assert.deepEqual(sub.events.map((e) => e.data), ['4', '5', '6']);
  });

  it('starts with a reset event whose id moves the cursor to the head', () => {
    const channel = new Channel({ epoch: EPOCH, historyEvents: 2 });
    for (let i = 1; i <= 5; i++) channel.publish({ data: String(i) });
    const cases: [string, string][] = [
      ['garbage', 'invalid'],
      ['aaaaaaaaaaaa-1', 'epoch'],
      [`${EPOCH}-6`, 'unknown'],
      [`${EPOCH}-2`, 'expired'],
    ];
    for (const [cursor, reason] of cases) {
      const { sub, subscription } = subscribe(channel, cursor);
      assert.deepEqual(subscription.plan, { kind: 'reset', reason });
      assert.deepEqual(sub.events, [
        { type: 'reset', data: JSON.stringify({ reason, epoch: EPOCH, head: 5, oldest: 4 }), lastEventId: `${EPOCH}-5` },
      ]);
    }
    assert.equal(subscribe(channel, `${EPOCH}-3`).subscription.plan.kind, 'replay');
  });

  it('stops delivering after unsubscribe, and refuses publishes once closed', async () => {
    const channel = new Channel({ epoch: EPOCH });
    const { sub, subscription } = subscribe(channel);
    subscription.unsubscribe();
    subscription.unsubscribe();
    channel.publish({ data: 'x' });
    channel.close();
    await nextPass();
    assert.equal(sub.events.length, 0);
    assert.throws(() => channel.publish({ data: 'y' }), (error: unknown) => error instanceof SseError && error.code === 'SSE_ERR_CLOSED');
  });

  it('refuses an epoch that is not 12 hex digits', () => {
    assert.throws(() => new Channel({ epoch: 'nope' }), TypeError);
    assert.match(new Channel().epoch, /^[0-9a-f]{12}$/);
  });
});

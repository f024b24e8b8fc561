import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createParser, type ParsedEvent } from '../protocol/parse.js';
import { Channel, type EventFilter } from './channel.js';
import type { EventSink } from '../stream/sink.js';

/** What a channel's fan-out uses of a stream. */
type Subscriber = Pick<EventSink, 'deliver'>;

const EPOCH = 'c0ffee000002';

/** A subscriber that parses what it gets, as a client would. */
function collector(): Subscriber & { events: ParsedEvent[]; data: () => string[] } {
  const events: ParsedEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  return { events, data: () => events.map((e) => e.data), deliver: (chunk: Buffer) => parser.feed(chunk) };
}

function join(channel: Channel, lastEventId?: string, filter?: EventFilter) {
  const sub = collector();
  const subscription = channel.subscribe(sub, lastEventId, { filter });
  if (subscription.initial !== undefined) sub.deliver(subscription.initial, subscription.replayed);
  return { sub, subscription };
}

/** Turns the event loop until the channel has delivered everything published. */
async function settle(channel: Channel): Promise<void> {
  await channel.flushed();
}

describe('Channel fan-out in slices', () => {
  it('writes a large pass a slice per turn of the event loop, each subscriber once', async () => {
    const channel = new Channel({ epoch: EPOCH, fanOutSlice: 2 });
    const subs = Array.from({ length: 5 }, () => join(channel).sub);
    channel.publish({ data: 'one' });
    await nextTurn();
    assert.deepEqual(subs.map((s) => s.events.length), [1, 1, 0, 0, 0]);
    await nextTurn();
    assert.deepEqual(subs.map((s) => s.events.length), [1, 1, 1, 1, 0]);
    await settle(channel);
    assert.deepEqual(subs.map((s) => s.data()), Array.from({ length: 5 }, () => ['one']));
  });

  it('answers stored() at once while a pass is being written, and merges what waits into the next pass', async () => {
    const channel = new Channel({ epoch: EPOCH, fanOutSlice: 1 });
    const subs = Array.from({ length: 4 }, () => join(channel).sub);
    channel.publish({ data: '1' });
    await nextTurn();
    let isStored = false;
    channel.publish({ data: '2' });
    channel.publish({ data: '3' });
    void channel.stored().then(() => (isStored = true));
    await nextTurn();
    assert.equal(isStored, true);
    // The first pass is still being written: the last subscriber has nothing yet.
    assert.deepEqual(subs.at(-1)?.data(), []);
    await settle(channel);
    for (const sub of subs) assert.deepEqual(sub.data(), ['1', '2', '3']);
  });

  it('keeps every subscriber in order, with no gap and no duplicate, while publishes arrive between slices', async () => {
    const channel = new Channel({ epoch: EPOCH, fanOutSlice: 3 });
    const subs = Array.from({ length: 10 }, () => join(channel).sub);
    const sent: string[] = [];
    for (let i = 1; i <= 40; i++) {
      sent.push(String(i));
      channel.publish({ data: String(i) });
      if (i % 3 === 0) await nextTurn();
    }
    await settle(channel);
    for (const sub of subs) assert.deepEqual(sub.data(), sent);
  });

  it('gives a stream that joins mid-pass its replay once, then only later events', async () => {
    const channel = new Channel({ epoch: EPOCH, fanOutSlice: 1 });
    const early = Array.from({ length: 3 }, () => join(channel).sub);
    channel.publish({ data: 'a' });
    await nextTurn();
    channel.publish({ data: 'b' });
    // Joins while 'a' is being written and 'b' waits for the next pass: both come in its replay.
    const late = join(channel, `${EPOCH}-0`).sub;
    const picky = join(channel, `${EPOCH}-0`, (event) => event.event === 'message').sub;
    channel.publish({ data: 'c' });
    await settle(channel);
    channel.publish({ data: 'd' });
    await settle(channel);
    for (const sub of [...early, late, picky]) assert.deepEqual(sub.data(), ['a', 'b', 'c', 'd']);
  });

  it('writes nothing more to a subscriber that left mid-pass', async () => {
    const channel = new Channel({ epoch: EPOCH, fanOutSlice: 1 });
    const first = join(channel).sub;
    const leaving = join(channel);
    channel.publish({ data: 'x' });
    await nextTurn();
    leaving.subscription.unsubscribe();
    await settle(channel);
    assert.deepEqual(first.data(), ['x']);
    assert.deepEqual(leaving.sub.data(), []);
    assert.equal(channel.stats.delivered, 1);
  });

  it('writes the slices not yet written when closed, before ending the streams', async () => {
    const channel = new Channel({ epoch: EPOCH, fanOutSlice: 1 });
    const ended: number[] = [];
    const subs = Array.from({ length: 4 }, (_, i) => {
      const sub = collector();
      channel.subscribe(Object.assign(sub, { end: () => ended.push(sub.events.length) }), undefined);
      return { sub, i };
    });
    channel.publish({ data: 'last words' });
    await nextTurn();
    channel.publish({ data: 'waiting' });
    channel.close({ retryMs: 1000 });
    assert.deepEqual(ended, [2, 2, 2, 2]);
    for (const { sub } of subs) assert.deepEqual(sub.data(), ['last words', 'waiting']);
  });

  it('checks fanOutSlice like every count option', () => {
    assert.throws(() => new Channel({ fanOutSlice: 0 }), /fanOutSlice must be an integer of at least 1/);
  });
});

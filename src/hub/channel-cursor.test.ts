import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createParser } from '../protocol/parse.js';
import { serveFetch } from '../testing/fetch-server.js';
import { dropBeforeFirstEvent, exactAfterEarlyDrop } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';
import { Channel } from './channel.js';
import type { EventSink } from '../stream/sink.js';

/** What a channel's fan-out uses of a stream. */
type Subscriber = Pick<EventSink, 'deliver'>;
import { numericIds } from './id-policy.js';

const E = 'cccccccccccc';
const sink: Subscriber = { deliver: () => {} };
const initial = (channel: Channel, cursor?: string, filter?: (e: { topic?: string | undefined }) => boolean): string =>
  channel.subscribe(sink, cursor, { filter }).initial?.toString('utf8') ?? '';

describe('every stream starts with a cursor', () => {
  it('opens a fresh stream with an id-only block naming the head, <epoch>-0 before any event', () => {
    const channel = new Channel({ epoch: E });
    assert.equal(initial(channel), `id: ${E}-0\n\n`);
    channel.publish({ data: 'one' });
    channel.publish({ data: 'two' });
    assert.equal(initial(channel), `id: ${E}-2\n\n`);
    // [spec] §9.2.6: the block dispatches no event, and the id still becomes the last event ID.
    const seen: string[] = [];
    const parser = createParser({ onEvent: (e) => seen.push(e.data) });
    parser.feed(Buffer.from(initial(channel)));
    assert.deepEqual([seen, parser.lastEventId], [[], `${E}-2`]);
  });

  it('resumes from <epoch>-0 with everything published since, and adds nothing after a replay or a reset that ends at the head', () => {
    const channel = new Channel({ epoch: E, historyEvents: 3 });
    channel.publish({ data: 'one' });
    channel.publish({ data: 'two' });
    assert.equal(initial(channel, `${E}-0`), `id: ${E}-1\ndata: one\n\nid: ${E}-2\ndata: two\n\n`);
    assert.equal(channel.subscribe(sink, `${E}-2`).initial, undefined);
    assert.match(initial(channel, 'nonsense'), new RegExp(`^event: reset\nid: ${E}-2\ndata: [^\n]+\n\n$`));
    channel.publish({ data: 'three' });
    channel.publish({ data: 'four' });
    // One was evicted: a client that joined before it is told, not silently given the rest.
    assert.match(initial(channel, `${E}-0`), /^event: reset\n[^]*"reason":"expired"/);
  });

  it('ends a filtered replay with the head when the newest events are not the subscriber\'s', () => {
    const channel = new Channel({ epoch: E });
    channel.publish({ data: 'a', topic: 'x' });
    channel.publish({ data: 'b', topic: 'y' });
    const onlyX = (e: { topic?: string | undefined }): boolean => e.topic === 'x';
    assert.equal(initial(channel, `${E}-0`, onlyX), `id: ${E}-1\ndata: a\n\nid: ${E}-2\n\n`);
    assert.equal(initial(channel, `${E}-1`, onlyX), `id: ${E}-2\n\n`);
    assert.equal(initial(channel, undefined, onlyX), `id: ${E}-2\n\n`);
  });

  it('with supplied ids, names "before the first event" with the channel\'s <epoch>-0, which no application id can', () => {
    const channel = new Channel({ epoch: E, ids: numericIds, historyEvents: 2 });
    assert.equal(initial(channel), `id: ${E}-0\n\n`);
    channel.publish({ id: '10', data: 'ten' });
    assert.equal(initial(channel), 'id: 10\n\n');
    assert.equal(initial(channel, `${E}-0`), 'id: 10\ndata: ten\n\n');
    channel.publish({ id: '11', data: 'eleven' });
    channel.publish({ id: '12', data: 'twelve' });
    assert.match(initial(channel, `${E}-0`), /^event: reset\nid: 12\n[^]*"reason":"expired"/);
    // Another channel's (a restart's) start id is just an id the policy refuses.
    assert.match(initial(channel, 'dddddddddddd-0'), /"reason":"invalid"/);
  });

  describe('a client that drops before its first event misses nothing', () => {
    const servers: Server[] = [];
    after(() => {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    });

    it('on channel.attach', async () => {
      const channel = new Channel();
      const server = createServer((req, res) => channel.attach(req, res));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
      const { cursor, received } = await dropBeforeFirstEvent(url, (data) => channel.publish({ data }));
      assert.equal(cursor, `${channel.epoch}-0`);
      assert.deepEqual(received, exactAfterEarlyDrop());
    });

    it('on channel.response (a Web Response)', async () => {
      const channel = new Channel();
      channel.publish({ data: 'before' });
      const { server, base } = await serveFetch((request) => channel.response(request));
      servers.push(server);
      const { cursor, received } = await dropBeforeFirstEvent(`${base}/feed`, (data) => channel.publish({ data }));
      assert.equal(cursor, `${channel.epoch}-1`);
      assert.deepEqual(received, exactAfterEarlyDrop());
    });

    it('on a channel with supplied ids and nothing published yet', async () => {
      const channel = new Channel({ ids: numericIds });
      const server = createServer((req, res) => channel.attach(req, res));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
      let row = 100;
      const { received } = await dropBeforeFirstEvent(url, (data) => channel.publish({ id: String(row++), data }));
      assert.deepEqual(received, exactAfterEarlyDrop());
    });
  });
});

describe('a filtered subscriber never gets a false reset', () => {
  const rare = (e: { topic?: string | undefined }): boolean => e.topic === 'rare';

  /** A filtered subscriber that parses what it gets, as a client would, and keeps its cursor. */
  function client(channel: Channel, cursor?: string): { data: string[]; plan: string; cursor(): string } {
    const data: string[] = [];
    const parser = createParser({ onEvent: (e) => data.push(e.type === 'reset' ? `reset:${JSON.parse(e.data).reason}` : e.data) });
    const subscription = channel.subscribe({ deliver: (chunk) => parser.feed(chunk) }, cursor, { filter: rare });
    if (subscription.initial !== undefined) parser.feed(subscription.initial);
    return { data, plan: subscription.plan.kind, cursor: () => parser.lastEventId };
  }

  for (const passes of ['one pass', 'fifty passes'] as const) {
    it(`keeps its cursor within history while 50 events of other topics go by, in ${passes}`, async () => {
      const channel = new Channel({ epoch: E, historyEvents: 20 });
      const first = client(channel);
      channel.publish({ data: 'rare-1', topic: 'rare' });
      channel.flush();
      for (let i = 1; i <= 50; i++) {
        channel.publish({ data: `busy-${i}`, topic: 'busy' });
        if (passes === 'fifty passes') await new Promise((resolve) => setImmediate(resolve));
      }
      channel.flush();
      assert.deepEqual(first.data, ['rare-1']);
      assert.equal(first.cursor(), `${E}-51`);
      // The client drops here and comes back with its cursor: nothing to replay, and no reset.
      const again = client(channel, first.cursor());
      channel.publish({ data: 'rare-2', topic: 'rare' });
      channel.flush();
      assert.deepEqual([again.plan, again.data], ['replay', ['rare-2']]);
    });
  }

  it('over a real socket: rare-1, 50 busy events, a drop, then only rare-2 (the review\'s case)', async () => {
    const channel = new Channel({ historyEvents: 20 });
    const server = createServer((req, res) => channel.attach(req, res, { filter: rare }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    try {
      const first = await openStream(url);
      await first.waitFor((s) => s.lastEventId() !== '');
      channel.publish({ data: 'rare-1', topic: 'rare' });
      for (let i = 1; i <= 50; i++) {
        channel.publish({ data: `busy-${i}`, topic: 'busy' });
        await new Promise((resolve) => setImmediate(resolve));
      }
      await first.waitFor((s) => s.lastEventId() === `${channel.epoch}-51`);
      first.close();
      const again = await openStream(url, { 'last-event-id': first.lastEventId() });
      channel.publish({ data: 'rare-2', topic: 'rare' });
      await again.waitFor((s) => s.events.length === 1);
      again.close();
      assert.deepEqual([first.events.map((e) => e.data), again.events.map((e) => [e.type, e.data])], [['rare-1'], [['message', 'rare-2']]]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

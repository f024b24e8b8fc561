import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { openStream } from '../testing/sse-client.js';
import { Channel, type EventMap } from './channel.js';
import type { EventSink } from '../stream/sink.js';

/** What a channel's fan-out uses of a stream. */
type Subscriber = Pick<EventSink, 'deliver'>;
import { lexicalIds, numericIds } from './id-policy.js';
import { SseError } from '../protocol/errors.js';

/** A subscriber that keeps the bytes it gets. */
function sink(): Subscriber & { text(): string } {
  const chunks: Uint8Array[] = [];
  return { deliver: (chunk) => chunks.push(chunk), text: () => Buffer.concat(chunks).toString('utf8') };
}

const initialText = <E extends EventMap>(channel: Channel<E>, cursor: string | undefined): string =>
  channel.subscribe(sink(), cursor).initial?.toString('utf8') ?? '';

describe('typed events and the JSON serializer', () => {
  it('writes strings verbatim and anything else as JSON, then splits lines as for any data', () => {
    const channel = new Channel<{ price: { eur: number }; note: string; message: unknown }>({ epoch: 'aaaaaaaaaaaa' });
    channel.publish({ event: 'price', data: { eur: 1.08 } });
    channel.publish({ event: 'note', data: 'line one\r\nline two' });
    channel.publish({ data: null });
    channel.publish({ data: [1, 'two'] });
    assert.equal(
      initialText(channel, 'aaaaaaaaaaaa-0'),
      'event: price\nid: aaaaaaaaaaaa-1\ndata: {"eur":1.08}\n\n' +
        'event: note\nid: aaaaaaaaaaaa-2\ndata: line one\ndata: line two\n\n' +
        'id: aaaaaaaaaaaa-3\ndata: null\n\n' +
        'id: aaaaaaaaaaaa-4\ndata: [1,"two"]\n\n',
    );
  });

  it('refuses data JSON cannot write, and keeps no trace of it', () => {
    const channel = new Channel();
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    for (const data of [undefined, () => 1, Symbol('s'), 10n, cycle]) {
      assert.throws(() => channel.publish({ data }), { name: 'SseError', code: 'SSE_ERR_DATA_NOT_SERIALIZABLE' });
    }
    assert.equal(channel.history.head, 0);
    assert.equal(channel.stats.published, 0);
  });

  it('types publish by the event map', () => {
    const channel = new Channel<{ price: { eur: number } }>();
    // Never called: the compiler is the test (npm test builds with tsc first).
    const misuses = [
      // @ts-expect-error an event the map does not name
      () => channel.publish({ event: 'prize', data: { eur: 1 } }),
      // @ts-expect-error data of the wrong shape
      () => channel.publish({ event: 'price', data: { usd: 1 } }),
      // @ts-expect-error an unnamed event, which the map does not have
      () => channel.publish({ data: 'x' }),
    ];
    assert.equal(misuses.length, 3);
    assert.equal(channel.publish({ event: 'price', data: { eur: 2 } }).seq, 1);
  });
});

describe('ids the application supplies', () => {
  it('replays exactly after a supplied id, and knows the one just before the oldest retained', () => {
    const channel = new Channel({ ids: numericIds, historyEvents: 3 });
    for (const id of ['10', '11', '15', '20', '31']) channel.publish({ id, data: `row ${id}` });
    // Retained: 15, 20, 31; 11 is the last evicted one, so a client there misses nothing.
    assert.equal(initialText(channel, '20'), 'id: 31\ndata: row 31\n\n');
    assert.equal(initialText(channel, '11'), 'id: 15\ndata: row 15\n\nid: 20\ndata: row 20\n\nid: 31\ndata: row 31\n\n');
    assert.equal(channel.subscribe(sink(), '31').initial, undefined);
  });

  it('resets a cursor it never saw, one it no longer holds, one from the future and a malformed one', () => {
    const channel = new Channel({ ids: numericIds, historyEvents: 2 });
    for (const id of ['10', '11', '15', '20']) channel.publish({ id, data: id });
    const reasons = ['12', '10', '99', '9007199254740993', '1e3', '-1', 'x'.repeat(200)].map((cursor) => {
      const { plan, initial } = channel.subscribe(sink(), cursor);
      assert.match(initial?.toString() ?? '', /^event: reset\nid: 20\n/);
      return plan.kind === 'reset' ? plan.reason : plan.kind;
    });
    assert.deepEqual(reasons, ['unknown', 'expired', 'unknown', 'unknown', 'invalid', 'invalid', 'invalid']);
  });

  it('refuses a missing id, an id out of order, a malformed one, and an id on a channel that assigns them', () => {
    const channel = new Channel({ ids: numericIds });
    channel.publish({ id: '9007199254740993', data: 'a' });
    assert.throws(() => channel.publish({ data: 'b' }), { code: 'SSE_ERR_ID_MISSING' });
    // Beyond 2^53 a Number would call these equal; the policy compares the digits.
    assert.throws(() => channel.publish({ id: '9007199254740992', data: 'b' }), { code: 'SSE_ERR_ID_NOT_INCREASING' });
    assert.throws(() => channel.publish({ id: '007', data: 'b' }), { code: 'SSE_ERR_ID_INVALID' });
    assert.equal(channel.publish({ id: '9007199254740994', data: 'b' }).seq, 2);
    assert.throws(() => new Channel().publish({ id: '1', data: 'c' }), { code: 'SSE_ERR_ID_UNEXPECTED' });
    assert.throws(() => new Channel({ ids: numericIds, history: { head: 0, events: [] } }), TypeError);
  });

  it('orders lexical ids (ULIDs) by code unit', () => {
    const channel = new Channel({ ids: lexicalIds });
    const ids = ['01HZX3Q5N8K0000000000000AA', '01HZX3Q5N8K0000000000000AB', '01HZX3Q5N9A0000000000000AA'];
    for (const id of ids) channel.publish({ id, data: id });
    assert.throws(() => channel.publish({ id: ids[0] as string, data: 'again' }), { code: 'SSE_ERR_ID_NOT_INCREASING' });
    assert.throws(() => channel.publish({ id: 'has space', data: 'x' }), { code: 'SSE_ERR_ID_INVALID' });
    assert.equal(initialText(channel, ids[0]), `id: ${ids[1]}\ndata: ${ids[1]}\n\nid: ${ids[2]}\ndata: ${ids[2]}\n\n`);
  });

  describe('over a real socket', () => {
    let server: Server | undefined;
    after(() => {
      server?.closeAllConnections();
      server?.close();
    });

    it('resumes a browser-style reconnect exactly from a supplied id', async () => {
      const channel = new Channel<{ order: { total: number } }>({ ids: numericIds });
      server = createServer((req, res) => channel.attach(req, res));
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
      for (const [id, total] of [['41', 5], ['42', 7], ['57', 9]] as const) channel.publish({ id, event: 'order', data: { total } });
      const stream = await openStream(url, { 'last-event-id': '42' });
      channel.publish({ id: '58', event: 'order', data: { total: 11 } });
      await stream.waitFor((s) => s.events.length === 2);
      assert.deepEqual(stream.events.map((e) => [e.lastEventId, e.data]), [['57', '{"total":9}'], ['58', '{"total":11}']]);
      stream.close();
    });
  });
});

describe('per-subscriber filters', () => {
  it('filter a pass with more events than the history holds', () => {
    const channel = new Channel({ epoch: 'bbbbbbbbbbbb', historyEvents: 2 });
    const got: [string, number][] = [];
    channel.subscribe({ deliver: (chunk, count) => got.push([chunk.toString(), count]) }, undefined, { filter: (e) => e.topic === 'x' });
    for (let i = 0; i < 5; i++) channel.publish({ data: String(i), topic: i % 2 === 1 ? 'x' : 'y' });
    channel.flush();
    // The newest event (5) is not its own: an id-only block moves its cursor there.
    assert.deepEqual(got, [['id: bbbbbbbbbbbb-2\ndata: 1\n\nid: bbbbbbbbbbbb-4\ndata: 3\n\nid: bbbbbbbbbbbb-5\n\n', 2]]);
    assert.equal(channel.stats.delivered, 2);
  });
});

describe('errors a framework can map', () => {
  it('carries the HTTP status of the publish that caused it: 400 for bad input, 409, 413 and 503 where they say more', () => {
    const status = (publish: () => unknown): [string, number] => {
      try {
        publish();
      } catch (error) {
        assert.ok(error instanceof SseError);
        return [error.code, error.statusCode];
      }
      assert.fail('no error');
    };
    const channel = new Channel({ maxEventBytes: 64 });
    assert.deepEqual(status(() => channel.publish({ event: 'a\nb', data: 'x' })), ['SSE_ERR_EVENT_HAS_NEWLINE', 400]);
    assert.deepEqual(status(() => channel.publish({ data: undefined })), ['SSE_ERR_DATA_NOT_SERIALIZABLE', 400]);
    assert.deepEqual(status(() => channel.publish({ data: 'x'.repeat(100) })), ['SSE_ERR_EVENT_TOO_LARGE', 413]);
    const rows = new Channel({ ids: numericIds });
    rows.publish({ id: '7', data: 'x' });
    assert.deepEqual(status(() => rows.publish({ id: '7', data: 'again' })), ['SSE_ERR_ID_NOT_INCREASING', 409]);
    channel.close();
    assert.deepEqual(status(() => channel.publish({ data: 'late' })), ['SSE_ERR_CLOSED', 503]);
  });

  it('refuses app events named reset, error or open at publish, and leaves no trace of them', () => {
    const channel = new Channel<{ reset: { why: string }; note: string }>();
    for (const event of ['reset', 'error', 'open'] as const) {
      assert.throws(() => channel.publish({ event, data: 'x' } as never), (error: unknown) => {
        assert.ok(error instanceof SseError);
        assert.deepEqual([error.code, error.statusCode], ['SSE_ERR_EVENT_RESERVED', 400]);
        assert.match(error.message, new RegExp(`^Event name "${event}" is reserved \\(.+\\); name the event for what it means, e\\.g\\. "app-${event}"\\.$`));
        return true;
      });
    }
    // The event map's own `reset` does not compile either.
    // @ts-expect-error a reserved name
    const misuse = (): unknown => channel.publish({ event: 'reset', data: { why: 'x' } });
    assert.equal(typeof misuse, 'function');
    assert.deepEqual([channel.history.head, channel.publish({ event: 'note', data: 'fine' }).seq], [0, 1]);
  });
});

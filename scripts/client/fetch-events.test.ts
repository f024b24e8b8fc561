import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createSseServer, type ParsedEvent, type SseServer } from 'sse-reference';
import { eventually, feedChannel } from 'sse-reference/testing';
import { fetchEvents, StreamRefusedError } from './fetch-events.js';

describe('fetchEvents, the fetch()-based client of chapter 16', () => {
  let app: SseServer;
  let origin: string;
  const requests: IncomingMessage[] = [];

  before(async () => {
    app = createSseServer({ port: 0, host: '127.0.0.1', tickMs: 0, heartbeatMs: 0, retryMs: 100 });
    app.server.on('request', (req: IncomingMessage) => requests.push(req));
    origin = `http://127.0.0.1:${(await app.listen()).port}`;
  });

  after(() => app.close());

  it('sends its own headers, reconnects with Last-Event-ID after a drop, and misses nothing', async () => {
    const events: ParsedEvent[] = [];
    const stop = new AbortController();
    const done = fetchEvents(`${origin}/feed`, { signal: stop.signal, headers: { authorization: 'Bearer t0ken' }, onEvent: (e) => events.push(e) });
    await eventually(() => feedChannel(app).stats.subscribers === 1, 5000, 'the first connection', 10);
    feedChannel(app).publish({ data: 'one' });
    feedChannel(app).publish({ event: 'note', data: 'two' });
    await eventually(() => events.length === 2, 5000, 'two events', 10);
    const first = requests.at(-1) as IncomingMessage;
    assert.equal(first.headers.authorization, 'Bearer t0ken');
    first.socket.destroy();
    await eventually(() => feedChannel(app).stats.subscribers === 0, 5000, 'the drop', 10);
    feedChannel(app).publish({ data: 'three, while away' });
    await eventually(() => events.length === 3, 5000, 'the missed event', 10);
    const second = requests.at(-1) as IncomingMessage;
    assert.notEqual(second, first);
    assert.equal(second.headers['last-event-id'], events[1]?.lastEventId);
    assert.deepEqual(events.map((e) => [e.type, e.data]), [['message', 'one'], ['note', 'two'], ['message', 'three, while away']]);
    stop.abort();
    await done;
  });

  it('keeps its position through a stream that sends no id, drops it after an empty id, and asks for headers anew each time', async () => {
    // Three answers in turn, each ending the stream: an id then an event without one; an event
    // without id; an explicit empty id. What matters is the Last-Event-ID of each next request.
    const bodies = ['retry: 10\nid: a-1\ndata: 1\n\ndata: 2\n\n', 'data: 3\n\n', 'id:\ndata: 4\n\n', ': done\n\n'];
    const seen: (string | undefined)[] = [];
    const tokens: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['last-event-id'] as string | undefined);
      tokens.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(bodies[seen.length - 1] ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stop = new AbortController();
    let issued = 0;
    const events: ParsedEvent[] = [];
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const done = fetchEvents(url, { signal: stop.signal, headers: () => ({ authorization: `Bearer t${++issued}` }), onEvent: (e) => events.push(e) });
    try {
      await eventually(() => seen.length >= 4, 5000, 'four requests', 10);
      assert.deepEqual(seen.slice(0, 4), [undefined, 'a-1', 'a-1', undefined]);
      assert.deepEqual(tokens.slice(0, 4), ['Bearer t1', 'Bearer t2', 'Bearer t3', 'Bearer t4']);
      assert.deepEqual(events.map((e) => [e.data, e.lastEventId]), [['1', 'a-1'], ['2', 'a-1'], ['3', 'a-1'], ['4', '']]);
    } finally {
      stop.abort();
      await done;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails for good on an answer that is not an event stream, as EventSource does', async () => {
    const stop = new AbortController();
    await assert.rejects(fetchEvents(`${origin}/no-such-stream`, { signal: stop.signal, onEvent: () => {} }), (error: unknown) => {
      assert.ok(error instanceof StreamRefusedError);
      assert.equal(error.status, 404);
      return true;
    });
  });
});

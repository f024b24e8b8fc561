import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createSseServer, type ParsedEvent, type SseServer } from 'sse-reference';
import { feedChannel } from 'sse-reference/testing';
import { fetchEvents, StreamRefusedError } from './fetch-events.js';

/** Resolves once `predicate` holds, checking at every event; rejects after `ms`. */
function until(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (predicate()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

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
    await until(() => feedChannel(app).stats.subscribers === 1, 'the first connection');
    feedChannel(app).publish({ data: 'one' });
    feedChannel(app).publish({ event: 'note', data: 'two' });
    await until(() => events.length === 2, 'two events');
    const first = requests.at(-1) as IncomingMessage;
    assert.equal(first.headers.authorization, 'Bearer t0ken');
    first.socket.destroy();
    await until(() => feedChannel(app).stats.subscribers === 0, 'the drop');
    feedChannel(app).publish({ data: 'three, while away' });
    await until(() => events.length === 3, 'the missed event');
    const second = requests.at(-1) as IncomingMessage;
    assert.notEqual(second, first);
    assert.equal(second.headers['last-event-id'], events[1]?.lastEventId);
    assert.deepEqual(events.map((e) => [e.type, e.data]), [['message', 'one'], ['note', 'two'], ['message', 'three, while away']]);
    stop.abort();
    await done;
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

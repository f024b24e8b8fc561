import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Channel, type ParsedEvent } from 'sse-reference';
import { eventually } from 'sse-reference/testing';
import { fetchEvents } from '../client/fetch-events.js';
import { tokenSource, type IssuedToken } from './token-source.js';
import { tokenStream, type Grant } from './token-stream.js';

describe('a stream that ends when its token expires (chapter 17)', () => {
  const TOKEN_MS = 400;
  const channel = new Channel();
  const grants = new Map<string, Grant>();
  const requests: { token: string; lastEventId: string | undefined; at: number }[] = [];
  const server = createServer(tokenStream(channel, { verify: (token) => grants.get(token), retryMs: 50 }));
  server.on('request', (req) => {
    requests.push({ token: (req.headers.authorization ?? '').slice('Bearer '.length), lastEventId: req.headers['last-event-id'] as string | undefined, at: Date.now() });
  });
  let origin = '';
  /** What your API does for a signed-in page: a short-lived token for the stream. */
  const api = {
    issueToken: async (): Promise<IssuedToken> => {
      const token = randomBytes(12).toString('hex');
      const grant = { subject: 'alice', expiresAt: Date.now() + TOKEN_MS };
      grants.set(token, grant);
      return { token, expiresAt: grant.expiresAt };
    },
  };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    channel.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('ends each stream at its token’s expiry; the client comes back with a new token and misses nothing', async () => {
    const events: ParsedEvent[] = [];
    const stop = new AbortController();
    const { signal } = stop;
    const onEvent = (event: ParsedEvent): void => void events.push(event);
    // #region token-client
    const token = tokenSource(() => api.issueToken(), 100); // a new token when this one has < 100 ms left
    const reading = fetchEvents(`${origin}/feed`, { signal, headers: async () => ({ authorization: `Bearer ${await token()}` }), onEvent });
    // #endregion token-client
    await eventually(() => channel.stats.subscribers === 1, 8000, 'the first stream', 10);
    const sent: string[] = [];
    for (let n = 1; n <= 20; n++) {
      sent.push(`event ${n}`);
      channel.publish({ data: `event ${n}` });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await eventually(() => events.length >= sent.length, 8000, 'every event', 10);
    stop.abort();
    await reading;

    assert.deepEqual(events.map((e) => e.data), sent, 'every event once, in order');
    assert.ok(requests.length >= 3, `the stream was ended at expiry and reopened (${requests.length} requests)`);
    assert.equal(new Set(requests.map((r) => r.token)).size, requests.length, 'each reconnect carried a new token');
    for (const request of requests.slice(1)) assert.match(request.lastEventId ?? '', /-\d+$/, 'each reconnect resumed from its Last-Event-ID');
    for (const request of requests) assert.ok((grants.get(request.token)?.expiresAt ?? 0) > request.at, 'no request carried an expired token');
  });

  it('refuses an expired token with 401 before any byte of the stream', async () => {
    const expired = randomBytes(12).toString('hex');
    grants.set(expired, { subject: 'bob', expiresAt: Date.now() - 1 });
    const res = await fetch(`${origin}/feed`, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="feed"');
    assert.notEqual(res.headers.get('content-type'), 'text/event-stream');
    await res.body?.cancel();
  });
});

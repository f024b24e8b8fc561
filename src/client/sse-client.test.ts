import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Channel } from '../hub/channel.js';
import type { SseStream } from '../stream/sse-stream.js';
import { eventually } from '../testing/harness.js';
import { backoffDelay } from './backoff.js';
import { SseClient, type ClientFailure, type ClientMessage, type ResetMessage } from './sse-client.js';

/** A real server: /feed resumes from Last-Event-ID; /flaky answers 503 to its first `failFirst` requests. */
interface TestServer {
  readonly server: Server;
  readonly channel: Channel;
  readonly base: string;
  readonly requests: IncomingMessage[];
  readonly streams: SseStream[];
  failFirst: number;
}

async function startTestServer(): Promise<TestServer> {
  const channel = new Channel();
  const state = { failFirst: 0 } as TestServer;
  const requests: IncomingMessage[] = [];
  const streams: SseStream[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/gone') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/flaky' && state.failFirst > 0) {
      state.failFirst--;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('deploying');
      return;
    }
    streams.push(channel.attach(req, res, { retryMs: 40 }) as SseStream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { server, channel, base: `http://127.0.0.1:${port}`, requests, streams });
}

describe('SseClient over fetch, against a real server', () => {
  let t: TestServer;
  const clients: SseClient[] = [];
  const open = <E extends Record<string, unknown>>(path: string, options: ConstructorParameters<typeof SseClient>[1] = {}): SseClient<E> => {
    const client = new SseClient<E>(`${t.base}${path}`, { transport: 'fetch', ...options });
    clients.push(client as SseClient);
    return client;
  };

  before(async () => {
    t = await startTestServer();
  });

  after(async () => {
    for (const client of clients) client.close();
    t.server.closeAllConnections();
    await new Promise((resolve) => t.server.close(resolve));
  });

  it('delivers named and unnamed events, parses JSON on demand and keeps the cursor', async () => {
    const client = open<{ price: { eur: number } }>('/feed');
    const prices: ClientMessage<{ eur: number }>[] = [];
    const plain: ClientMessage[] = [];
    client.on('price', (message) => prices.push(message));
    client.on('message', (message) => plain.push(message));
    await eventually(() => client.state === 'open', 3000, 'open');
    t.channel.publish({ event: 'price', data: JSON.stringify({ eur: 1.08 }) });
    const { id } = t.channel.publish({ data: 'line one\nline two' });
    await eventually(() => plain.length === 1, 3000, 'both events');
    assert.equal(prices[0]?.json().eur, 1.08);
    assert.equal(plain[0]?.data, 'line one\nline two');
    assert.equal(plain[0]?.id, id);
    assert.equal(client.lastEventId, id);
    client.close();
    assert.equal(client.state, 'closed');
  });

  it('reconnects after the server drops the stream, with Last-Event-ID, and misses nothing', async () => {
    const client = open('/feed');
    const seen: string[] = [];
    client.on('message', (message) => seen.push(message.data));
    await eventually(() => client.state === 'open', 3000, 'open');
    t.channel.publish({ data: 'a' });
    await eventually(() => seen.length === 1, 3000, 'first event');
    const cursor = client.lastEventId;
    const before = t.requests.length;
    (t.streams.at(-1) as SseStream).end();
    // Published while the client is away: it must come back from the replay.
    t.channel.publish({ data: 'b' });
    t.channel.publish({ data: 'c' });
    await eventually(() => seen.length === 3, 3000, 'the replayed events');
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(t.requests[before]?.headers['last-event-id'], cursor);
    client.close();
  });

  it('tells the app about a reset, with its reason, and moves the cursor to the head', async () => {
    const client = open('/feed', { lastEventId: 'not-an-id' });
    const resets: ResetMessage[] = [];
    client.on('reset', (message) => resets.push(message));
    await eventually(() => resets.length === 1, 3000, 'the reset');
    assert.equal(resets[0]?.reason, 'invalid');
    assert.equal(client.lastEventId, `${t.channel.epoch}-${t.channel.history.head}`);
    client.close();
  });

  it('retries a server that answers 503 after a jittered, doubling delay, then resumes from the cursor', async () => {
    const client = open('/flaky', { random: () => 0, backoff: { initialMs: 40, maxMs: 1000 } });
    const seen: string[] = [];
    const failures: ClientFailure[] = [];
    client.on('message', (message) => seen.push(message.data));
    client.onError((failure) => failures.push(failure));
    await eventually(() => client.state === 'open', 3000, 'open');
    t.channel.publish({ data: 'before' });
    await eventually(() => seen.length === 1, 3000, 'first event');
    const cursor = client.lastEventId;
    t.failFirst = 2;
    const before = t.requests.length;
    (t.streams.at(-1) as SseStream).end();
    t.channel.publish({ data: 'during' });
    await eventually(() => seen.length === 2, 5000, 'the event published while failing');
    assert.deepEqual(seen, ['before', 'during']);
    // The end of the stream (retry: 40 ms ± 20 %), then two refusals with backoff ceilings of 40
    // and 80 ms, of which random() = 0 takes the lower end, half.
    const [ended, ...refused] = failures as [ClientFailure, ...ClientFailure[]];
    const hint = ended.retryInMs as number;
    assert.ok(ended.status === undefined && hint >= 32 && hint <= 48, JSON.stringify(ended));
    assert.deepEqual(refused.map((failure) => [failure.status, failure.retryInMs]), [[503, 20], [503, 40]]);
    assert.deepEqual(
      t.requests.slice(before).map((request) => request.headers['last-event-id']),
      [cursor, cursor, cursor],
    );
    client.close();
  });

  it('sends custom headers, which EventSource cannot', async () => {
    const client = open('/feed', { headers: { authorization: 'Bearer x' } });
    const before = t.requests.length;
    await eventually(() => client.state === 'open', 3000, 'open');
    assert.equal(t.requests[before]?.headers['authorization'], 'Bearer x');
    assert.equal(t.requests[before]?.headers['accept'], 'text/event-stream');
    client.close();
  });

  it('stops for good on 204 No Content, as the spec asks', async () => {
    const client = open('/gone');
    const before = t.requests.length;
    await eventually(() => client.state === 'closed', 3000, 'closed');
    assert.equal(t.requests.length, before + 1);
  });

  it('makes no request after close()', async () => {
    const client = open('/flaky', { backoff: { initialMs: 20 } });
    await eventually(() => client.state === 'open', 3000, 'open');
    client.close();
    const count = t.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(t.requests.length, count);
  });

  it('refuses headers with the EventSource transport, and a missing EventSource', () => {
    assert.throws(() => new SseClient(`${t.base}/feed`, { transport: 'eventsource', headers: {} }), TypeError);
    assert.throws(() => new SseClient(`${t.base}/feed`, { transport: 'eventsource' }), /No EventSource here/);
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per failure, stays in its upper half, and stops at maxMs', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, {}, () => 0)), [500, 1000, 2000, 4000]);
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, {}, () => 0.999999)), [1000, 2000, 4000, 8000]);
    assert.equal(backoffDelay(1000, { maxMs: 30_000 }, () => 0.5), 22_500);
  });
});

describe('the client modules', () => {
  it('import nothing from Node, so a browser can load them', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const pending = ['index.js'].map((file) => join(here, file));
    const seen = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [, specifier] of source.matchAll(/from '([^']+)'/g)) {
        assert.ok(specifier?.startsWith('.'), `${file} imports ${specifier}`);
        pending.push(join(dirname(file), specifier as string));
      }
      assert.doesNotMatch(source, /\b(Buffer|process|require)\b/, file);
    }
    assert.ok(seen.size >= 4, [...seen].join(', '));
  });
});

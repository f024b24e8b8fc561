import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Channel } from '../hub/channel.js';
import { Heartbeat } from '../stream/heartbeat.js';
import type { SseStream } from '../stream/sse-stream.js';
import { eventually } from '../testing/harness.js';
import { backoffDelay } from './backoff.js';
import type { ClientFailure, JsonMessage, ResetMessage, TextMessage } from './messages.js';
import { SseClient, type SseClientOptions } from './sse-client.js';
import { TabLeader } from './tab-leader.js';
import { Watchdog } from './watchdog.js';

/**
 * A real server: /feed resumes from Last-Event-ID; /flaky answers 503 to its first `failFirst`
 * requests; /beating sends a heartbeat comment every 50 ms of quiet.
 */
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
  const heartbeat = new Heartbeat(50);
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
    streams.push(channel.attach(req, res, { retryMs: 40, ...(path === '/beating' ? { heartbeat } : {}) }) as SseStream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { server, channel, base: `http://127.0.0.1:${port}`, requests, streams });
}

describe('SseClient over fetch, against a real server', () => {
  let t: TestServer;
  const clients: SseClient[] = [];
  const open = <E extends object = Record<string, unknown>>(path: string, options: ConstructorParameters<typeof SseClient>[1] = {}): SseClient<E> => {
    const client = new SseClient<E>(`${t.base}${path}`, { transport: 'fetch', ...options });
    clients.push(client as SseClient);
    return client;
  };

  /** Opens a client that records every message's data and every failure, and waits for `first` to arrive on it. */
  const openAndReceive = async (path: string, first: string, options: SseClientOptions): Promise<{ client: SseClient; seen: string[]; failures: ClientFailure[] }> => {
    const client = open(path, options);
    const seen: string[] = [];
    const failures: ClientFailure[] = [];
    client.on('message', (message) => seen.push(message.data));
    client.onError((failure) => failures.push(failure));
    await eventually(() => client.state === 'open', 3000, 'open');
    t.channel.publish({ data: first });
    await eventually(() => seen.length === 1, 3000, 'the first event');
    return { client, seen, failures };
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
    const client = open<{ price: { eur: number }; message: string }>('/feed');
    const prices: JsonMessage<{ eur: number }>[] = [];
    const plain: TextMessage[] = [];
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
    const { client, seen, failures } = await openAndReceive('/flaky', 'before', { random: () => 0, backoff: { initialMs: 40, maxMs: 1000 } });
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

  it('keeps a quiet stream whose heartbeats arrive: comments count as bytes', async () => {
    // The server's heartbeat leaves gaps under 50 ms; the watchdog waits 2 × 150 ms.
    const client = open('/beating', { heartbeatMs: 150 });
    const failures: ClientFailure[] = [];
    client.onError((failure) => failures.push(failure));
    await eventually(() => client.state === 'open', 3000, 'open');
    const before = t.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(failures, []);
    assert.equal(t.requests.length, before);
    client.close();
  });

  it('takes a stream that goes silent without closing for dead: closes it after 2 × heartbeatMs and resumes from the last id', async () => {
    const { client, seen, failures } = await openAndReceive('/beating', 'a', { heartbeatMs: 100 });
    const cursor = client.lastEventId;
    const before = t.requests.length;
    // A dead path: the server goes on writing (events, heartbeats) and nothing reaches the client.
    (t.requests.at(-1) as IncomingMessage).socket.cork();
    t.channel.publish({ data: 'b' });
    t.channel.publish({ data: 'c' });
    await eventually(() => seen.length === 3, 5000, 'the events sent into the dead connection, replayed');
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(failures[0]?.message, 'No byte for 200 ms, twice the heartbeat: the connection is taken for dead.');
    assert.equal(t.requests.length, before + 1);
    assert.equal(t.requests[before]?.headers['last-event-id'], cursor);
    client.close();
  });

  it('reads its own stream with shared where Web Locks are missing (Node 20), and one stream for two clients where they exist (Node 24)', async () => {
    const before = t.requests.length;
    const [first, second] = [open('/feed', { shared: true }), open('/feed', { shared: true })] as const;
    const seen: string[][] = [[], []];
    first.on('message', (message) => seen[0]?.push(message.data));
    second.on('message', (message) => seen[1]?.push(message.data));
    await eventually(() => first.state === 'open' && second.state === 'open', 3000, 'both open');
    t.channel.publish({ data: 'to both' });
    await eventually(() => seen.every((list) => list.length === 1), 3000, 'the event in both');
    assert.deepEqual(seen, [['to both'], ['to both']]);
    assert.equal(t.requests.length - before, TabLeader.isAvailable() ? 1 : 2);
    first.close();
    second.close();
  });

  it('refuses headers, heartbeatMs and shared with the EventSource transport, a missing EventSource, and a heartbeat that is no duration', () => {
    assert.throws(() => new SseClient(`${t.base}/feed`, { transport: 'eventsource', headers: {} }), TypeError);
    assert.throws(() => new SseClient(`${t.base}/feed`, { transport: 'eventsource' }), /No EventSource here/);
    const EventSource = class {} as unknown as NonNullable<SseClientOptions['EventSource']>;
    assert.throws(() => new SseClient(`${t.base}/feed`, { EventSource, transport: 'eventsource', heartbeatMs: 1000 }), /hides the heartbeat comments/);
    assert.throws(() => new SseClient(`${t.base}/feed`, { EventSource, transport: 'eventsource', shared: true }), /every event type/);
    assert.throws(() => new SseClient(`${t.base}/feed`, { heartbeatMs: 1.5 }), RangeError);
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per failure, stays in its upper half, and stops at maxMs', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, {}, () => 0)), [500, 1000, 2000, 4000]);
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, {}, () => 0.999999)), [1000, 2000, 4000, 8000]);
    assert.equal(backoffDelay(1000, { maxMs: 30_000 }, () => 0.5), 22_500);
  });
});

describe('Watchdog', () => {
  it('fires once, no sooner than timeoutMs after the last kick, and a kick postpones it', async () => {
    let firedAt: number | undefined;
    let fired = 0;
    const watchdog = new Watchdog(150, () => {
      fired++;
      firedAt = performance.now();
    });
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      watchdog.kick();
    }
    const lastKick = performance.now();
    assert.equal(watchdog.hasFired, false);
    await eventually(() => watchdog.hasFired, 2000, 'the watchdog');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fired, 1);
    assert.ok((firedAt as number) - lastKick >= 150, `fired ${(firedAt as number) - lastKick} ms after the last kick`);
  });

  it('never fires once stopped', async () => {
    const watchdog = new Watchdog(20, () => assert.fail('fired after stop()'));
    watchdog.stop();
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(watchdog.hasFired, false);
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

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createSseServer } from '../app.js';
import type { SseServerOptions } from '../options/table.js';
import { RedisClient } from './client.js';
import { RedisEpochError } from './entries.js';
import { spawnRedis, type SpawnedRedis } from '../testing/spawn-redis.js';
import { dropBeforeFirstEvent, eventually, exactAfterEarlyDrop, startServer, type Started } from '../testing/harness.js';
import { openStream, type TestStream } from '../testing/sse-client.js';
import { RedisBroker } from './redis-broker.js';

let redis: SpawnedRedis;
let keys = 0;
const cleanups: (() => unknown)[] = [];

before(async () => {
  redis = await spawnRedis();
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await redis.stop();
});

/** Starts `count` instances sharing one fresh stream key. */
async function instances(count: number, options: SseServerOptions = {}): Promise<Started[]> {
  const redisKey = `test:${keys++}`;
  const started: Started[] = [];
  for (let i = 0; i < count; i++) {
    const server = await startServer({ redisUrl: redis.url, redisKey, shutdownGraceMs: 200, ...options });
    cleanups.push(() => server.app.close());
    started.push(server);
  }
  return started;
}

async function post(base: string, data: string): Promise<{ status: number; id?: string }> {
  const res = await fetch(`${base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  const body = (await res.json()) as { id?: string };
  return body.id === undefined ? { status: res.status } : { status: res.status, id: body.id };
}

async function stream(base: string, lastEventId?: string): Promise<TestStream> {
  const opened = await openStream(`${base}/feed`, lastEventId === undefined ? {} : { 'last-event-id': lastEventId });
  cleanups.push(() => opened.close());
  return opened;
}

/**
 * Opens `/feed` until it sends an event, coming back when sent away as a browser does: while the
 * instance reloads its window after the follower saw a trimmed gap, new streams get `retry:` and
 * an end, and how long that lasts depends on how busy the machine is.
 */
async function streamLikeABrowser(base: string, lastEventId: string): Promise<TestStream> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    const opened = await stream(base, lastEventId);
    const first = await Promise.race([
      opened.ended.then(() => 'sent away' as const),
      opened.waitFor((s) => s.events.length >= 1, 5000).then(() => 'event' as const),
    ]);
    if (first === 'event') return opened;
    await delay(50);
  }
  throw new Error(`/feed sent the client away 20 times for ${lastEventId}`);
}

/** Drops every follower connection (each reconnects after its backoff, 50 ms at first). */
async function killFollowers(raw: RedisClient): Promise<void> {
  const clients = ((await raw.command(['CLIENT', 'LIST'])) as Buffer).toString().split('\n');
  const ids = clients.filter((line) => line.includes('cmd=xread')).map((line) => /^id=(\d+) /.exec(line)?.[1] as string);
  assert.ok(ids.length > 0, 'a follower is connected');
  await Promise.all(ids.map((id) => raw.command(['CLIENT', 'KILL', 'ID', id])));
}

const idsAndData = (s: TestStream): [string, string][] => s.events.map((e) => [e.lastEventId, e.data]);
const subscribers = (server: Started): number => (server.app.broker as RedisBroker).stats.subscribers;

describe('two instances on one Redis stream', () => {
  it('delivers a publish on either instance to the subscribers of both, in one order, with the same ids', async () => {
    const [a, b] = (await instances(2)) as [Started, Started];
    const onA = await stream(a.base);
    const onB = await stream(b.base);
    await eventually(() => subscribers(a) === 1 && subscribers(b) === 1);
    const acknowledged: string[] = [];
    for (const [server, data] of [[a, 'a1'], [b, 'b1'], [a, 'a2'], [b, 'b2']] as const) {
      const { status, id } = await post(server.base, data);
      assert.equal(status, 202);
      acknowledged.push(id as string);
    }
    await onA.waitFor((s) => s.events.length === 4);
    await onB.waitFor((s) => s.events.length === 4);
    assert.deepEqual(idsAndData(onA), idsAndData(onB));
    assert.deepEqual(onA.events.map((e) => e.lastEventId), acknowledged);
    assert.deepEqual(onA.events.map((e) => e.data), ['a1', 'b1', 'a2', 'b2']);
    assert.match(acknowledged[0] as string, /^[0-9a-f]{12}-[1-9][0-9]*-[0-9]+$/);
    const health = await fetch(`${a.base}/health`);
    assert.deepEqual([health.status, await health.text()], [200, 'ok\n']);
    const metrics = await (await fetch(`${b.base}/metrics`)).text();
    assert.match(metrics, /^sse_events_published_total 4$/m);
    assert.match(metrics, /^sse_events_delivered_total 4$/m);
    assert.match(metrics, /^sse_feed_subscribers 1$/m);
  });

  it('resumes on B a client that read from A, with no duplicate and no gap, from the window or from Redis', async () => {
    const [a, b] = (await instances(2)) as [Started, Started];
    // C holds only two events in memory: older cursors are replayed from Redis with XRANGE.
    const [c] = (await startServer({ redisUrl: redis.url, redisKey: `test:${keys - 1}`, historyEvents: 2 }).then((s) => [s])) as [Started];
    cleanups.push(() => c.app.close());
    const sent: string[] = [];
    for (let n = 1; n <= 6; n++) sent.push((await post(n % 2 === 0 ? a.base : b.base, `m${n}`)).id as string);
    const reader = await stream(a.base, `${(sent[0] as string).split('-')[0]}-0-0`);
    await reader.waitFor((s) => s.events.length === 6);
    reader.close();
    const cursor = reader.events[2]?.lastEventId as string;
    await eventually(() => (b.app.broker as RedisBroker).window.size === 6 && (c.app.broker as RedisBroker).window.size === 2);
    const expected = reader.events.slice(3).map((e) => [e.lastEventId, e.data]);
    for (const server of [b, c]) {
      const resumed = await stream(server.base, cursor);
      await resumed.waitFor((s) => s.events.length === 3);
      await eventually(() => subscribers(server) >= 1);
      assert.deepEqual(idsAndData(resumed), expected);
    }
    const byQuery = await openStream(`${b.base}/feed?lastEventId=${cursor}`, { 'last-event-id': '' });
    cleanups.push(() => byQuery.close());
    await byQuery.waitFor((s) => s.events.length === 3);
    assert.deepEqual(idsAndData(byQuery), expected, 'an empty header leaves the query cursor in force');
    const next = await post(a.base, 'm7');
    const late = await stream(c.base, cursor);
    await late.waitFor((s) => s.events.length === 4);
    assert.deepEqual(late.events.at(-1)?.lastEventId, next.id);
    assert.equal(c.app.metrics().resumed, 2);
  });

  it('catches up with a cursor issued a moment ago elsewhere, and answers reset for ids it cannot resume', async () => {
    const [a] = (await instances(1)) as [Started];
    const broker = a.app.broker as RedisBroker;
    const raw = new RedisClient({ url: redis.url });
    cleanups.push(() => raw.close());
    await raw.ready();
    // Cut the followers, so this instance reads the next entry only once it has reconnected.
    await killFollowers(raw);
    const added = (await raw.command(['XADD', broker.key, '*', 'd', 'from elsewhere'])) as Buffer;
    const epoch = broker.epoch as string;
    assert.notEqual(broker.window.head, added.toString(), 'the follower has not read it yet');
    // Asked before this instance's follower has read it: it waits instead of saying unknown.
    const fresh = await stream(a.base, `${epoch}-${added.toString()}`);
    const { id } = await post(a.base, 'after');
    await fresh.waitFor((s) => s.events.length === 1);
    assert.deepEqual(idsAndData(fresh), [[id, 'after']]);

    const reasons: Record<string, string> = {
      [`${epoch}-99999999999999-0`]: 'unknown',
      [`${epoch}-1-0`]: 'unknown',
      ['0123456789ab-1-0']: 'epoch',
      [`${epoch}-1e3-0`]: 'invalid',
      [`${epoch}-7`]: 'invalid',
    };
    for (const [cursor, reason] of Object.entries(reasons)) {
      const reset = await stream(a.base, cursor);
      await reset.waitFor((s) => s.events.length === 1);
      const [event] = reset.events;
      assert.equal(event?.type, 'reset', cursor);
      assert.equal(event?.lastEventId, id);
      // The same payload as the in-memory reset: the oldest is the oldest entry this instance holds.
      const { oldest } = (a.app.broker as RedisBroker).window;
      assert.deepEqual(JSON.parse(event?.data ?? ''), { reason, epoch, head: (id as string).slice(13), oldest });
    }
  });

  it('starts every stream with a cursor, so a client that drops before its first event misses nothing, on either instance', async () => {
    const [a, b] = (await instances(2)) as [Started, Started];
    const { cursor, received } = await dropBeforeFirstEvent(`${a.base}/feed`, (data) => post(b.base, data));
    // An empty stream: the cursor is the epoch's start, 0-0.
    assert.match(cursor, /^[0-9a-f]{12}-0-0$/);
    assert.deepEqual(received, exactAfterEarlyDrop());
    const again = await dropBeforeFirstEvent(`${b.base}/feed`, (data) => post(a.base, data));
    assert.match(again.cursor, /^[0-9a-f]{12}-\d+-\d+$/);
    assert.notEqual(again.cursor, cursor);
    assert.deepEqual(again.received, exactAfterEarlyDrop());
  });

  it('says expired for a cursor that Redis trimmed away', async () => {
    const [a] = (await instances(1, { historyEvents: 5 })) as [Started];
    const broker = a.app.broker as RedisBroker;
    const raw = new RedisClient({ url: redis.url });
    cleanups.push(() => raw.close());
    await raw.ready();
    const ids = (await Promise.all(
      Array.from({ length: 400 }, (_, n) => raw.command(['XADD', broker.key, 'MAXLEN', '~', '5', '*', 'd', `n${n}`])),
    )) as Buffer[];
    assert.ok(Number(await raw.command(['XLEN', broker.key])) < 400, 'Redis trimmed the stream');
    const reset = await streamLikeABrowser(a.base, `${broker.epoch}-${(ids[0] as Buffer).toString()}`);
    assert.equal(reset.events[0]?.type, 'reset');
    assert.equal(JSON.parse(reset.events[0]?.data ?? '').reason, 'expired');
  });

  it('sends its streams away when the stream was trimmed past its follower, so none misses events silently', () => trimmedPastFollower(redis.url));

  it('does the same for a Redis user that may not run scripts', async () => {
    const raw = new RedisClient({ url: redis.url });
    cleanups.push(() => raw.close());
    await raw.ready();
    await raw.command(['ACL', 'SETUSER', 'noscript', 'on', '>pw', '~*', '+@all', '-@scripting']);
    await trimmedPastFollower(`redis://noscript:pw@127.0.0.1:${redis.port}/0`);
  });
});

/** Trims the stream past an instance's follower: its streams are sent away, and come back to `reset` (expired). */
async function trimmedPastFollower(redisUrl: string): Promise<void> {
  const [a] = (await instances(1, { redisUrl })) as [Started];
  const broker = a.app.broker as RedisBroker;
  const first = await post(a.base, 'first');
  const reader = await stream(a.base, first.id);
  await eventually(() => subscribers(a) === 1);
  const raw = new RedisClient({ url: redis.url });
  cleanups.push(() => raw.close());
  await raw.ready();
  // While the follower reconnects, 300 entries come and an exact cap trims the stream past it.
  await killFollowers(raw);
  await Promise.all(Array.from({ length: 300 }, (_, n) => raw.command(['XADD', broker.key, 'MAXLEN', '5', '*', 'd', `n${n}`])));
  await reader.ended;
  assert.ok(broker.gaps >= 1);
  assert.ok(reader.events.every((e) => e.data !== 'n0'), 'nothing after the gap was delivered');
  // As EventSource would: while the instance reloads its window it asks the client to come back.
  const cursor = reader.events.at(-1)?.lastEventId ?? first.id;
  let back = await stream(a.base, cursor);
  for (let attempt = 0; attempt < 20; attempt++) {
    await Promise.race([back.ended, back.waitFor((s) => s.events.length >= 1).catch(() => {})]);
    if (back.events.length >= 1) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
    back = await stream(a.base, cursor);
  }
  assert.equal(JSON.parse(back.events[0]?.data ?? '').reason, 'expired');
}

describe('Redis going away', () => {
  it('reports Redis down on /health, refuses publishes with 503 and sends new /feed streams away (200, retry:, end) until it is back; old ids then reset (epoch)', async () => {
    const [a] = (await instances(1)) as [Started];
    const before = await post(a.base, 'before');
    await redis.stop();
    await eventually(() => !(a.app.broker as RedisBroker).health().isUp);
    const health = await fetch(`${a.base}/health`);
    assert.deepEqual([health.status, await health.text()], [503, 'redis: down\n']);
    assert.match(await (await fetch(`${a.base}/metrics`)).text(), /^sse_history_up\{store="redis"\} 0$/m);
    const refused = await fetch(`${a.base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":"x"}' });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'broker_unavailable');
    // An open stream that would deliver nothing is no answer: the client is told to come back.
    const away = await openStream(`${a.base}/feed`);
    await away.ended;
    assert.equal(away.status, 200);
    assert.match(away.raw(), /^retry: \d+\n\n: redis: down\n\nretry: \d+\n\n$/);
    assert.match(await (await fetch(`${a.base}/metrics`)).text(), /^sse_refused_total\{cap="store"\} 1$/m);
    await redis.restart();
    await eventually(() => (a.app.broker as RedisBroker).health().isUp, 5000);
    assert.equal((await post(a.base, 'after')).status, 202);
    assert.match(await (await fetch(`${a.base}/metrics`)).text(), /^sse_history_up\{store="redis"\} 1$/m);
    const reset = await stream(a.base, before.id);
    await reset.waitFor((s) => s.events.length === 1);
    assert.equal(JSON.parse(reset.events[0]?.data ?? '').reason, 'epoch');
    assert.equal(a.app.metrics().openStreams, 1); // back up: streams stay open again
  });
});

describe('an acknowledged event Redis lost before any follower read it', () => {
  it('is added again once Redis is back, and reaches the subscribers with the new epoch', async () => {
    const [a] = (await instances(1)) as [Started];
    const broker = a.app.broker as RedisBroker;
    const reader = await stream(a.base);
    await eventually(() => subscribers(a) === 1);
    const oldEpoch = broker.epoch;
    const raw = new RedisClient({ url: redis.url });
    await raw.ready();
    await killFollowers(raw);
    raw.close();
    // Acknowledged while the follower reconnects, then Redis dies with it, keeping nothing.
    const { status } = await post(a.base, 'do not lose me');
    assert.equal(status, 202);
    await redis.stop();
    await redis.restart();
    await reader.waitFor((s) => s.events.some((e) => e.data === 'do not lose me'), 5000);
    assert.notEqual(broker.epoch, oldEpoch);
    assert.ok(reader.events.at(-1)?.lastEventId.startsWith(`${broker.epoch as string}-`));
  });
});

describe('two `node dist/server.js --redis` processes', () => {
  it('broadcast to each other and resume each other\'s clients', async () => {
    const server = fileURLToPath(new URL('../server.js', import.meta.url));
    const key = `cli:${keys++}`;
    const run = (): Promise<string> => {
      const child = spawn(process.execPath, [server, '--port', '0', '--tick', '0', '--publish-local', '--redis', redis.url, '--redis-key', key], { stdio: ['ignore', 'pipe', 'inherit'] });
      cleanups.push(() => new Promise<void>((resolve) => (child.exitCode === null ? (child.once('exit', () => resolve()), child.kill('SIGTERM')) : resolve())));
      return new Promise((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/[^/]+)\/\n.*history: redis stream cli:/s.exec(out);
          if (match !== null) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`the server exited (${String(code)}): ${out}`)));
      });
    };
    const [a, b] = await Promise.all([run(), run()]);
    // Subscribed in the same step that sent the headers, so every later publish reaches it.
    const onB = await stream(b as string);
    const sent = [await post(a as string, 'x'), await post(a as string, 'y'), await post(b as string, 'z')];
    await onB.waitFor((s) => s.events.length === 3);
    assert.deepEqual(idsAndData(onB), sent.map(({ id }, n) => [id, ['x', 'y', 'z'][n]]));
    const onA = await stream(a as string, sent[0]?.id);
    await onA.waitFor((s) => s.events.length === 2);
    assert.deepEqual(idsAndData(onA), idsAndData(onB).slice(1));
  });
});

describe('RedisBroker start-up', () => {
  it('refuses to start, with a sentence naming the address, when Redis is not reachable', async () => {
    const broker = new RedisBroker({ url: 'redis://127.0.0.1:1/0', connectTimeoutMs: 300 });
    await assert.rejects(broker.start(), /Redis at 127\.0\.0\.1:1 is not reachable/);
    assert.deepEqual(broker.health(), { isUp: false, text: 'redis: down' });
    assert.match(broker.describe(), /epoch \(not yet read\)/);
    await broker.close();
  });

  it('refuses at once to start on a key that holds no epoch, saying so rather than "not reachable"', async () => {
    const client = new RedisClient({ url: redis.url });
    await client.ready();
    await client.command(['SET', 'bad:feed:epoch', 'not-an-epoch']);
    client.close();
    const broker = new RedisBroker({ url: redis.url, key: 'bad:feed', connectTimeoutMs: 5000 });
    const started = performance.now();
    await assert.rejects(broker.start(), (error: unknown) => {
      assert.ok(error instanceof RedisEpochError, String(error));
      assert.match(error.message, /Redis answers, but bad:feed:epoch holds "not-an-epoch", not an epoch/);
      return true;
    });
    // Before, it waited out the connect timeout and blamed the network.
    assert.ok(performance.now() - started < 2000, `${(performance.now() - started).toFixed(0)} ms`);
    await broker.close();
  });

  it('refuses a key with a line break, and a history file together with Redis', () => {
    assert.throws(() => new RedisBroker({ url: redis.url, key: 'a\nb' }), TypeError);
    assert.throws(() => createSseServer({ historyFile: 'x.log', redisUrl: redis.url }), /exclude each other/);
  });

  it('refuses an app event named reset, error or open before anything reaches Redis', async () => {
    const broker = new RedisBroker({ url: redis.url });
    for (const event of ['reset', 'error', 'open']) {
      await assert.rejects(broker.publish({ event, data: 'x' }), { code: 'SSE_ERR_EVENT_RESERVED', statusCode: 400 });
    }
    await broker.close();
  });
});

describe('Redis restarted under load', () => {
  it('fails publishes clearly while it is down, loses none it acknowledged, and the streams recover', async () => {
    const servers = await instances(2);
    const readers = await Promise.all(servers.map((server) => stream(server.base)));
    await eventually(() => servers.every((server) => subscribers(server) === 1));
    const acknowledged = new Set<string>();
    let refused = 0;
    let next = 0;
    let isLoading = true;
    const publisher = async (server: Started): Promise<void> => {
      while (isLoading) {
        const data = `p${next++}`;
        const { status } = await post(server.base, data);
        if (status === 202) acknowledged.add(data);
        else if (status === 503) refused++;
        else assert.fail(`unexpected status ${status}`);
        if (status === 503) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const load = Promise.all(servers.flatMap((server) => [publisher(server), publisher(server)]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.restart();
    await eventually(() => servers.every((server) => (server.app.broker as RedisBroker).health().isUp), 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    isLoading = false;
    await load;
    assert.ok(refused > 0, 'some publishes were refused while Redis was down');
    assert.ok(acknowledged.size > 20, `only ${acknowledged.size} publishes were acknowledged`);
    for (const reader of readers) {
      await reader.waitFor((s) => [...acknowledged].every((data) => s.events.some((e) => e.data === data)), 5000);
      // Within one epoch, ids only go up: no duplicate, no reordering.
      let previous: [string, number, number] = ['', 0, 0];
      for (const event of reader.events) {
        const [epoch, ms, seq] = event.lastEventId.split('-') as [string, string, string];
        const current: [string, number, number] = [epoch, Number(ms), Number(seq)];
        if (epoch === previous[0]) assert.ok(current[1] > previous[1] || (current[1] === previous[1] && current[2] > previous[2]), 'ids increase');
        previous = current;
      }
      assert.equal(new Set(reader.events.map((e) => e.lastEventId)).size, reader.events.length);
    }
  });
});

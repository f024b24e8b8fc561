import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { createSseServer, internalsOf, shutdownRetryMs } from './app.js';
import { readSomaxconn } from './limits/backlog.js';
import { NAMED_EVENT_TYPES } from './recipes/named.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropBeforeFirstEvent, eventually, exactAfterEarlyDrop, publish, rawExchange, startServer, type Started, feedChannel } from './testing/harness.js';
import { openStream } from './testing/sse-client.js';

const STREAM_PATHS = ['/events', '/time', '/named', '/feed'];

describe('reference server routes', () => {
  let s: Started;
  before(async () => {
    s = await startServer({ recipeIntervalMs: 50, retryMs: 1000 });
  });
  after(() => s.app.close());

  for (const path of STREAM_PATHS) {
    it(`GET ${path} answers 200 with the event-stream headers and a retry hint first`, async () => {
      const text = await rawExchange(s.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, { until: (t) => t.includes('retry: ') && t.endsWith('\n\r\n') });
      const [head, body] = text.split('\r\n\r\n') as [string, string];
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\ncontent-type: text\/event-stream; charset=utf-8\r\n/);
      assert.match(head, /\r\ncache-control: no-cache, no-transform\r\n/);
      assert.match(head, /\r\nx-accel-buffering: no\r\n/);
      assert.match(head, /\r\nconnection: keep-alive\r\n/);
      assert.doesNotMatch(head, /content-length/i);
      // The chunked body's first chunk is the jittered retry hint: 1000 ms ± 20 %.
      const retry = Number(/retry: (\d+)\n\n/.exec(body)?.[1]);
      assert.ok(retry >= 800 && retry <= 1200, `retry ${retry}`);
    });

    it(`HEAD ${path} answers the headers and ends at once`, async () => {
      const text = await rawExchange(s.port, `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(text, /content-type: text\/event-stream; charset=utf-8/);
      assert.ok(text.endsWith('\r\n\r\n'), 'no body');
    });

    it(`POST ${path} is 405 with Allow`, async () => {
      const res = await fetch(s.base + path, { method: 'POST' });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
      await res.body?.cancel();
    });
  }

  it('GET /events sends data: hello over and over', async () => {
    const stream = await openStream(`${s.base}/events`);
    await stream.waitFor((t) => t.events.length >= 2);
    stream.close();
    assert.match(stream.raw(), /^retry: \d+\n\ndata: hello\n\ndata: hello\n\n/);
  });

  it('GET /time sends the current time at once, then again', async () => {
    const stream = await openStream(`${s.base}/time`);
    await stream.waitFor((t) => t.events.length >= 2);
    stream.close();
    for (const event of stream.events) {
      assert.match(event.data, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(event.data) - Date.now()) < 5000);
    }
  });

  it('GET /named sends each event type in turn', async () => {
    const stream = await openStream(`${s.base}/named`);
    await stream.waitFor((t) => t.events.length >= 3);
    stream.close();
    assert.deepEqual(stream.events.slice(0, 3).map((e) => e.type), [...NAMED_EVENT_TYPES]);
    assert.match(stream.raw(), /event: greeting\ndata: greeting 0\n\n/);
    assert.deepEqual(Object.keys(JSON.parse(stream.events[2]?.data ?? '{}') as object), ['uptimeSeconds']);
  });

  it('GET /health is ok, GET / is the demo page, GET /metrics is Prometheus text', async () => {
    const health = await fetch(`${s.base}/health`);
    assert.equal(await health.text(), 'ok\n');
    const page = await fetch(`${s.base}/`);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await page.text();
    for (const path of ['/time', '/named', '/feed', '/publish']) assert.ok(html.includes(`'${path}`) || html.includes(path), path);
    assert.match(html, /new EventSource/);
    const metrics = await fetch(`${s.base}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    assert.match(text, /# TYPE sse_open_streams gauge\nsse_open_streams \d+\n/);
    assert.doesNotMatch(text, /sse_history_up/, 'no history store to watch on the plain in-memory channel');
    const head = await fetch(`${s.base}/health`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const post = await fetch(`${s.base}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
    await post.body?.cancel();
  });

  it('unknown paths are 404, GET /publish is 405', async () => {
    const missing = await fetch(`${s.base}/nope?x=1`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 'not_found', message: 'No route for /nope.' } });
    const get = await fetch(`${s.base}/publish`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    await get.body?.cancel();
  });

  it('a stream request with a body is 400 at once, so requestTimeout cannot kill a stream later', async () => {
    const text = await rawExchange(s.port, 'GET /feed HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n', { until: (t) => t.includes('}') });
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /body_not_allowed/);
  });

  it('serves any Accept value', async () => {
    for (const accept of ['*/*', 'application/json', 'text/html;q=0.1', '']) {
      const text = await rawExchange(s.port, `GET /feed HTTP/1.1\r\nHost: x\r\nAccept: ${accept}\r\n\r\n`, { until: (t) => t.includes('retry:') });
      assert.match(text, /^HTTP\/1\.1 200 OK/, accept);
    }
  });
});

describe('createSseServer options', () => {
  it('refuses options out of range with a sentence naming the option', () => {
    assert.throws(() => createSseServer({ retryMs: -1 }), /retryMs must be an integer of at least 0/);
    assert.throws(() => createSseServer({ maxPendingBytes: 0 }), /maxPendingBytes must be an integer of at least 1/);
    assert.throws(() => createSseServer({ maxPerClient: 0 }), /maxPerClient/);
  });

  it('rejects listen() when the port is taken', async () => {
    const first = await startServer();
    const second = createSseServer({ port: first.port, host: '127.0.0.1', tickMs: 0 });
    await assert.rejects(second.listen(), { code: 'EADDRINUSE' });
    await first.app.close();
  });

  it('the ticker publishes into /feed', async () => {
    const s = await startServer({ tickMs: 20 });
    const stream = await openStream(`${s.base}/feed`);
    await stream.waitFor((t) => t.events.length >= 2);
    stream.close();
    await s.app.close();
    const tick = JSON.parse(stream.events[0]?.data ?? '{}') as { tick: number; time: string };
    assert.equal(typeof tick.tick, 'number');
    assert.match(stream.events[0]?.lastEventId ?? '', /^[0-9a-f]{12}-\d+$/);
  });
});

describe('/feed: a client that drops before its first event misses nothing', () => {
  for (const store of ['memory', 'file'] as const) {
    it(`with the history in ${store}`, async () => {
      const directory = mkdtempSync(join(tmpdir(), 'sse-cursor-'));
      const s = await startServer(store === 'file' ? { historyFile: join(directory, 'history.log') } : {});
      try {
        const { cursor, received } = await dropBeforeFirstEvent(`${s.base}/feed`, (data) => publish(s.base, { data }));
        // Nothing published yet: the cursor names the epoch's start.
        assert.equal(cursor, `${feedChannel(s.app).epoch}-0`);
        assert.deepEqual(received, exactAfterEarlyDrop());
      } finally {
        await s.app.close();
        rmSync(directory, { recursive: true, force: true });
      }
    });
  }

  it('names the head when there is one', async () => {
    const s = await startServer();
    try {
      for (const data of ['one', 'two']) feedChannel(s.app).publish({ data });
      const stream = await openStream(`${s.base}/feed`);
      await stream.waitFor((t) => t.lastEventId() !== '');
      stream.close();
      assert.match(stream.raw(), new RegExp(`^retry: \\d+\n\nid: ${feedChannel(s.app).epoch}-2\n\n$`));
      assert.deepEqual(stream.events, []);
    } finally {
      await s.app.close();
    }
  });
});

describe('disconnect cleanup', () => {
  it('leaves no stream, subscriber, slot, heartbeat or timer behind after 1,000 connect/disconnect cycles', async () => {
    const s = await startServer({ heartbeatMs: 1000, recipeIntervalMs: 1000, maxPerClient: 100 });
    after(() => s.app.close());
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const paths = ['/feed', '/time', '/events', '/named'];
    let done = 0;
    const worker = async (): Promise<void> => {
      while (done < 1000) {
        const n = done++;
        const stream = await openStream(`${s.base}${paths[n % paths.length] ?? '/feed'}`);
        // Half leave right after the headers, half after the first bytes of the body.
        if (n % 2 === 1) await stream.waitFor((t) => t.retries.length > 0);
        stream.close();
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    await eventually(() => s.app.metrics().openStreams === 0, 5000, 'all streams closed');
    assert.equal(feedChannel(s.app).stats.subscribers, 0);
    assert.equal(internalsOf(s.app).limiter.open, 0);
    assert.equal(internalsOf(s.app).heartbeat.size, 0);
    assert.equal(internalsOf(s.app).heartbeat.isRunning, false);
    assert.equal(s.app.metrics().streamsOpened, 1000);
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    assert.ok(timersAfter <= timersBefore, `timers before ${timersBefore}, after ${timersAfter}`);
  });
});

describe('listen backlog', () => {
  /** The backlog the kernel holds for the socket listening on `port`: `ss` prints it as Send-Q of a LISTEN socket. */
  function kernelBacklog(port: number): number {
    const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
    const sendQ = line.split(/\s+/)[2];
    assert.ok(sendQ !== undefined && /^\d+$/.test(sendQ), `ss printed ${JSON.stringify(line)}`);
    return Number(sendQ);
  }

  it('listens with the backlog option, and with 4096 (or the kernel cap) by default', async () => {
    const small = await startServer({ backlog: 7 });
    const standard = await startServer({});
    try {
      assert.equal(kernelBacklog(small.port), 7);
      assert.equal(kernelBacklog(standard.port), Math.min(4096, readSomaxconn() ?? 4096));
    } finally {
      await Promise.all([small.app.close(), standard.app.close()]);
    }
  });

  it('checks backlog like every count option', () => {
    assert.throws(() => createSseServer({ backlog: 0 }), /backlog must be an integer of at least 1/);
  });
});

describe('graceful shutdown', () => {
  it('tells every stream when to come back, ends it, stops accepting, and refuses publishes', async () => {
    // A hint whose shortest draw (1600 ms) already outlasts the grace plus a restart's second.
    const s = await startServer({ retryMs: 2000, shutdownGraceMs: 200, recipeIntervalMs: 1000 });
    const streams = await Promise.all(['/feed', '/time', '/events', '/named', '/feed'].map((p) => openStream(s.base + p)));
    await Promise.all(streams.map((stream) => stream.waitFor((t) => t.retries.length === 1)));
    await s.app.close();
    await Promise.all(streams.map((stream) => stream.ended));
    for (const stream of streams) {
      assert.equal(stream.retries.length, 2, stream.raw());
      assert.ok((stream.retries[1] ?? 0) >= 1600 && (stream.retries[1] ?? 0) <= 2400);
      assert.match(stream.raw(), /retry: \d+\n\n$/);
    }
    await assert.rejects(fetch(`${s.base}/health`));
    assert.throws(() => feedChannel(s.app).publish({ data: 'late' }), { code: 'SSE_ERR_CLOSED' });
    await s.app.close();
  });

  it('raises the shutdown hint so that no client returns before a restarted server listens', async () => {
    assert.equal(shutdownRetryMs({ retryMs: 3000, shutdownGraceMs: 2000 }), 3750);
    assert.equal(shutdownRetryMs({ retryMs: 5000, shutdownGraceMs: 2000 }), 5000);
    const s = await startServer({ retryMs: 1000, shutdownGraceMs: 2000 });
    const stream = await openStream(`${s.base}/feed`);
    await stream.waitFor((t) => t.retries.length === 1);
    await s.app.close();
    await stream.ended;
    const hint = stream.retries[1] ?? 0;
    // (2000 + 1000) / 0.8 = 3750, jittered ±20 %: the shortest draw is the grace plus a second.
    assert.ok(hint >= 3000 && hint <= 4500, `shutdown hint ${hint}`);
  });

  it('writes the fan-out slices not yet written before it ends the streams', async () => {
    const s = await startServer({ fanOutSlice: 1 });
    const streams = await Promise.all(Array.from({ length: 6 }, () => openStream(`${s.base}/feed`)));
    await Promise.all(streams.map((stream) => stream.waitFor((t) => t.retries.length === 1)));
    assert.equal((await publish(s.base, { data: 'one' })).status, 202);
    // Published in the same turn as the close starts: one slice out, five to go, and 'two' waiting.
    feedChannel(s.app).publish({ data: 'two' });
    await s.app.close();
    await Promise.all(streams.map((stream) => stream.ended));
    for (const stream of streams) {
      assert.deepEqual(stream.events.map((e) => e.data), ['one', 'two']);
      assert.match(stream.raw(), /data: two\n\nretry: \d+\n\n$/);
    }
  });

  it('destroys streams that do not end within the grace period', async () => {
    const s = await startServer({ shutdownGraceMs: 100 });
    const socket = await new Promise<Socket>((resolve) => {
      const conn = connect(s.port, '127.0.0.1', () => resolve(conn));
    });
    // A keep-alive connection mid-request (headers not finished) is neither idle nor a stream.
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const closed = new Promise((resolve) => socket.on('close', resolve));
    // Destroyed mid-request, the connection may end with a reset (Node 26 sends one): either way it closes.
    socket.on('error', () => {});
    const started = Date.now();
    await s.app.close();
    await closed;
    assert.ok(Date.now() - started < 2000);
  });
});

describe('event size limit', () => {
  it('refuses a 1 MiB publish by default and takes it with a larger maxEventBytes', async () => {
    const data = 'x'.repeat(1024 * 1024);
    const small = await startServer({ maxBodyBytes: 2 * 1024 * 1024 });
    const big = await startServer({ maxBodyBytes: 2 * 1024 * 1024, maxEventBytes: 2 * 1024 * 1024 });
    try {
      const refused = await publish(small.base, { data });
      assert.equal(refused.status, 413);
      assert.equal((refused.json as { error: { code: string } }).error.code, 'SSE_ERR_EVENT_TOO_LARGE');
      assert.equal(feedChannel(small.app).history.head, 0);
      const stream = await openStream(`${big.base}/feed`);
      const taken = await publish(big.base, { data });
      assert.equal(taken.status, 202);
      await stream.waitFor((t) => t.events.length === 1);
      stream.close();
      assert.equal(stream.events[0]?.data, data);
    } finally {
      await Promise.all([small.app.close(), big.app.close()]);
    }
  });

  it('checks maxEventBytes like every size option', () => {
    assert.throws(() => createSseServer({ maxEventBytes: 0 }), /maxEventBytes must be an integer of at least 1/);
  });
});

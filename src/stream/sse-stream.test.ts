import assert from 'node:assert/strict';
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createParser, type ParsedEvent } from '../protocol/parse.js';
import { eventually, startServer, feedChannel } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';
import { Heartbeat, heartbeatOf } from './heartbeat.js';
import { SseStream, type CloseReason } from './sse-stream.js';

/** A bare node:http server whose every request becomes an SseStream handed to `onStream`. */
async function bareServer(onStream: (stream: SseStream) => void, heartbeat?: Heartbeat): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => onStream(new SseStream(req, res, { retryMs: 1000, heartbeat })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('SseStream', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('starts every stream with its own jittered retry hint, though each distinct one is encoded once', async () => {
    const { server, url } = await bareServer(() => {});
    servers.push(server);
    const retries = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const client = await openStream(url);
      await client.waitFor((t) => t.raw().includes('retry: '), 2000);
      const retry = Number(/^retry: (\d+)\n\n/.exec(client.raw())?.[1]);
      assert.ok(retry >= 800 && retry <= 1200, `retry ${retry}`);
      retries.add(retry);
      client.close();
    }
    // 20 draws from 401 values: all equal would mean the shared chunks froze the jitter.
    assert.ok(retries.size > 1, `retries ${[...retries].join(', ')}`);
  });

  it('writes heartbeat comments to an idle stream, and none while events flow', async () => {
    const heartbeat = new Heartbeat(100);
    let stream: SseStream | undefined;
    const { server, url } = await bareServer((s) => (stream = s), heartbeat);
    servers.push(server);
    const client = await openStream(url);
    await client.waitFor((t) => t.comments.length >= 2, 2000);
    const comments = client.comments.length;
    const timer = setInterval(() => stream?.send({ data: 'busy' }), 10);
    await client.waitFor((t) => t.events.length >= 20, 2000);
    clearInterval(timer);
    assert.equal(client.comments.length, comments);
    assert.match(client.raw(), /^retry: \d+\n\n: heartbeat\n\n/);
    client.close();
    await eventually(() => heartbeat.size === 0 && !heartbeat.isRunning, 2000, 'heartbeat released');
  });

  it('beats by default every 15 s (one timer shared by every stream of that interval); a number sets the interval, 0 none', async () => {
    const made: SseStream[] = [];
    const server = createServer((req, res) => {
      const heartbeat = new URL(req.url ?? '/', 'http://x').searchParams.get('heartbeat');
      made.push(new SseStream(req, res, heartbeat === null ? {} : { heartbeat: Number(heartbeat) }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const fifteen = heartbeatOf(undefined) as Heartbeat;
    assert.equal(fifteen.intervalMs, 15_000);
    assert.equal(heartbeatOf(15_000), fifteen);
    assert.equal(heartbeatOf(0), undefined);
    const byDefault = await openStream(url);
    const quick = await openStream(`${url}?heartbeat=60`);
    const none = await openStream(`${url}?heartbeat=0`);
    await eventually(() => made.length === 3);
    assert.equal(fifteen.size, 1);
    await quick.waitFor((t) => t.comments.length >= 2, 2000);
    assert.deepEqual([byDefault.comments, none.comments], [[], []]);
    for (const client of [byDefault, quick, none]) client.close();
    await eventually(() => fifteen.size === 0 && !fifteen.isRunning, 2000, 'the shared heartbeat released');
    assert.throws(() => heartbeatOf(-1), /heartbeat must be an integer of at least 0/);
  });

  it('takes Node\'s OutgoingHttpHeaders as extra headers (numbers, arrays; an undefined one is left out)', async () => {
    const server = createServer((req, res) => {
      const headers: OutgoingHttpHeaders = { 'x-count': 2, 'set-cookie': ['a=1', 'b=2'], 'x-gone': undefined, 'access-control-allow-origin': 'https://app.example' };
      new SseStream(req, res, { headers }).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = await openStream(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await client.ended;
    assert.equal(client.headers['x-count'], '2');
    assert.deepEqual(client.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(client.headers['x-gone'], undefined);
    assert.equal(client.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(client.headers['content-type'], 'text/event-stream; charset=utf-8');
  });

  it('answers an HTTP/1.0 request without Connection: keep-alive: its body ends with the connection', async () => {
    const { server, url } = await bareServer((s) => s.end());
    servers.push(server);
    const port = Number(new URL(url).port);
    const old = await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n', () => false);
    assert.match(old, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(old, /keep-alive/i);
    const current = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.endsWith('0\r\n\r\n'));
    assert.match(current, /\r\nconnection: keep-alive\r\n/);
  });

  it('runs its close handlers once, with the reason, and refuses writes after', async () => {
    const reasons: CloseReason[] = [];
    let stream: SseStream | undefined;
    const { server, url } = await bareServer((s) => {
      stream = s;
      s.onClose((reason) => reasons.push(reason));
    });
    servers.push(server);
    const client = await openStream(url);
    await eventually(() => stream !== undefined);
    stream?.end(500);
    await client.ended;
    assert.match(client.raw(), /retry: \d+\n\n$/);
    assert.equal(stream?.isClosed, true);
    assert.equal(stream?.send({ data: 'late' }), false);
    stream?.end();
    const late: CloseReason[] = [];
    stream?.onClose((reason) => late.push(reason));
    assert.deepEqual(reasons, ['server']);
    assert.deepEqual(late, ['server']);
  });

  it('refuses an invalid event without writing any of it', async () => {
    let stream: SseStream | undefined;
    const { server, url } = await bareServer((s) => (stream = s));
    servers.push(server);
    const client = await openStream(url);
    await eventually(() => stream !== undefined);
    assert.throws(() => stream?.send({ data: 'x', id: 'a\nb' }), { code: 'SSE_ERR_ID_HAS_NEWLINE' });
    stream?.send({ data: 'after' });
    await client.waitFor((t) => t.events.length === 1);
    client.close();
    assert.match(client.raw(), /^retry: \d+\n\ndata: after\n\n$/);
  });
});

/** Sends `requests` in one write and resolves with every byte the server sent until it closed or `isDone`. */
function rawExchange(port: number, requests: string, isDone: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(requests));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (part: string) => {
      text += part;
      if (isDone(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('SseStream on the wire (HTTP/1.x)', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  /** Every stream writes an event, an empty chunk, a heartbeat, and ends, all in its first tick. */
  async function scriptedServer(): Promise<number> {
    const heartbeat = new Heartbeat(60_000);
    const { server, url } = await bareServer((stream) => {
      stream.send({ data: 'a' });
      stream.write(Buffer.alloc(0));
      stream.beat();
      stream.end();
    }, heartbeat);
    servers.push(server);
    return Number(new URL(url).port);
  }

  it('frames every write as one chunk, never ends the body on an empty write, and keeps pipelined responses whole and in order', async () => {
    const port = await scriptedServer();
    const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const text = await rawExchange(port, request + request, (t) => t.split('\r\n0\r\n\r\n').length === 3);
    const responses = text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(responses.length, 2);
    for (const response of responses) {
      const split = response.indexOf('\r\n\r\n');
      const head = response.slice(0, split);
      const body = response.slice(split + 4);
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\nTransfer-Encoding: chunked(\r\n|$)/i);
      assert.match(body, /^[0-9a-f]+\r\nretry: \d+\n\n\r\n9\r\ndata: a\n\n\r\nd\r\n: heartbeat\n\n\r\n0\r\n\r\n$/);
    }
  });

  it('writes the body unframed to an HTTP/1.0 client and nothing for HEAD', async () => {
    const port = await scriptedServer();
    const old = await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n', () => false);
    assert.match(old, /\r\n\r\nretry: \d+\n\ndata: a\n\n: heartbeat\n\n$/);
    const head = await rawExchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', () => false);
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
  });
});

/** A client that sends the request and then reads nothing until told to. */
function pausedClient(port: number, path: string) {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  return {
    /** Reads what the kernel kept for it, until the server's end; returns the parsed events. */
    drain(): Promise<ParsedEvent[]> {
      const events: ParsedEvent[] = [];
      const parser = createParser({ onEvent: (e) => events.push(e) });
      let isBody = false;
      let head = '';
      return new Promise((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          // Chunked framing is stripped crudely: the size lines are valid SSE-ignorable junk only
          // between events, so parse the body after removing them.
          if (!isBody) {
            head += chunk.toString('latin1');
            const end = head.indexOf('\r\n\r\n');
            if (end === -1) return;
            isBody = true;
            chunk = Buffer.from(head.slice(end + 4), 'latin1');
          }
          parser.feed(chunk.toString('latin1').replace(/\r\n[0-9a-f]+\r\n/g, ''));
        });
        socket.on('close', () => resolve(events));
        socket.on('error', () => resolve(events));
        socket.resume();
      });
    },
  };
}

describe('slow clients', () => {
  it('cuts a client that stops reading, keeps the fast one whole, and the cut one resumes with no loss', async () => {
    const s = await startServer({ maxPendingBytes: 64 * 1024, historyEvents: 20_000, historyBytes: 256 * 1024 * 1024 });
    after(() => s.app.close());
    const fast = await openStream(`${s.base}/feed`);
    const slow = pausedClient(s.port, '/feed');
    await eventually(() => feedChannel(s.app).stats.subscribers === 2);
    const payload = 'x'.repeat(16 * 1024);
    // Publish in passes until the slow client is cut; bounded at 64 MB.
    for (let pass = 0; pass < 256 && (s.app.metrics().slowCut['slow'] ?? 0) === 0; pass++) {
      for (let i = 0; i < 16; i++) feedChannel(s.app).publish({ data: payload });
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.equal(s.app.metrics().slowCut['slow'], 1);
    const head = feedChannel(s.app).history.head;
    await fast.waitFor((t) => t.events.length === head, 10_000);
    const received = await slow.drain();
    const last = received.at(-1)?.lastEventId ?? '';
    assert.ok(received.length < head, `cut client had ${received.length} of ${head}`);
    const resumed = await openStream(`${s.base}/feed`, { 'last-event-id': last });
    await resumed.waitFor((t) => t.events.length === head - received.length, 10_000);
    resumed.close();
    fast.close();
    const seqs = [...received, ...resumed.events].map((e) => Number(e.lastEventId.split('-')[1]));
    assert.deepEqual(seqs, Array.from({ length: head }, (_, i) => i + 1));
    assert.match(await (await fetch(`${s.base}/metrics`)).text(), /sse_slow_clients_cut_total\{cause="slow"\} 1\n/);
  });

  it('cuts a client whose socket stays backpressured past the stall timeout', async () => {
    const s = await startServer({ maxPendingBytes: 512 * 1024 * 1024, stallTimeoutMs: 300 });
    after(() => s.app.close());
    pausedClient(s.port, '/feed');
    await eventually(() => feedChannel(s.app).stats.subscribers === 1);
    const payload = 'y'.repeat(64 * 1024);
    for (let pass = 0; pass < 200 && (s.app.metrics().slowCut['stalled'] ?? 0) === 0; pass++) {
      if (pass < 100) for (let i = 0; i < 4; i++) feedChannel(s.app).publish({ data: payload });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(s.app.metrics().slowCut['stalled'], 1);
    await eventually(() => s.app.metrics().openStreams === 0);
  });
});

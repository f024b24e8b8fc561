import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { hostileIds, methods, resentOnConnect } from './evidence.js';
import type { ParsedEvent } from './sse-text.js';

/**
 * A stream that ticks every 100 ms and replays from Last-Event-ID. `lenient` places the id as
 * @fastify/sse's README does (an id it cannot find replays everything); otherwise only an id it
 * issued and still holds is resumed from.
 */
async function ticking(lenient: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const history: { id: number; text: string }[] = [];
  const clients = new Set<ServerResponse>();
  const timer = setInterval(() => {
    const id = history.length + 1;
    const text = `id: ${id}\ndata: tick ${id}\n\n`;
    history.push({ id, text });
    for (const res of clients) res.write(text);
  }, 100);
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const last = req.headers['last-event-id'];
    if (typeof last === 'string') {
      const at = lenient ? history.findIndex((e) => e.id === Number.parseInt(last, 10)) : /^\d{1,9}$/.test(last) ? history.findIndex((e) => e.id === Number(last)) : -1;
      if (lenient || at >= 0) for (const e of history.slice(at + 1)) res.write(e.text);
    }
    clients.add(res);
    req.on('close', () => clients.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      clearInterval(timer);
      for (const res of clients) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// The survey's own checks are its second means: each must be able to say fail as well as pass.
describe('hostileIds', () => {
  it('fails SSE-S19 where an id the server cannot place replays its history, and passes a strict server', async () => {
    const [lenient, strict] = await Promise.all([ticking(true), ticking(false)]);
    try {
      const [bad, good] = await Promise.all([hostileIds(lenient.url, []), hostileIds(strict.url, [])]);
      const s19 = (e: typeof bad) => e.opinions.find((o) => o.rule === 'SSE-S19');
      assert.equal(s19(bad)?.verdict, 'fail', bad.summary);
      assert.match(s19(bad)?.why ?? '', /abc → \d+ events in the first 400 ms/);
      assert.equal(bad.verdict, 'defect');
      assert.equal(s19(good)?.verdict, 'pass', good.summary);
      assert.equal(good.verdict, 'ok', good.summary);
    } finally {
      await Promise.all([lenient.close(), strict.close()]);
    }
  });
});

/**
 * A stream for GET; HEAD gets its head. `wedge`: after one HEAD the server answers nobody (a
 * one-process loop). `post`: POST gets 405, the stream (`stream`), or an event stream with one
 * error event that ends at once (`error-event`, as tRPC answers a POST to a subscription).
 */
async function headServer(wedge: boolean, post: '405' | 'stream' | 'error-event' = '405'): Promise<{ url: string; close(): Promise<void> }> {
  let wedged = false;
  const server = createServer((req, res) => {
    if (wedged) return;
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end();
      wedged = wedge;
      return;
    }
    if (req.method === 'POST' && post === 'error-event') {
      res.writeHead(200, { 'content-type': 'text/event-stream', allow: 'GET' }).end('event: serialized-error\ndata: {"httpStatus":405}\n\n');
      return;
    }
    if (req.method !== 'GET' && !(req.method === 'POST' && post === 'stream')) {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: hello\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('methods', () => {
  it('fails SSE-S18 where one HEAD leaves the server answering nobody, and passes a server that still answers', async () => {
    const [wedging, fine] = await Promise.all([headServer(true), headServer(false)]);
    try {
      const [bad, good] = await Promise.all([methods(wedging.url), methods(fine.url)]);
      const s18 = (e: typeof bad) => e.opinions.find((o) => o.rule === 'SSE-S18');
      assert.equal(s18(bad)?.verdict, 'fail', bad.summary);
      assert.match(s18(bad)?.why ?? '', /HEAD → 200 after \d+ ms, no body bytes .*; then a fresh stream → no answer/);
      assert.match(s18(bad)?.cost ?? '', /answering nobody until it is restarted/);
      assert.equal(s18(good)?.verdict, 'pass', good.summary);
      assert.equal(good.opinions.find((o) => o.rule === 'SSE-S21')?.verdict, 'pass');
      assert.equal(good.verdict, 'ok', good.summary);
    } finally {
      await Promise.all([wedging.close(), fine.close()]);
    }
  });
});

describe('methods: POST', () => {
  it('fails SSE-S21 where POST gets an endless stream, and passes an event stream that ends at once (an error event)', async () => {
    const [streaming, erring] = await Promise.all([headServer(false, 'stream'), headServer(false, 'error-event')]);
    try {
      const [bad, good] = await Promise.all([methods(streaming.url), methods(erring.url)]);
      const s21 = (e: typeof bad) => e.opinions.find((o) => o.rule === 'SSE-S21');
      assert.equal(s21(bad)?.verdict, 'fail', bad.summary);
      assert.match(s21(bad)?.why ?? '', /^POST → 200 text\/event-stream, still open after \d+ ms/);
      assert.equal(s21(good)?.verdict, 'pass', good.summary);
      assert.match(s21(good)?.why ?? '', /^POST → 200 text\/event-stream, ended \(complete\) after \d+ ms/);
    } finally {
      await Promise.all([streaming.close(), erring.close()]);
    }
  });
});

describe('resentOnConnect', () => {
  const at = (atMs: number, data = 'tick'): ParsedEvent => ({ type: 'message', data, lastEventId: '', hasOwnId: false, atMs });
  const steady = [600, 1600, 2600].map((t) => at(t, `tick ${t}`));

  it('fails SSE-M16 when others connecting make an open stream get its old events again', () => {
    const again = [3010, 3012, 3014, 3020, 3022].map((t, i) => at(t, `tick ${[600, 1600, 2600, 600, 1600][i]}`));
    const seen = resentOnConnect([...steady, ...again, at(3600, 'tick 3600')], 0);
    assert.equal(seen?.verdict, 'defect');
    assert.equal(seen?.opinions[0]?.rule, 'SSE-M16');
    assert.equal(seen?.opinions[0]?.verdict, 'fail');
  });

  it('passes new events others cause (a log line per request) and a stream at its own pace; says nothing of an empty one', () => {
    const logLines = [3010, 3012, 3014, 3020, 3022, 3024].map((t) => at(t, `[trace] GET /events ${t}`));
    assert.equal(resentOnConnect([...steady, ...logLines], 0)?.verdict, 'ok');
    assert.equal(resentOnConnect([...steady, at(3600, 'tick 3600')], 0)?.verdict, 'ok');
    assert.equal(resentOnConnect([], 0), undefined);
  });
});

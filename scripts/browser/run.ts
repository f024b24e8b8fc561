#!/usr/bin/env node
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSseServer, type SseServer } from 'sse-reference';
import { eventually, makeCertificate, feedChannel } from 'sse-reference/testing';
import { keepOpen } from '../client/keep-open.js';
import { ROOT } from '../paths.js';
import { Chromium, Page } from './cdp.js';
// The client's cases (sse-reference/client on the browser's EventSource) run in the same process.
import './client-cases.js';
// So do the cases of the cursor every stream starts with (Chromium and the eventsource package).
import './cursor-cases.js';

// `npm run test:browser`: the demo page in a real headless Chromium, as its own EventSource sees
// the reference server. Bounded: the whole run has 60 s, and everything started is stopped.

/** What the demo page records for each event (see `window.received` in src/recipes/demo-page.ts). */
interface Received {
  readonly type: string;
  readonly data: string;
  readonly id: string;
}

type Streams = Record<'time' | 'named' | 'feed', Received[]>;

/** Stream requests the server saw, in order. */
interface SeenRequest {
  readonly path: string;
  readonly lastEventId: string | undefined;
  readonly socket: Socket;
}

// Counts every open and error event of every EventSource the page makes, from before the page's
// own script runs, so a refusal that happens during page load is not missed.
const INSTRUMENT = `
  window.sourceLog = [];
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      const path = new URL(url, location.href).pathname;
      this.addEventListener('open', () => window.sourceLog.push({ path, kind: 'open' }));
      this.addEventListener('error', () => window.sourceLog.push({ path, kind: 'error', readyState: this.readyState }));
    }
  };
`;

// A last resort if something hangs outside node:test's own timeout: never leave a browser behind.
const watchdog = setTimeout(() => {
  process.stderr.write('browser test: over 70 s, stopping\n');
  if (running !== undefined && running.pid !== undefined) process.kill(running.pid, 'SIGKILL');
  process.exit(1);
}, 70_000);
watchdog.unref();
let running: Chromium | undefined;

const MULTI_LINE = 'first line\nsecond line\n\n  indented after an empty line\n';
const STREAMS = 3;

describe('the demo page in headless Chromium', { timeout: 60_000 }, () => {
  let app: SseServer;
  let origin: string;
  let browser: Chromium | undefined;
  let page: Page;
  const seen: SeenRequest[] = [];
  let blocker: IncomingMessage | undefined;

  /** Polls the page until `predicate` holds on what it received. */
  async function waitForPage(what: string, predicate: string, timeoutMs = 8000): Promise<void> {
    await eventually(() => page.evaluate<boolean>(`(() => { const r = window.received; return Boolean(${predicate}); })()`), timeoutMs, what, 50).catch(async (error: Error) => {
      const state = await page.evaluate<unknown>('({ received: window.received, log: window.sourceLog })');
      throw new Error(`${error.message}; the page has ${JSON.stringify(state).slice(0, 1500)}`);
    });
  }

  const received = (): Promise<Streams> => page.evaluate<Streams>('window.received');

  before(async () => {
    // The cap leaves room for the page's three streams only; one slot is taken first by a plain
    // client, so one of the page's streams is refused until that slot is given back.
    app = createSseServer({ port: 0, maxConnections: STREAMS, retryMs: 500, tickMs: 250, recipeIntervalMs: 300, heartbeatMs: 5000, publishLocal: true });
    app.server.on('request', (req: IncomingMessage) => {
      const path = (req.url ?? '/').split('?', 1)[0] as string;
      if (['/time', '/named', '/feed'].includes(path)) {
        const lastEventId = req.headers['last-event-id'];
        seen.push({ path, lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined, socket: req.socket });
      }
    });
    const { port } = await app.listen();
    origin = `http://127.0.0.1:${port}`;
    blocker = await new Promise<IncomingMessage>((resolve, reject) => {
      request(`${origin}/events`, { agent: false }, resolve).on('error', reject).end();
    });
    blocker.on('error', () => {});
    browser = await Chromium.launch();
    running = browser;
    page = await Page.open(browser, 1200, 580);
    await page.addInitScript(INSTRUMENT);
  });

  after(async () => {
    blocker?.destroy();
    await browser?.close();
    await app?.close();
  });

  it('is refused by the connection cap, retries on its own, and is then served', async () => {
    await page.goto(`${origin}/`);
    const refusedOne = async (): Promise<boolean> => (app.metrics().refused['global'] ?? 0) > 0 && (await page.evaluate<boolean>("window.sourceLog.some((e) => e.kind === 'error')"));
    await eventually(refusedOne, 5000, 'a refused stream the browser noticed', 50);
    const log = await page.evaluate<{ path: string; kind: string; readyState?: number }[]>('window.sourceLog');
    const refused = log.find((entry) => entry.kind === 'error');
    assert.ok(refused !== undefined, `the browser saw no error event: ${JSON.stringify(log)}`);
    // CONNECTING (0), not CLOSED (2): the browser will try again rather than give up.
    assert.equal(refused.readyState, 0);
    // The refusal is a valid, short stream: the browser announced it (open) before the end of the
    // body made it reconnect (error). Chapter 2 says so.
    assert.deepEqual(log.filter((entry) => entry.path === refused.path).slice(0, 2).map((entry) => entry.kind), ['open', 'error']);
    blocker?.destroy();
    await waitForPage('all three streams served', 'r.time.length > 0 && r.named.length > 0 && r.feed.length > 0');
    const retries = seen.filter((request) => request.path === refused.path);
    assert.ok(retries.length >= 2, `${refused.path} was requested ${retries.length} time(s)`);
  });

  it('receives /time events through onmessage', async () => {
    await waitForPage('two clock readings', 'r.time.length >= 2');
    for (const event of (await received()).time) {
      assert.equal(event.type, 'message');
      assert.match(event.data, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('receives each /named event type through its own addEventListener', async () => {
    await waitForPage('greeting, tick and status', "['greeting', 'tick', 'status'].every((t) => r.named.some((e) => e.type === t))");
    const { named } = await received();
    assert.ok(named.every((event) => ['greeting', 'tick', 'status'].includes(event.type)), JSON.stringify(named));
    const status = named.find((event) => event.type === 'status') as Received;
    assert.equal(typeof (JSON.parse(status.data) as { uptimeSeconds: unknown }).uptimeSeconds, 'number');
  });

  it('receives /feed events with ids of the form <epoch>-<seq>', async () => {
    await waitForPage('two feed events', 'r.feed.length >= 2');
    for (const event of (await received()).feed) assert.match(event.id, new RegExp(`^${feedChannel(app).epoch}-\\d+$`));
  });

  it('reconnects with Last-Event-ID after the server drops the connection and misses nothing', async () => {
    const before = (await received()).feed;
    const lastId = (before.at(-1) as Received).id;
    const feedSockets = seen.filter((request) => request.path === '/feed');
    (feedSockets.at(-1) as SeenRequest).socket.destroy();
    const dropped = seen.length;
    // Events published while the browser is away must come back from the replay buffer.
    await waitForPage('events after the drop', `r.feed.length >= ${before.length + 4}`);
    const resumed = seen.slice(dropped).find((request) => request.path === '/feed');
    assert.equal(resumed?.lastEventId, lastId, 'the reconnect did not carry the last id the browser saw');
    const { feed } = await received();
    assert.deepEqual(feed.filter((event) => event.type === 'reset'), []);
    const seqs = feed.map((event) => Number(event.id.split('-')[1]));
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1] as number) + 1, `gap or duplicate in ${seqs.join(',')}`);
    assert.ok(app.metrics().resumed >= 1);
  });

  it('delivers a multi-line message published from the page intact', async () => {
    await page.evaluate(`(() => {
      document.getElementById('publish-event').value = 'note';
      document.getElementById('publish-data').value = ${JSON.stringify(MULTI_LINE)};
      document.getElementById('publish').requestSubmit();
    })()`);
    await waitForPage('the published note', "r.feed.some((e) => e.type === 'note')");
    const note = (await received()).feed.find((event) => event.type === 'note') as Received;
    assert.equal(note.data, MULTI_LINE);
    await waitForPage('the publish answer', "document.getElementById('publish-result').textContent.startsWith('202')");
  });

  it('saves a screenshot of the demo page to docs/img/demo.png', async () => {
    await page.evaluate("document.getElementById('publish-data').value = 'first line\\nsecond line'");
    await new Promise((resolve) => setTimeout(resolve, 600));
    const png = await page.screenshot();
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    await mkdir(join(ROOT, 'docs/img'), { recursive: true });
    await writeFile(join(ROOT, 'docs/img/demo.png'), png);
  });
});

// Ten EventSources in one page, each recording whether it opened and what it received.
const OPEN_TEN = `(() => {
  window.ten = Array.from({ length: 10 }, (_, i) => {
    const entry = { source: new EventSource('/feed?stream=' + i), open: false, data: [] };
    entry.source.onopen = () => { entry.open = true; };
    entry.source.onmessage = (event) => entry.data.push(event.data);
    return entry;
  });
})()`;
const COUNT_TEN = `(() => ({
  open: window.ten.filter((e) => e.open).length,
  got: window.ten.filter((e) => e.data.includes('to every stream')).length,
}))()`;

// Draws what the ten EventSources see, for the screenshots in chapter 15.
const DRAW_TEN = (title: string): string => `(() => {
  const rows = window.ten.map((e, i) => {
    const open = e.source.readyState === EventSource.OPEN;
    const got = e.data.includes('to every stream');
    return '<tr><td>EventSource ' + (i + 1) + '</td><td class="' + (open ? 'open' : 'wait') + '">' +
      (open ? 'OPEN' : 'CONNECTING (queued by the browser)') + '</td><td>' + (got ? 'got the event' : '') + '</td></tr>';
  }).join('');
  document.body.innerHTML = '<style>body{font:15px system-ui,sans-serif;margin:16px;overflow:hidden}h1{font-size:17px;margin:0 0 10px}' +
    'td{padding:3px 14px 3px 0;white-space:nowrap}.open{color:#0a7d32;font-weight:600}.wait{color:#b3261e;font-weight:600}</style>' +
    '<h1>' + ${JSON.stringify(title)} + '</h1><table>' + rows + '</table>';
})()`;

describe('ten streams in one page: the six-connection trap, and HTTP/2', { timeout: 60_000 }, () => {
  let browser: Chromium | undefined;
  const apps: SseServer[] = [];

  before(async () => {
    // The certificate is a throwaway one made for this run: only this test browser trusts it.
    browser = await Chromium.launch(['--ignore-certificate-errors']);
    running = browser;
  });

  after(async () => {
    await browser?.close();
    await Promise.all(apps.map((app) => app.close()));
  });

  async function tenStreams(app: SseServer, origin: string, shot: { readonly title: string; readonly file: string }): Promise<{ open: number; got: number }> {
    apps.push(app);
    const page = await Page.open(browser as Chromium, 660, 330);
    await page.goto(`${origin}/health`);
    await page.evaluate(OPEN_TEN);
    const deadline = Date.now() + 8000;
    // Give every stream that can open the time to do so, then publish once to all of them.
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const { open } = await page.evaluate<{ open: number }>(COUNT_TEN);
      if (open !== last) stableSince = Date.now();
      last = open;
      if (open === 10 || (open > 0 && Date.now() - stableSince > 1500) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    feedChannel(app).publish({ data: 'to every stream' });
    const settle = Date.now() + 1500;
    let counts = await page.evaluate<{ open: number; got: number }>(COUNT_TEN);
    while (counts.got < counts.open && Date.now() < settle) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      counts = await page.evaluate<{ open: number; got: number }>(COUNT_TEN);
    }
    await page.evaluate(DRAW_TEN(shot.title));
    await writeFile(join(ROOT, 'docs/img', shot.file), await page.screenshot());
    await page.evaluate('window.ten.forEach((e) => e.source.close())');
    return counts;
  }

  it('over HTTP/1.1 only six of ten streams open: the seventh waits for a free connection', async () => {
    const app = createSseServer({ port: 0, tickMs: 0, maxPerClient: 50 });
    const { port } = await app.listen();
    const counts = await tenStreams(app, `http://127.0.0.1:${port}`, { title: 'Ten streams over HTTP/1.1: six connections', file: 'ten-streams-http1.png' });
    assert.deepEqual(counts, { open: 6, got: 6 });
  });

  it('over HTTP/2 all ten streams open on one connection and receive the same event', async () => {
    const app = createSseServer({ port: 0, tickMs: 0, maxPerClient: 50, tls: makeCertificate() });
    const versions: string[] = [];
    app.server.on('request', (req: IncomingMessage) => versions.push(req.httpVersion));
    const { port } = await app.listen();
    const counts = await tenStreams(app, `https://127.0.0.1:${port}`, { title: 'Ten streams over HTTP/2: one connection', file: 'ten-streams-http2.png' });
    assert.deepEqual(counts, { open: 10, got: 10 });
    assert.ok(versions.length >= 11 && versions.every((version) => version === '2.0'), versions.join(','));
  });
});

/** One request a page made to the small servers below. */
interface Hit {
  readonly method: string;
  readonly url: string;
  readonly lastEventId: string | undefined;
}

/** A node:http server on a free loopback port that records every request and answers with `answer`. */
async function smallServer(answer: (req: IncomingMessage, res: ServerResponse, hits: readonly Hit[]) => void): Promise<{ server: Server; port: number; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const lastEventId = req.headers['last-event-id'];
    hits.push({ method: req.method ?? '', url: req.url ?? '', lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined });
    answer(req, res, hits);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, hits };
}

const STREAM_HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as const;
// Past 128 bytes and with characters outside the CORS-safe set: under the pending Fetch proposal a
// fetch() would still be preflighted for it.
const LONG_ID = `${'x'.repeat(150)}"{}`;

// What chapter 16 draws: each request the page's EventSource objects made, and what they saw.
const DRAW_CLIENT = (rows: readonly (readonly [string, string, string])[]): string => `(() => {
  const rows = ${JSON.stringify(rows)};
  document.body.innerHTML = '<style>body{font:15px system-ui,sans-serif;margin:16px;overflow:hidden}h1{font-size:17px;margin:0 0 10px}' +
    'td{padding:3px 14px 3px 0;white-space:nowrap;vertical-align:top}.CLOSED{color:#b3261e;font-weight:600}.OPEN{color:#0a7d32;font-weight:600}.CONNECTING{color:#8a5a00;font-weight:600}</style>' +
    '<h1>An EventSource that ends CLOSED, and the page that makes a new one</h1><table><tr><th align=left>request</th><th align=left>answer</th><th align=left>what the page saw</th></tr>' +
    rows.map((r) => '<tr><td>' + r[0] + '</td><td>' + r[1] + '</td><td class="' + (r[2].match(/CLOSED|OPEN|CONNECTING/) || [''])[0] + '">' + r[2] + '</td></tr>').join('') + '</table>';
})()`;

describe('what page code sees: open, error, CLOSED, re-creation, CORS', { timeout: 60_000 }, () => {
  let browser: Chromium | undefined;
  const servers: Server[] = [];
  let page: Page;

  before(async () => {
    browser = await Chromium.launch();
    running = browser;
    page = await Page.open(browser, 1140, 190);
  });

  after(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('fires open then error (CONNECTING) when a stream ends, error with CLOSED on a 503, and keepOpen makes a new source that resumes through ?lastEventId=', async () => {
    const { server, port, hits } = await smallServer((req, res, seen) => {
      if (!(req.url ?? '').startsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>client</title><body></body>');
        return;
      }
      const n = seen.filter((hit) => hit.url.startsWith('/stream')).length;
      if (n === 1) res.writeHead(200, STREAM_HEAD).end('retry: 100\nid: 7\ndata: first\n\n');
      else if (n === 2) res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      else res.writeHead(200, STREAM_HEAD).write('data: after the page made a new EventSource\n\n');
    });
    servers.push(server);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.evaluate(`(() => {
      window.seen = [];
      const Native = window.EventSource;
      window.EventSource = class extends Native {
        constructor(url) {
          super(url);
          window.seen.push({ kind: 'new EventSource', url: new URL(url, location.href).pathname + new URL(url, location.href).search });
          this.addEventListener('open', () => window.seen.push({ kind: 'open', readyState: this.readyState }));
          this.addEventListener('error', () => window.seen.push({ kind: 'error', readyState: this.readyState }));
        }
      };
      window.kept = (${keepOpen.toString()})('/stream', [], (event) => window.seen.push({ kind: 'message', data: event.data, id: event.lastEventId }), 100, 1000);
    })()`);
    await eventually(() => page.evaluate<boolean>("window.seen.some((e) => e.kind === 'message' && e.data.startsWith('after'))"), 8000, 'the data after the re-creation', 25);
    const seen = await page.evaluate<{ kind: string; readyState?: number; url?: string; data?: string; id?: string }[]>('window.seen');
    await page.evaluate('window.kept.close()');
    const kinds = seen.map((entry) => (entry.readyState === undefined ? entry.kind : `${entry.kind} ${entry.readyState}`));
    assert.deepEqual(kinds, ['new EventSource', 'open 1', 'message', 'error 0', 'error 2', 'new EventSource', 'open 1', 'message'], JSON.stringify(seen));
    const streams = hits.filter((hit) => hit.url.startsWith('/stream'));
    assert.equal(streams.length, 3);
    // The browser's own reconnect carries the header; the page's new source cannot, so it uses the query.
    assert.equal(streams[1]?.lastEventId, '7');
    assert.deepEqual([streams[2]?.url, streams[2]?.lastEventId], ['/stream?lastEventId=7', undefined]);
    await page.evaluate(
      DRAW_CLIENT([
        ['1. GET /stream', '200, retry: 100, id: 7, data: first, end', 'open (OPEN), message "first", error (CONNECTING)'],
        ['2. GET /stream, Last-Event-ID: 7', '503', 'error (CLOSED): the browser gives up'],
        ['', '', 'the page waits 100 ms ± 20 %, makes a new EventSource'],
        ['3. GET /stream?lastEventId=7', '200, data: after…', 'open (OPEN), message "after…"'],
      ]),
    );
    await writeFile(join(ROOT, 'docs/img/client-closed-and-reopened.png'), await page.screenshot());
  });

  it('after a restart without history, gets one reset (a named event onmessage never sees), whose id moves the cursor so the next reconnect resumes exactly', async () => {
    const feeds: { readonly lastEventId: string | undefined; readonly socket: Socket }[] = [];
    const watch = (app: SseServer): SseServer => {
      app.server.on('request', (req: IncomingMessage) => {
        const header = req.headers['last-event-id'];
        if ((req.url ?? '').startsWith('/feed')) feeds.push({ lastEventId: typeof header === 'string' ? header : undefined, socket: req.socket });
      });
      return app;
    };
    const first = watch(createSseServer({ port: 0, tickMs: 100, retryMs: 300, heartbeatMs: 5000 }));
    const { port } = await first.listen();
    await page.goto(`http://127.0.0.1:${port}/health`);
    await page.evaluate(`(() => {
      window.feed = [];
      const source = new EventSource('/feed');
      source.onmessage = (event) => window.feed.push({ type: 'message', id: event.lastEventId, data: event.data });
      source.addEventListener('reset', (event) => window.feed.push({ type: 'reset', id: event.lastEventId, data: event.data }));
    })()`);
    await eventually(() => page.evaluate<boolean>('window.feed.length >= 3'), 8000, 'ticks from the first server', 25);
    // A restart with no history file: a new epoch, so the ids the page holds mean nothing here.
    await first.close();
    const second = watch(createSseServer({ port, tickMs: 0, retryMs: 300, heartbeatMs: 5000 }));
    await second.listen();
    try {
      await eventually(() => page.evaluate<boolean>("window.feed.some((e) => e.type === 'reset')"), 8000, 'the reset', 25);
      const reset = (await page.evaluate<{ type: string; id: string; data: string }[]>('window.feed')).find((e) => e.type === 'reset');
      assert.equal((JSON.parse(reset?.data ?? '{}') as { reason?: string }).reason, 'epoch');
      assert.equal(reset?.id, `${feedChannel(second).epoch}-0`);
      // Drop the stream: the browser's reconnect carries the reset's id, and resumes exactly.
      const dropped = feeds.length;
      (feeds.at(-1) as { socket: Socket }).socket.destroy();
      await eventually(() => feeds.length > dropped && second.metrics().openStreams === 1, 8000, 'the reconnect', 25);
      assert.equal(feeds.at(-1)?.lastEventId, `${feedChannel(second).epoch}-0`);
      feedChannel(second).publish({ data: 'after the reset' });
      await eventually(() => page.evaluate<boolean>("window.feed.some((e) => e.data === 'after the reset')"), 8000, 'the event after the reset', 25);
      const feed = await page.evaluate<{ type: string; id: string; data: string }[]>('window.feed');
      assert.equal(feed.filter((e) => e.type === 'reset').length, 1, JSON.stringify(feed));
      assert.equal(feed.at(-1)?.id, `${feedChannel(second).epoch}-1`);
    } finally {
      await second.close();
    }
  });

  it('never preflights an EventSource reconnect, even with a long, unusual Last-Event-ID; preflights a fetch() that sets the header; gives up (CLOSED) on a failed CORS check', async () => {
    const pageOrigin = await smallServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cors</title>'));
    servers.push(pageOrigin.server);
    const origin = `http://127.0.0.1:${pageOrigin.port}`;
    const other = await smallServer((req, res, seen) => {
      const allow = { 'access-control-allow-origin': origin };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...allow, 'access-control-allow-headers': 'last-event-id', 'access-control-allow-methods': 'GET' }).end();
      } else if (req.url === '/long-id') {
        const n = seen.filter((hit) => hit.url === '/long-id').length;
        if (n === 1) res.writeHead(200, { ...STREAM_HEAD, ...allow }).end(`retry: 100\nid: ${LONG_ID}\ndata: x\n\n`);
        else res.writeHead(200, { ...STREAM_HEAD, ...allow }).write('data: y\n\n');
      } else if (req.url === '/no-cors') {
        res.writeHead(200, STREAM_HEAD).end('retry: 100\ndata: z\n\n');
      } else res.writeHead(200, { ...allow, 'content-type': 'text/plain' }).end('ok');
    });
    servers.push(other.server);
    // localhost and 127.0.0.1 are two origins: every request below is cross-origin.
    const target = `http://localhost:${other.port}`;
    await page.goto(`${origin}/`);
    await page.evaluate(`(() => {
      window.long = [];
      const source = new EventSource(${JSON.stringify(`${target}/long-id`)});
      source.onmessage = (event) => { window.long.push(event.data); if (event.data === 'y') source.close(); };
    })()`);
    await eventually(() => page.evaluate<boolean>("window.long.includes('y')"), 8000, 'the reconnect with the long id', 25);
    const reconnect = other.hits.filter((hit) => hit.url === '/long-id')[1];
    assert.equal(reconnect?.lastEventId, LONG_ID);
    assert.deepEqual(other.hits.filter((hit) => hit.method === 'OPTIONS'), [], 'an EventSource sent a preflight');
    await page.evaluate(`fetch(${JSON.stringify(`${target}/resume`)}, { headers: { 'last-event-id': '3f9a0c1b2d4e-1' } }).then((r) => r.text())`);
    assert.deepEqual(other.hits.filter((hit) => hit.method === 'OPTIONS').map((hit) => hit.url), ['/resume'], 'fetch() with Last-Event-ID was not preflighted');
    await page.evaluate(`(() => {
      window.noCors = [];
      const source = new EventSource(${JSON.stringify(`${target}/no-cors`)});
      source.onopen = () => window.noCors.push('open');
      source.onmessage = () => window.noCors.push('message');
      source.onerror = () => window.noCors.push('error ' + source.readyState);
    })()`);
    await eventually(() => page.evaluate<boolean>('window.noCors.length > 0'), 8000, 'the CORS failure', 25);
    // Long enough for three reconnects at retry: 100, had the browser retried.
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.deepEqual(await page.evaluate<string[]>('window.noCors'), ['error 2']);
    assert.equal(other.hits.filter((hit) => hit.url === '/no-cors').length, 1);
  });
});

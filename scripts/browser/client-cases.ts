import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Channel, Heartbeat, type SseStream } from 'sse-reference';
import { eventually } from 'sse-reference/testing';
import { ROOT } from '../paths.js';
import { Chromium, Page } from './cdp.js';

// `sse-reference/client` in headless Chromium, on the browser's own EventSource and fetch(): what
// no Node test can show (Node 20 has no EventSource, no Web Locks, no tabs). Self-contained: its own
// server, browser and pages.

const PAGE = `<!doctype html><meta charset="utf-8"><title>client</title>
<script type="module">
  import { SseClient } from "/dist/client/index.js";
  window.log = { messages: [], resets: [], failures: [], opens: 0 };
  window.start = (path, options) => {
    const client = new SseClient(path, { backoff: { initialMs: 200, maxMs: 1000 }, ...options });
    client.on('message', (m) => window.log.messages.push({ data: m.data, id: m.id }));
    client.on('reset', (m) => window.log.resets.push({ reason: m.reason, id: m.id }));
    client.onError((f) => window.log.failures.push(f));
    client.onOpen(() => window.log.opens++);
    window.client = client;
    return client.url;
  };
  window.ready = true;
</script>`;

interface Log {
  readonly messages: { data: string; id: string }[];
  readonly resets: { reason: string; id: string }[];
  readonly failures: { status?: number; message: string; retryInMs: number | undefined }[];
  readonly opens: number;
}

describe('sse-reference/client in Chromium', { timeout: 60_000 }, () => {
  const channel = new Channel();
  // /beating: a heartbeat comment after 100 ms of quiet, as the reference server sends one after 15 s.
  const heartbeat = new Heartbeat(100);
  const requests: IncomingMessage[] = [];
  const streams: SseStream[] = [];
  let failFirst = 0;
  let server: Server;
  let origin: string;
  let browser: Chromium | undefined;
  let page: Page;

  async function waitFor(what: string, predicate: string, timeoutMs = 8000, on: Page = page): Promise<Log> {
    let log: Log | undefined;
    const holds = async (): Promise<boolean> => {
      const state = await on.evaluate<{ holds: boolean; log: Log }>(`(() => { const log = window.log; return { holds: Boolean(${predicate}), log }; })()`);
      log = state.log;
      return state.holds;
    };
    await eventually(holds, timeoutMs, what, 50).catch((error: Error) => {
      throw new Error(`${error.message}; the page has ${JSON.stringify(log).slice(0, 1500)}`);
    });
    return log as Log;
  }

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
        return;
      }
      if (url.pathname.startsWith('/dist/') && url.pathname.endsWith('.js')) {
        const file = normalize(join(ROOT, url.pathname));
        if (!file.startsWith(join(ROOT, 'dist'))) {
          res.writeHead(404).end();
          return;
        }
        readFile(file).then(
          (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body),
          () => res.writeHead(404).end(),
        );
        return;
      }
      // Only these are streams: a favicon request answered with one would hold one of the six
      // connections Chromium allows per host, for as long as the page lives.
      if (!['/flaky', '/feed', '/beating'].includes(url.pathname)) {
        res.writeHead(404).end();
        return;
      }
      requests.push(req);
      if (url.pathname === '/flaky' && failFirst > 0) {
        failFirst--;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('deploying');
        return;
      }
      // attach reads the header (the browser's own reconnect) over the query (a re-created source).
      streams.push(channel.attach(req, res, { retryMs: 100, ...(url.pathname === '/beating' ? { heartbeat } : {}) }) as SseStream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await Chromium.launch();
    page = await Page.open(browser, 800, 600);
  });

  /** Loads the client's page into `on` and waits for its module. */
  async function load(on: Page): Promise<void> {
    await on.goto(`${origin}/`);
    await on.evaluate<boolean>('new Promise((resolve) => { const wait = () => (window.ready ? resolve(true) : setTimeout(wait, 20)); wait(); })');
  }

  const streamRequests = (from: number, path: string): IncomingMessage[] => requests.slice(from).filter((request) => (request.url ?? '').split('?', 1)[0] === path);

  after(async () => {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('re-creates a source that went CLOSED on a 503, after a jittered backoff, from the cursor', async () => {
    await page.goto(`${origin}/`);
    await page.evaluate<boolean>('new Promise((resolve) => { const wait = () => (window.ready ? resolve(true) : setTimeout(wait, 20)); wait(); })');
    await page.evaluate<string>("window.start('/flaky')");
    await waitFor('the stream to open', 'log.opens === 1');
    channel.publish({ data: 'before' });
    const { messages } = await waitFor('the first event', 'log.messages.length === 1');
    const cursor = (messages[0] as { id: string }).id;
    failFirst = 2;
    const from = requests.length;
    (streams.at(-1) as SseStream).end();
    channel.publish({ data: 'during' });
    const log = await waitFor('the event published while the server refused', 'log.messages.length === 2', 15_000);
    assert.deepEqual(log.messages.map((m) => m.data), ['before', 'during']);
    // The browser's own reconnect carries the header and gets 503: EventSource is CLOSED now.
    // The client then makes new sources, which carry the cursor in the query.
    const retries = requests.slice(from);
    assert.equal(retries[0]?.headers['last-event-id'], cursor);
    for (const request of retries.slice(1)) {
      assert.equal(new URL(request.url ?? '', origin).searchParams.get('lastEventId'), cursor, request.url);
    }
    const delays = log.failures.map((f) => f.retryInMs).filter((ms) => ms !== undefined);
    assert.equal(delays.length, 2, JSON.stringify(log.failures));
    assert.ok((delays[0] as number) >= 100 && (delays[0] as number) <= 200, `first backoff ${delays[0]}`);
    assert.ok((delays[1] as number) >= 200 && (delays[1] as number) <= 400, `second backoff ${delays[1]}`);
    assert.equal(await page.evaluate<string>('window.client.state'), 'open');
    await page.evaluate('window.client.close()');
  });

  it('hands the server\'s reset to the app with its reason, and moves the cursor to the head', async () => {
    await page.goto(`${origin}/`);
    await page.evaluate<boolean>('new Promise((resolve) => { const wait = () => (window.ready ? resolve(true) : setTimeout(wait, 20)); wait(); })');
    await page.evaluate<string>(`window.start('/flaky', { lastEventId: ${JSON.stringify(`${channel.epoch}-999999`)} })`);
    const log = await waitFor('the reset', 'log.resets.length === 1');
    assert.deepEqual(log.resets[0], { reason: 'unknown', id: `${channel.epoch}-${channel.history.head}` });
    assert.equal(await page.evaluate<string>('window.client.lastEventId'), `${channel.epoch}-${channel.history.head}`);
    await page.evaluate('window.client.close()');
  });
  it('with heartbeatMs, reads over fetch and takes a stream that goes silent without closing for dead: a new connection after 2 × heartbeatMs, from the last id', async () => {
    await load(page);
    await page.evaluate<string>("window.start('/beating', { heartbeatMs: 200 })");
    await waitFor('the stream to open', 'log.opens === 1');
    channel.publish({ data: 'before' });
    const { messages } = await waitFor('the first event', 'log.messages.length === 1');
    const cursor = (messages[0] as { id: string }).id;
    const from = requests.length;
    // A dead path: the server goes on writing (the event below, heartbeats) and nothing arrives.
    (streamRequests(0, '/beating').at(-1) as IncomingMessage).socket.cork();
    channel.publish({ data: 'into the dead connection' });
    const log = await waitFor('the event sent into the dead connection, replayed', 'log.messages.length === 2');
    assert.deepEqual(log.messages.map((m) => m.data), ['before', 'into the dead connection']);
    assert.equal(log.failures[0]?.message, 'No byte for 400 ms, twice the heartbeat: the connection is taken for dead.');
    // fetch() sends Last-Event-ID as a header, as EventSource's own reconnect does.
    const retries = streamRequests(from, '/beating');
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.headers['last-event-id'], cursor);
    await page.evaluate('window.client.close()');
  });

  it('with shared, seven tabs read one stream over one connection; when the leader\'s tab closes, another resumes from the last id: every tab gets every event once, in order', async () => {
    const tabs = await Promise.all(Array.from({ length: 7 }, () => Page.open(browser as Chromium, 400, 200)));
    const [leader, ...followers] = tabs as [Page, ...Page[]];
    try {
      for (const tab of tabs) await load(tab);
      await eventually(() => channel.stats.subscribers === 0, 3000, 'the earlier cases\' streams to close');
      const from = requests.length;
      await leader.evaluate<string>("window.start('/feed', { shared: true })");
      await waitFor('the leader\'s stream to open', 'log.opens === 1', 8000, leader);
      for (const tab of followers) await tab.evaluate<string>("window.start('/feed', { shared: true })");
      for (const tab of followers) await waitFor('a follower to learn the stream is open', 'log.opens === 1', 8000, tab);
      // Over HTTP/1.1 seven streams of their own would not even open: Chromium allows six per host.
      assert.equal(channel.stats.subscribers, 1);
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        ids.push(channel.publish({ event: 'message', data: `event ${i}` }).id);
        if (i === 9) await leader.close();
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      for (const tab of followers) {
        const log = await waitFor('every event', `log.messages.length >= ${ids.length}`, 10_000, tab);
        assert.deepEqual(log.messages.map((m) => m.id), ids);
      }
      // Nothing comes twice later either, and one connection is left.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const tab of followers) assert.equal(await tab.evaluate<number>('window.log.messages.length'), ids.length);
      await eventually(() => channel.stats.subscribers === 1, 3000, 'one stream');
      const feeds = streamRequests(from, '/feed');
      assert.equal(feeds.length, 2, 'one connection per leader');
      assert.ok(ids.includes(feeds[1]?.headers['last-event-id'] as string), `the new leader resumed from ${feeds[1]?.headers['last-event-id']}`);
    } finally {
      for (const tab of followers) await tab.close();
    }
  });
});

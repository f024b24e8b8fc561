import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Channel, type SseStream } from 'sse-reference';
import { ROOT } from '../paths.js';
import { Chromium, Page } from './cdp.js';

// `sse-reference/client` in headless Chromium, on the browser's own EventSource: what no Node
// test can show (Node 20 has no EventSource). Self-contained: its own server, browser and page.

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

describe('sse-reference/client on Chromium\'s EventSource', { timeout: 60_000 }, () => {
  const channel = new Channel();
  const requests: IncomingMessage[] = [];
  const streams: SseStream[] = [];
  let failFirst = 0;
  let server: Server;
  let origin: string;
  let browser: Chromium | undefined;
  let page: Page;

  async function waitFor(what: string, predicate: string, timeoutMs = 8000): Promise<Log> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { holds, log } = await page.evaluate<{ holds: boolean; log: Log }>(`(() => { const log = window.log; return { holds: Boolean(${predicate}), log }; })()`);
      if (holds) return log;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the page has ${JSON.stringify(log).slice(0, 1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
      requests.push(req);
      if (url.pathname === '/flaky' && failFirst > 0) {
        failFirst--;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('deploying');
        return;
      }
      // attach reads the header (the browser's own reconnect) over the query (a re-created source).
      streams.push(channel.attach(req, res, { retryMs: 100 }) as SseStream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await Chromium.launch();
    page = await Page.open(browser, 800, 600);
  });

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
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Channel, createSseServer } from 'sse-reference';
import { eventually, feedChannel, serveFetch } from 'sse-reference/testing';
import { EVENTSOURCE_PACKAGE, installEventSource } from '../client/eventsource-package.js';
import { Chromium, Page } from './cdp.js';

// The cursor every stream starts with, as real clients hold it: a client that drops before its
// first event comes back with the cursor as Last-Event-ID and gets everything published while it
// was away, once. Chromium's own EventSource, and the `eventsource` package from npm (installed
// into a scratch folder outside the project), against /feed, channel.attach and channel.response.

const COUNT = 5;
const EXPECTED = [...Array.from({ length: COUNT }, (_, i) => `while away ${i + 1}`), 'after'];

/** A stream request a target saw. */
interface Seen {
  readonly lastEventId: string | undefined;
  readonly socket: Socket;
}

/** One server to prove it on. */
interface Target {
  readonly origin: string;
  readonly seen: Seen[];
  publish(data: string): void;
  /** The id a new stream names as its cursor now. */
  head(): string;
  close(): Promise<void>;
}

const BLANK = '<!doctype html><title>cursor</title>';

function watch(server: NodeJS.EventEmitter, seen: Seen[]): void {
  server.on('request', (req: IncomingMessage) => {
    if (!(req.url ?? '').startsWith('/feed')) return;
    const header = req.headers['last-event-id'];
    seen.push({ lastEventId: typeof header === 'string' ? header : undefined, socket: req.socket });
  });
}

const listening = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

const TARGETS: Record<string, () => Promise<Target>> = {
  async '/feed of the reference server'() {
    const app = createSseServer({ port: 0, tickMs: 0, heartbeatMs: 0, retryMs: 300 });
    const seen: Seen[] = [];
    watch(app.server, seen);
    const { port } = await app.listen();
    const channel = feedChannel(app);
    return { origin: `http://127.0.0.1:${port}`, seen, publish: (data) => void channel.publish({ data }), head: () => `${channel.epoch}-${channel.history.head}`, close: () => app.close() };
  },
  async 'channel.attach on node:http'() {
    const channel = new Channel();
    channel.publish({ data: 'before anyone came' });
    const server = createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(BLANK);
      else channel.attach(req, res, { retryMs: 300 });
    });
    const seen: Seen[] = [];
    watch(server, seen);
    return { origin: await listening(server), seen, publish: (data) => void channel.publish({ data }), head: () => `${channel.epoch}-${channel.history.head}`, close: () => stop(server) };
  },
  async 'channel.response (a Web Response)'() {
    const channel = new Channel();
    const { server, base } = await serveFetch((request) =>
      new URL(request.url).pathname === '/' ? new Response(BLANK, { headers: { 'content-type': 'text/html' } }) : channel.response(request, { retryMs: 300 }),
    );
    const seen: Seen[] = [];
    watch(server, seen);
    return { origin: base, seen, publish: (data) => void channel.publish({ data }), head: () => `${channel.epoch}-${channel.history.head}`, close: () => stop(server) };
  },
};

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** What a client does, seen from the test: open `/feed`, and read what it received. */
interface Client {
  open(url: string): Promise<void>;
  received(): Promise<string[]>;
  close(): Promise<void>;
}

/** Connect, drop before any event, publish five, let the client reconnect: all five, none twice. */
async function earlyDrop(target: Target, client: Client): Promise<void> {
  const cursor = target.head();
  await client.open(`${target.origin}/feed`);
  await eventually(() => target.seen.length === 1, 8000, 'the stream', 25);
  // The cursor leaves with the headers, in one segment; give the client a moment to parse it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  (target.seen[0] as Seen).socket.destroy();
  for (let i = 1; i <= COUNT; i++) target.publish(`while away ${i}`);
  await eventually(async () => (await client.received()).length >= COUNT, 8000, 'the five events', 25);
  assert.equal(target.seen[1]?.lastEventId, cursor, 'the reconnect did not carry the cursor');
  target.publish('after');
  await eventually(async () => (await client.received()).includes('after'), 8000, 'the event after', 25);
  assert.deepEqual(await client.received(), EXPECTED);
  await client.close();
}

describe('a client that drops before its first event misses nothing: Chromium\'s EventSource', { timeout: 60_000 }, () => {
  let browser: Chromium | undefined;
  let page: Page;
  before(async () => {
    browser = await Chromium.launch();
    page = await Page.open(browser, 800, 600);
  });
  after(() => browser?.close());

  for (const [name, start] of Object.entries(TARGETS)) {
    it(name, async () => {
      const target = await start();
      try {
        await earlyDrop(target, {
          async open(url) {
            await page.goto(`${target.origin}/${name.startsWith('/feed') ? 'health' : ''}`);
            await page.evaluate(`(() => {
              window.got = [];
              window.source = new EventSource(${JSON.stringify(url)});
              window.source.onmessage = (event) => window.got.push(event.data);
            })()`);
          },
          received: () => page.evaluate<string[]>('window.got'),
          close: () => page.evaluate('window.source.close()'),
        });
      } finally {
        await target.close();
      }
    });
  }
});

interface NodeEventSource {
  onmessage: ((event: { data: string }) => void) | null;
  close(): void;
}

/** The `eventsource` package, installed into a scratch folder when missing. */
async function loadEventSource(): Promise<new (url: string) => NodeEventSource> {
  const modules = await installEventSource();
  const module = (await import(pathToFileURL(join(modules, 'eventsource/dist/index.js')).href)) as { EventSource: new (url: string) => NodeEventSource };
  return module.EventSource;
}

describe(`a client that drops before its first event misses nothing: the eventsource package (${EVENTSOURCE_PACKAGE.version})`, { timeout: 60_000 }, () => {
  let EventSource: new (url: string) => NodeEventSource;
  before(async () => {
    EventSource = await loadEventSource();
  });

  for (const [name, start] of Object.entries(TARGETS)) {
    it(name, async () => {
      const target = await start();
      const got: string[] = [];
      let source: NodeEventSource | undefined;
      try {
        await earlyDrop(target, {
          open(url) {
            source = new EventSource(url);
            source.onmessage = (event) => got.push(event.data);
            return Promise.resolve();
          },
          received: () => Promise.resolve(got),
          close: () => Promise.resolve(source?.close()),
        });
      } finally {
        source?.close();
        await target.close();
      }
    });
  }
});

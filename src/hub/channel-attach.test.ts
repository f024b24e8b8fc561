import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createParser, type ParsedEvent } from '../protocol/parse.js';
import { serveFetch } from '../testing/fetch-server.js';
import { eventually } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';
import { Channel, type AttachOptions } from './channel.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed` };
}

/** Reads a Web Response's events until `count` arrived. */
async function readEvents(response: Response, count: number): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  while (events.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  await reader.cancel();
  return events;
}

const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe('Channel.attach: one call per route', () => {
  async function attached(channel: Channel, options: AttachOptions = {}): Promise<string> {
    const { server, url } = await serve((req, res) => channel.attach(req, res, { retryMs: 1000, ...options }));
    servers.push(server);
    return url;
  }

  it('streams, resumes exactly from the Last-Event-ID header, and unsubscribes when the client leaves', async () => {
    const channel = new Channel();
    const url = await attached(channel);
    const first = await openStream(url);
    const a = channel.publish({ data: 'a' });
    channel.publish({ data: 'b' });
    await first.waitFor((s) => s.events.length === 2);
    assert.equal(first.status, 200);
    first.close();
    await eventually(() => channel.stats.subscribers === 0, 3000, 'the unsubscribe');
    channel.publish({ data: 'c' });
    const again = await openStream(url, { 'last-event-id': a.id });
    await again.waitFor((s) => s.events.length === 2);
    assert.deepEqual(again.events.map((e) => e.data), ['b', 'c']);
    again.close();
  });

  it('takes the cursor from ?lastEventId= when no header is sent, and the header over the query', async () => {
    const channel = new Channel();
    const url = await attached(channel);
    const a = channel.publish({ data: 'a' });
    const b = channel.publish({ data: 'b' });
    channel.publish({ data: 'c' });
    const byQuery = await openStream(`${url}?lastEventId=${a.id}`);
    await byQuery.waitFor((s) => s.events.length === 2);
    assert.deepEqual(byQuery.events.map((e) => e.data), ['b', 'c']);
    const both = await openStream(`${url}?lastEventId=${a.id}`, { 'last-event-id': b.id });
    await both.waitFor((s) => s.events.length === 1);
    assert.deepEqual(both.events.map((e) => e.data), ['c']);
    byQuery.close();
    both.close();
  });

  it('answers a malformed cursor with 200 and a reset that says why', async () => {
    const channel = new Channel();
    const url = await attached(channel);
    const stream = await openStream(url, { 'last-event-id': '1e3' });
    await stream.waitFor((s) => s.events.length === 1);
    assert.equal(stream.status, 200);
    assert.equal(stream.events[0]?.type, 'reset');
    assert.equal((JSON.parse(stream.events[0]?.data ?? '') as { reason: string }).reason, 'invalid');
    stream.close();
  });

  it('sends a filtered subscriber only its events, in the replay and live; the reset always', async () => {
    const channel = new Channel();
    const url = await attached(channel, { filter: (event) => event.topic === 'eur' || event.event === 'note' });
    const first = channel.publish({ data: '1', topic: 'usd' });
    channel.publish({ data: '2', topic: 'eur' });
    channel.publish({ data: '3', topic: 'usd' });
    const stream = await openStream(url, { 'last-event-id': first.id });
    await stream.waitFor((s) => s.events.length === 1);
    channel.publish({ data: '4', topic: 'usd' });
    channel.publish({ event: 'note', data: '5' });
    channel.publish({ data: '6', topic: 'eur' });
    await stream.waitFor((s) => s.events.length === 3);
    assert.deepEqual(stream.events.map((e) => e.data), ['2', '5', '6']);
    const reset = await openStream(url, { 'last-event-id': 'nonsense' });
    await reset.waitFor((s) => s.events.length === 1);
    assert.equal(reset.events[0]?.type, 'reset');
    for (const s of [stream, reset]) s.close();
  });

  it('answers HEAD with the stream\'s headers alone and other methods with 405 + Allow, subscribing nobody', async () => {
    const channel = new Channel();
    const url = await attached(channel, { headers: { 'access-control-allow-origin': '*' } });
    const head = await fetch(url, { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-type'), head.headers.get('access-control-allow-origin')], [200, 'text/event-stream; charset=utf-8', '*']);
    for (const method of ['POST', 'DELETE', 'OPTIONS', 'PUT']) {
      const res = await fetch(url, { method });
      assert.deepEqual([method, res.status, res.headers.get('allow')], [method, 405, 'GET, HEAD']);
      assert.deepEqual(await res.json(), { error: { code: 'method_not_allowed', message: 'Use GET, HEAD.' } });
    }
    assert.equal(channel.stats.subscribers, 0);
  });

  it('close({ retryMs }) ends every stream with a jittered retry hint, and any stream attached later', async () => {
    const channel = new Channel();
    const url = await attached(channel);
    const streams = await Promise.all([openStream(url), openStream(url), openStream(url)]);
    await eventually(() => channel.stats.subscribers === 3, 3000, 'three subscribers');
    channel.close({ retryMs: 10_000 });
    await Promise.all(streams.map((s) => s.ended));
    for (const s of streams) {
      const hint = s.retries.at(-1) as number;
      assert.ok(s.retries.length === 2 && hint >= 8000 && hint <= 12_000, `retries ${s.retries.join(',')}`);
    }
    assert.equal(channel.stats.subscribers, 0);
    const late = await openStream(url);
    await late.ended;
    assert.ok((late.retries.at(-1) as number) >= 8000);
    assert.throws(() => channel.publish({ data: 'x' }), { code: 'SSE_ERR_CLOSED' });
  });

  it('close() without retryMs keeps the streams open, as before', async () => {
    const channel = new Channel();
    const url = await attached(channel);
    const stream = await openStream(url);
    await eventually(() => channel.stats.subscribers === 1, 3000, 'the subscriber');
    channel.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(channel.stats.subscribers, 1);
    stream.close();
  });
});

describe('Channel.attachReply: a framework\'s reply (Fastify\'s shape)', () => {
  /** A reply as Fastify's: headers kept aside until it answers itself, which a hijacked one never does. */
  function fastifyLike(req: IncomingMessage, res: ServerResponse, set: Record<string, string | string[]>) {
    const headers: Record<string, string | string[]> = { ...set };
    let hijacked = false;
    return {
      request: { raw: req },
      reply: { raw: res, getHeaders: () => ({ ...headers }), hijack: () => void (hijacked = true) },
      isHijacked: () => hijacked,
    };
  }

  it('hijacks the reply and keeps the headers other plugins set (CORS), the stream\'s own winning', async () => {
    const channel = new Channel();
    const hijacked: boolean[] = [];
    // What @fastify/cors and a careless plugin leave on the reply before the route runs.
    const plugins = { 'access-control-allow-origin': 'https://app.example', Vary: 'Origin', 'content-type': 'application/json', 'content-length': '2' };
    const { server, url } = await serve((req, res) => {
      const { request, reply, isHijacked } = fastifyLike(req, res, plugins);
      channel.attachReply(request, reply, { heartbeat: 0, headers: { 'x-route': 'feed' } });
      hijacked.push(isHijacked());
    });
    servers.push(server);
    const stream = await openStream(url);
    assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.deepEqual([stream.headers['access-control-allow-origin'], stream.headers.vary, stream.headers['x-route'], stream.headers['content-length']], ['https://app.example', 'Origin', 'feed', undefined]);
    channel.publish({ data: 'a' });
    await stream.waitFor((s) => s.events.length === 1);
    stream.close();
    const head = await fetch(url, { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('access-control-allow-origin'), head.headers.get('content-type')], [200, 'https://app.example', 'text/event-stream; charset=utf-8']);
    assert.deepEqual(hijacked, [true, true]);
    await eventually(() => channel.stats.subscribers === 0, 3000, 'the unsubscribe');
  });

  it('refuses an unknown option by its name, before it hijacks', () => {
    const channel = new Channel();
    let hijacked = false;
    const reply = { raw: {} as ServerResponse, getHeaders: () => ({}), hijack: () => void (hijacked = true) };
    assert.throws(() => channel.attachReply({ raw: {} as IncomingMessage }, reply, { heartbeatMs: 5 } as AttachOptions), /Channel\.attachReply.*heartbeatMs/s);
    assert.equal(hijacked, false);
  });
});

describe('Channel.response: the Web-standard path', () => {
  it('is a Response with the event-stream headers that resumes from the Request\'s Last-Event-ID', async () => {
    const channel = new Channel();
    const a = channel.publish({ data: 'a' });
    channel.publish({ data: 'b' });
    const response = channel.response(new Request('http://localhost/feed', { headers: { 'last-event-id': a.id } }));
    assert.ok(response instanceof Response);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    channel.publish({ data: 'c' });
    const events = await readEvents(response, 2);
    assert.deepEqual(events.map((e) => e.data), ['b', 'c']);
    await eventually(() => channel.stats.subscribers === 0, 3000, 'the unsubscribe after cancel');
  });

  it('answers HEAD with the headers and no body, other methods with 405 + Allow; takes OutgoingHttpHeaders', async () => {
    const channel = new Channel();
    const headers = { 'x-count': 2, 'set-cookie': ['a=1', 'b=2'], 'x-gone': undefined };
    const head = channel.response(new Request('http://localhost/feed', { method: 'HEAD' }), { headers });
    assert.deepEqual([head.status, head.body, head.headers.get('content-type'), head.headers.get('x-count')], [200, null, 'text/event-stream; charset=utf-8', '2']);
    const post = channel.response(new Request('http://localhost/feed', { method: 'POST' }));
    assert.deepEqual([post.status, post.headers.get('allow')], [405, 'GET, HEAD']);
    const get = channel.response(new Request('http://localhost/feed'), { headers });
    assert.deepEqual([get.headers.getSetCookie(), get.headers.has('x-gone')], [['a=1', 'b=2'], false]);
    await get.body?.cancel();
    await eventually(() => channel.stats.subscribers === 0, 3000, 'no subscriber left');
  });

  it('serves Node\'s own fetch over loopback, and unsubscribes when the request aborts', async () => {
    const channel = new Channel<{ price: { eur: number } }>();
    // Served as a fetch-style adapter (e.g. @hono/node-server) does: Request in, Response out.
    const { server, base } = await serveFetch((request) => channel.response(request));
    const url = `${base}/feed`;
    servers.push(server);
    const abort = new AbortController();
    const response = await fetch(url, { signal: abort.signal });
    await eventually(() => channel.stats.subscribers === 1, 3000, 'the subscriber');
    channel.publish({ event: 'price', data: { eur: 1.08 } });
    const events: ParsedEvent[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    while (events.length === 0) parser.feed((await reader.read()).value as Uint8Array);
    assert.deepEqual(events.map((e) => [e.type, e.data]), [['price', '{"eur":1.08}']]);
    abort.abort();
    await eventually(() => channel.stats.subscribers === 0, 3000, 'the unsubscribe after the abort');
  });
});

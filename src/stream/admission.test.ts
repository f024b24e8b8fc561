import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { internalsOf } from '../app.js';
import { eventually, rawExchange, startServer, type Started } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';

// Stream admission, through the reference server's stream paths: the caps, their refusal, and the
// authorize hook with the slot it holds while it runs.

const metric = async (base: string, name: string): Promise<string> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name)).join('\n');
};

describe('connection caps', () => {
  it('past the per-client cap and past the global cap, answers 200 + retry + why, then ends; a freed slot serves again', async () => {
    const s = await startServer({ maxConnections: 3, maxPerClient: 2, retryMs: 1000 });
    after(() => s.app.close());
    const a1 = await openStream(`${s.base}/feed`);
    const a2 = await openStream(`${s.base}/time`);
    const refusedClient = await rawExchange(s.port, 'GET /feed HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(refusedClient, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(refusedClient, /content-type: text\/event-stream/);
    assert.match(refusedClient, /\r\n\r\n[0-9a-f]+\r\nretry: (\d+)\n\n: too many streams from your address\n\n\r\n0\r\n\r\n$/);
    // Another address still gets a slot, which fills the global cap.
    const b = connect({ port: s.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    b.write('GET /named HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => s.app.metrics().openStreams === 3);
    const refusedGlobal = await rawExchange(s.port, 'GET /events HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.3' });
    assert.match(refusedGlobal, /retry: \d+\n\n: (server full|too many streams from your address)\n\n/);
    a1.close();
    b.destroy();
    await eventually(() => s.app.metrics().openStreams === 1);
    const again = await openStream(`${s.base}/feed`);
    assert.equal(again.status, 200);
    await again.waitFor((t) => t.retries.length === 1);
    again.close();
    a2.close();
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    assert.match(metrics, /sse_refused_total\{cap="client"\} [1-9]/);
  });

  it('the global cap holds across client addresses', async () => {
    const s = await startServer({ maxConnections: 2, maxPerClient: 10 });
    after(() => s.app.close());
    const open = await Promise.all([openStream(`${s.base}/feed`), openStream(`${s.base}/feed`)]);
    const refused = await rawExchange(s.port, 'GET /feed HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.4' });
    assert.match(refused, /: server full\n\n/);
    assert.equal(s.app.metrics().refused['global'], 1);
    for (const stream of open) stream.close();
  });
});

describe('the authorize option', () => {
  let started: Started;
  after(() => started.app.close());

  it('refuses a stream with the hook’s status before any byte, and serves the allowed one', async () => {
    started = await startServer({
      authorize: async (req) => (req.headers.cookie === 'sid=good' ? true : { status: 401, message: 'Log in first.' }),
    });
    const { base, app } = started;
    const refused = await fetch(`${base}/feed`);
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), { error: { code: 'unauthorized', message: 'Log in first.' } });
    const allowed = await fetch(`${base}/feed`, { headers: { cookie: 'sid=good' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    await eventually(() => app.metrics().openStreams === 1);
    await allowed.body?.cancel();
    assert.match(await metric(base, 'sse_streams_unauthorized_total'), /status="401"\} 1/);
  });
});

describe('the authorize option under load', () => {
  let started: Started;
  after(() => started.app.close());

  it('counts checks in flight against the per-client cap: a client cannot keep more going than it may hold streams', async () => {
    const pending: ((answer: boolean) => void)[] = [];
    started = await startServer({ maxPerClient: 4, authorize: () => new Promise<boolean>((resolve) => pending.push(resolve)) });
    const { base, app } = started;
    const answers = Array.from({ length: 12 }, () => fetch(`${base}/feed`).then(async (res) => ({ status: res.status, text: await res.text() })));
    await eventually(() => pending.length === 4 && app.metrics().refused['client'] === 8, 3000, 'four checks in flight, eight refused');
    for (const resolve of pending.splice(0)) resolve(false);
    const settled = await Promise.all(answers);
    assert.equal(settled.filter((a) => a.status === 403).length, 4);
    assert.equal(settled.filter((a) => a.status === 200 && /too many streams from your address/.test(a.text)).length, 8);
    // The slots came back with the refusals: the next request is checked again.
    await eventually(() => internalsOf(app).limiter.open === 0, 3000, 'every slot given back');
    const again = fetch(`${base}/feed`);
    await eventually(() => pending.length === 1, 3000, 'a new check');
    pending.splice(0).forEach((resolve) => resolve(false));
    assert.equal((await again).status, 403);
  });
});

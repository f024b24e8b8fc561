import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { internalsOf } from '../app.js';
import { startServer, type Started } from '../testing/harness.js';

const TOKEN = '7f3c9a1e5b2d4f6a8c0e2b4d6f8a0c2e';

/** A POST /publish with any headers (node:http, so Host and forwarding headers are ours to set). */
function post(
  port: number,
  headers: Record<string, string>,
  body = '{"data":"x"}',
  localAddress?: string,
): Promise<{ status: number; headers: Record<string, unknown>; json: { id?: string; error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path: '/publish', method: 'POST', headers: { 'content-type': 'application/json', ...headers }, ...(localAddress === undefined ? {} : { localAddress }) };
    const req = request(options, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (part: string) => (text += part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as never }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const metric = async (base: string, name: string): Promise<string> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name)).join('\n');
};

describe('POST /publish with a token', () => {
  let started: Started;
  after(() => started.app.close());

  it('publishes with the right bearer token and refuses anything else with 401 and a challenge, publishing nothing', async () => {
    started = await startServer({ publishToken: TOKEN });
    const { port, base } = started;
    const ok = await post(port, { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 202);
    const missing = await post(port, {});
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="publish"');
    assert.equal(missing.json.error?.code, 'unauthorized');
    const wrong = await post(port, { authorization: `Bearer ${TOKEN.replace('7', '8')}` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="publish", error="invalid_token"');
    assert.equal(started.app.broker.stats.published, 1);
    assert.match(await metric(base, 'sse_publish_unauthorized_total'), /code="unauthorized"\} 2/);
    // The token rule holds for callers on this machine too.
    assert.equal((await post(port, { host: 'localhost' })).status, 401);
  });
});

/**
 * A reverse proxy as nginx's bare `proxy_pass` is: it connects from 127.0.0.1, adds no forwarding
 * header, and sends the upstream's own address as `Host`.
 */
async function startBareProxy(target: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: `127.0.0.1:${target}` };
    const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('POST /publish with neither a token nor --publish-local', () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  it('is off: 403 publish_off for every caller, a visitor behind a bare proxy on this machine too', async () => {
    const started = await startServer({ publishLocal: false });
    const proxy = await startBareProxy(started.port);
    closers.push(() => started.app.close(), () => new Promise((resolve) => proxy.server.close(resolve)));
    const local = await post(started.port, { host: 'localhost' });
    assert.equal(local.status, 403);
    assert.equal(local.json.error?.code, 'publish_off');
    assert.match(local.json.error?.message ?? '', /--publish-token .*--publish-local/);
    const visitor = await post(proxy.port, { host: 'sse.public.example' });
    assert.equal(visitor.status, 403);
    assert.equal(started.app.broker.stats.published, 0);
    assert.equal(internalsOf(started.app).publishGate.auth.mode, 'off');
  });
});

describe('POST /publish with --publish-local', () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  it('refuses a client that a trusted proxy does not identify, and takes a local one it names', async () => {
    const started = await startServer({ publishLocal: true, trustProxy: ['127.0.0.2'] });
    closers.push(() => started.app.close());
    const unidentified = [{}, { 'x-forwarded-for': '' }, { forwarded: 'for=' }, { forwarded: 'for=unknown' }, { forwarded: 'for="_hidden"' }, { 'x-forwarded-for': 'unix:' }];
    for (const headers of unidentified) {
      const answer = await post(started.port, headers, '{"data":"x"}', '127.0.0.2');
      assert.equal(answer.status, 403, JSON.stringify(headers));
      assert.equal(answer.json.error?.code, 'publish_local_only');
    }
    assert.equal((await post(started.port, { 'x-forwarded-for': '203.0.113.9' }, '{"data":"x"}', '127.0.0.2')).status, 403);
    assert.equal((await post(started.port, { 'x-forwarded-for': '127.0.0.1' }, '{"data":"x"}', '127.0.0.2')).status, 202);
    assert.equal(started.app.broker.stats.published, 1);
  });
});

describe('POST /publish with --publish-local, straight', () => {
  let started: Started;
  after(() => started.app.close());

  it('takes publishes from this machine only: loopback Host, no forwarding header', async () => {
    started = await startServer({ publishLocal: true });
    const { port } = started;
    assert.equal((await post(port, {})).status, 202);
    assert.equal((await post(port, { host: 'localhost:8080' })).status, 202);
    const rebound = await post(port, { host: 'evil.example:8080' });
    assert.equal(rebound.status, 403);
    assert.equal(rebound.json.error?.code, 'publish_local_only');
    assert.match(rebound.json.error?.message ?? '', /--publish-token/);
    assert.equal((await post(port, { 'x-forwarded-for': '203.0.113.9' })).status, 403);
    assert.equal(started.app.broker.stats.published, 2);
  });
});

describe('POST /publish past the per-client rate', () => {
  let started: Started;
  after(() => started.app.close());

  it('answers 429 with Retry-After once the bucket is empty, before reading the body, and counts it', async () => {
    started = await startServer({ publishRate: 2 });
    const { port, base } = started;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(port, {}));
    const statuses = answers.map((a) => a.status);
    // A bucket of 4 (twice the rate); the clock may refill one token while the posts run.
    assert.ok(statuses.slice(0, 4).every((s) => s === 202) && statuses.at(-1) === 429, statuses.join(' '));
    const refused = answers.find((a) => a.status === 429);
    assert.equal(refused?.json.error?.code, 'rate_limited');
    assert.ok(Number(refused?.headers['retry-after']) >= 1);
    assert.match(await metric(base, 'sse_publish_rate_limited_total'), /sse_publish_rate_limited_total [12]$/);
    assert.equal(started.app.broker.stats.published, statuses.filter((s) => s === 202).length);
    // Another client has its own bucket.
    const other = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/publish', method: 'POST', localAddress: '127.0.0.2', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{"data":"y"}');
    });
    assert.equal(other, 202);
  });
});

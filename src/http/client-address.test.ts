import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { internalsOf } from '../app.js';
import { startServer, type Started } from '../testing/harness.js';
import { clientAddress, createTrustedProxies, resolveClient, unmapIpv4 } from './client-address.js';

const fakeRequest = (peer: string, headers: Record<string, string | string[]> = {}) => ({ socket: { remoteAddress: peer }, headers });

describe('clientAddress', () => {
  const none = createTrustedProxies([]);
  const local = createTrustedProxies(['127.0.0.1', '10.0.0.0/8']);

  it('is the socket peer when no proxy is trusted, whatever the headers say', () => {
    assert.equal(clientAddress(fakeRequest('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' }), none), '203.0.113.9');
    assert.equal(clientAddress(fakeRequest('::ffff:127.0.0.1', { forwarded: 'for=1.2.3.4' }), none), '127.0.0.1');
  });

  it('ignores the headers of a peer that is not a trusted proxy', () => {
    assert.equal(clientAddress(fakeRequest('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' }), local), '203.0.113.9');
  });

  it('takes the rightmost untrusted hop of X-Forwarded-For from a trusted proxy', () => {
    // The client wrote "6.6.6.6" itself; nginx appended the real peer, then a second trusted hop.
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.1.2.3' }), local), '198.51.100.7');
    assert.equal(clientAddress(fakeRequest('::ffff:10.0.0.5', { 'x-forwarded-for': '198.51.100.7' }), local), '198.51.100.7');
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { 'x-forwarded-for': ['6.6.6.6', '198.51.100.8'] }), local), '198.51.100.8');
  });

  it('reads Forwarded for= when there is no X-Forwarded-For, with quotes, brackets and ports', () => {
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }), local), '192.0.2.60');
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { forwarded: 'for="[2001:db8:cafe::17]:4711"' }), local), '2001:db8:cafe::17');
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { forwarded: 'for="192.0.2.43:47011", for=10.9.9.9' }), local), '192.0.2.43');
  });

  it('prefers X-Forwarded-For over Forwarded', () => {
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { forwarded: 'for=6.6.6.6', 'x-forwarded-for': '198.51.100.7' }), local), '198.51.100.7');
  });

  it('stops at the last trusted hop when a hop is not an address', () => {
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { forwarded: 'for=unknown' }), local), '127.0.0.1');
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { forwarded: 'for=_hidden, for=10.0.0.2' }), local), '10.0.0.2');
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { 'x-forwarded-for': 'nonsense' }), local), '127.0.0.1');
    assert.equal(clientAddress(fakeRequest('127.0.0.1', { 'x-forwarded-for': '' }), local), '127.0.0.1');
    assert.equal(clientAddress(fakeRequest('127.0.0.1'), local), '127.0.0.1');
  });

  it('says where the address came from: the peer, a trusted proxy’s header, or nobody (the proxy named no client)', () => {
    assert.deepEqual(resolveClient(fakeRequest('203.0.113.9', { 'x-forwarded-for': '127.0.0.1' }), local), { address: '203.0.113.9', source: 'peer' });
    assert.deepEqual(resolveClient(fakeRequest('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }), local), { address: '127.0.0.1', source: 'forwarded' });
    assert.deepEqual(resolveClient(fakeRequest('127.0.0.1', { 'x-forwarded-for': '198.51.100.7, 10.0.0.2' }), local), { address: '198.51.100.7', source: 'forwarded' });
    const unidentified = [{}, { 'x-forwarded-for': '' }, { forwarded: 'for=' }, { forwarded: 'for=unknown' }, { forwarded: 'for="_hidden"' }, { 'x-forwarded-for': 'unix:' }, { 'x-forwarded-for': 'unknown, 127.0.0.1' }];
    for (const headers of unidentified) {
      assert.equal(resolveClient(fakeRequest('127.0.0.1', headers), local).source, 'unknown', JSON.stringify(headers));
    }
  });

  it('folds IPv4-mapped IPv6 only when it is one', () => {
    assert.equal(unmapIpv4('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(unmapIpv4('::ffff:abcd'), '::ffff:abcd');
  });

  it('refuses a value that is neither an address nor a CIDR block, naming it', () => {
    for (const value of ['localhost', '10.0.0.0/33', '::/129', '1.2.3.4/', '1.2.3.4/8/1', '10.0.0.0/08']) {
      assert.throws(() => createTrustedProxies([value]), new RegExp(`--trust-proxy .*${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    }
    assert.ok(createTrustedProxies(['fd00::/8']).isTrusted('fd12::1'));
  });

  it('refuses a /0 block, which would trust every client to name itself', () => {
    for (const value of ['0.0.0.0/0', '::/0', '10.0.0.0/0']) assert.throws(() => createTrustedProxies([value]), /trusts every address/, value);
  });

  it('lists the values that take in public addresses, for a warning', () => {
    const trusted = createTrustedProxies(['127.0.0.1', '10.1.0.0/16', 'fd00::/8', '::1', '192.168.1.7', '203.0.113.0/24', '10.0.0.0/7', '2001:db8::/32']);
    assert.deepEqual(trusted.publicSources, ['203.0.113.0/24', '10.0.0.0/7', '2001:db8::/32']);
  });
});

/**
 * A real proxy hop on loopback: a node:http forwarder that appends the peer it saw to
 * X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does, and pipes the answer back.
 * `x-test-peer` plays an internet client (loopback cannot make one); the forwarder strips it.
 */
async function startForwarder(target: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const { 'x-test-peer': peer, ...headers } = req.headers;
    const seen = typeof peer === 'string' ? peer : (req.socket.remoteAddress ?? '');
    const earlier = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = earlier === undefined ? seen : `${String(earlier)}, ${seen}`;
    const upstream = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers }, (answer: IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Opens /events; resolves once it is clearly a stream (an event came) or a refusal (it ended). */
function openEvents(port: number, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<{ isAdmitted: boolean; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/events', agent: false, ...options }, (res) => {
      let body = '';
      res.on('error', () => {});
      res.setEncoding('utf8').on('data', (part: string) => {
        body += part;
        if (body.includes('data:')) resolve({ isAdmitted: true, close: () => req.destroy() });
      });
      res.on('end', () => resolve({ isAdmitted: false, close: () => req.destroy() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the per-client cap behind a real proxy hop', () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });
  const setUp = async (trustProxy: readonly string[]): Promise<{ started: Started; proxy: number }> => {
    const started = await startServer({ maxPerClient: 2, recipeIntervalMs: 20, trustProxy });
    const forwarder = await startForwarder(started.port);
    closers.push(() => started.app.close(), () => new Promise((resolve) => forwarder.server.close(resolve)));
    return { started, proxy: forwarder.port };
  };
  const open = async (port: number, localAddress: string, headers: Record<string, string> = {}): Promise<boolean> => {
    const stream = await openEvents(port, { localAddress, headers });
    closers.push(stream.close);
    return stream.isAdmitted;
  };

  it('without --trust-proxy, counts every client behind the proxy as the proxy', async () => {
    const { started, proxy } = await setUp([]);
    assert.deepEqual([await open(proxy, '127.0.0.2'), await open(proxy, '127.0.0.3'), await open(proxy, '127.0.0.4')], [true, true, false]);
    assert.equal(internalsOf(started.app).limiter.openFor('127.0.0.1'), 2);
  });

  it('with --trust-proxy, counts each forwarded client on its own, and ignores the header from anyone else', async () => {
    const { started, proxy } = await setUp(['127.0.0.1']);
    const viaProxy = [await open(proxy, '127.0.0.2'), await open(proxy, '127.0.0.2'), await open(proxy, '127.0.0.2'), await open(proxy, '127.0.0.3')];
    assert.deepEqual(viaProxy, [true, true, false, true]);
    assert.equal(internalsOf(started.app).limiter.openFor('127.0.0.2'), 2);
    assert.equal(internalsOf(started.app).limiter.openFor('127.0.0.3'), 1);
    // A client that names a fresh address for itself through the proxy is still the address the proxy saw.
    assert.equal(await open(proxy, '127.0.0.2', { 'x-forwarded-for': '198.51.100.1' }), false);
    // Straight to the server from an untrusted peer, the header counts for nothing.
    const direct = [await open(started.port, '127.0.0.5', { 'x-forwarded-for': '198.51.100.1' }), await open(started.port, '127.0.0.5', { 'x-forwarded-for': '198.51.100.2' }), await open(started.port, '127.0.0.5', { 'x-forwarded-for': '198.51.100.3' })];
    assert.deepEqual(direct, [true, true, false]);
    assert.equal(internalsOf(started.app).limiter.openFor('127.0.0.5'), 2);
  });

  it('applies the publish rules to the forwarded client: a remote one behind a local proxy may not publish', async () => {
    for (const trustProxy of [[], ['127.0.0.1']]) {
      const { proxy } = await setUp(trustProxy);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: proxy, path: '/publish', method: 'POST', headers: { 'content-type': 'application/json', 'x-test-peer': '203.0.113.9' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{"data":"x"}');
      });
      assert.equal(status, 403, `trustProxy ${JSON.stringify(trustProxy)}`);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCorsPolicy } from './cors.js';
import { startServer, type Started } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';

describe('createCorsPolicy', () => {
  it('sends nothing at all when no origin is allowed', () => {
    const cors = createCorsPolicy({ origins: [] });
    assert.deepEqual(cors.headersFor(APP), {});
    assert.deepEqual(cors.preflight(APP, { methods: 'GET', headers: 'last-event-id' }), {});
  });

  it('echoes an allowed origin exactly, with Vary: Origin, and credentials only when asked', () => {
    assert.deepEqual(createCorsPolicy({ origins: [APP] }).headersFor(APP), { vary: 'Origin', 'access-control-allow-origin': APP });
    assert.deepEqual(createCorsPolicy({ origins: [APP], credentials: true }).headersFor(APP), {
      vary: 'Origin',
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
    });
  });

  it('gives a foreign origin or no origin no Access-Control-Allow-Origin', () => {
    const cors = createCorsPolicy({ origins: [APP], credentials: true });
    assert.deepEqual(cors.headersFor(EVIL), { vary: 'Origin' });
    assert.deepEqual(cors.headersFor(undefined), { vary: 'Origin' });
    assert.deepEqual(cors.preflight(EVIL, { methods: 'GET', headers: 'last-event-id' }), { vary: 'Origin' });
  });

  it('refuses "*" and anything that is not an origin', () => {
    assert.throws(() => createCorsPolicy({ origins: ['*'] }), /one by one/);
    for (const bad of ['app.example', 'https://app.example/', 'https://app.example/path', 'nonsense']) {
      assert.throws(() => createCorsPolicy({ origins: [bad] }), /is not an origin/, bad);
    }
  });
});

describe('CORS on the reference server', () => {
  let s: Started;
  before(async () => {
    s = await startServer({ corsOrigins: [APP] });
  });
  after(() => s.app.close());

  it('answers an allowed origin on the stream with its own origin and Vary: Origin', async () => {
    const stream = await openStream(`${s.base}/feed`, { origin: APP });
    stream.close();
    assert.equal(stream.headers['access-control-allow-origin'], APP);
    assert.equal(stream.headers['vary'], 'Origin');
    assert.equal(stream.headers['access-control-allow-credentials'], undefined);
  });

  it('gives a foreign origin no Access-Control-Allow-Origin, on the stream and on publish', async () => {
    const stream = await openStream(`${s.base}/feed`, { origin: EVIL });
    stream.close();
    assert.equal(stream.headers['access-control-allow-origin'], undefined);
    const res = await fetch(`${s.base}/publish`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'application/json' }, body: '{"data":"x"}' });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.body?.cancel();
  });

  it('lets the preflight of a stream allow last-event-id, and of publish allow content-type', async () => {
    const stream = await fetch(`${s.base}/feed`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    });
    assert.equal(stream.status, 204);
    assert.equal(stream.headers.get('access-control-allow-origin'), APP);
    assert.equal(stream.headers.get('access-control-allow-methods'), 'GET, HEAD');
    assert.equal(stream.headers.get('access-control-allow-headers'), 'last-event-id');
    assert.equal(stream.headers.get('vary'), 'Origin');
    const publish = await fetch(`${s.base}/publish`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST' } });
    assert.equal(publish.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(publish.headers.get('access-control-allow-headers'), 'content-type');
    const foreign = await fetch(`${s.base}/feed`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'GET' } });
    assert.equal(foreign.status, 204);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    assert.equal(foreign.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('with a publish token, lets the preflight of publish allow authorization, so an allowed origin can publish', async () => {
    const tokened = await startServer({ corsOrigins: [APP], publishToken: 'f00dcafef00dcafef00dcafef00dcafe' });
    after(() => tokened.app.close());
    const preflight = await fetch(`${tokened.base}/publish`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'content-type, authorization');
  });

  it('allows the request headers of --cors-allow-header on every route, after the route’s own', async () => {
    const extra = await startServer({ corsOrigins: [APP], corsAllowHeaders: ['Authorization', 'x-client'] });
    after(() => extra.app.close());
    const stream = await fetch(`${extra.base}/feed`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, last-event-id' },
    });
    assert.equal(stream.headers.get('access-control-allow-headers'), 'last-event-id, authorization, x-client');
    const publish = await fetch(`${extra.base}/publish`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST' } });
    assert.equal(publish.headers.get('access-control-allow-headers'), 'content-type, authorization, x-client');
    assert.throws(() => createCorsPolicy({ origins: [APP], allowHeaders: ['*'] }), /--cors-allow-header takes a header name/);
    assert.throws(() => createCorsPolicy({ origins: [APP], allowHeaders: ['a b'] }), TypeError);
  });

  it('puts the CORS headers on a refusal too, so a cross-origin EventSource can retry', async () => {
    const full = await startServer({ corsOrigins: [APP], maxConnections: 1 });
    after(() => full.app.close());
    const first = await openStream(`${full.base}/feed`, { origin: APP });
    const refused = await openStream(`${full.base}/feed`, { origin: APP });
    await refused.ended;
    first.close();
    assert.equal(refused.headers['access-control-allow-origin'], APP);
    assert.match(refused.raw(), /: server full/);
  });

  it('sends credentials only with the explicit option', async () => {
    const withCredentials = await startServer({ corsOrigins: [APP], corsCredentials: true });
    after(() => withCredentials.app.close());
    const stream = await openStream(`${withCredentials.base}/feed`, { origin: APP });
    stream.close();
    assert.equal(stream.headers['access-control-allow-credentials'], 'true');
    assert.equal(stream.headers['access-control-allow-origin'], APP);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPublishAuth, isLoopbackAddress, isLoopbackHost, type PublishCaller } from './auth.js';

const TOKEN = 'a3f9c2d18e7b6a5f4c3d2e1f0a9b8c7d';
const caller = (headers: PublishCaller['headers'], address = '127.0.0.1', source: PublishCaller['source'] = 'peer'): PublishCaller => ({ headers, address, source });

describe('createPublishAuth with a token', () => {
  const auth = createPublishAuth({ token: TOKEN });

  it('lets the right bearer token in, from anywhere', () => {
    assert.deepEqual(auth.check(caller({ authorization: `Bearer ${TOKEN}` }, '203.0.113.9')), { isAllowed: true });
    assert.deepEqual(auth.check(caller({ authorization: `bearer ${TOKEN}` })), { isAllowed: true });
  });

  it('answers 401 with a Bearer challenge when the token is missing', () => {
    const decision = auth.check(caller({ host: 'localhost' }));
    assert.equal(decision.isAllowed, false);
    if (decision.isAllowed) return;
    assert.equal(decision.status, 401);
    assert.equal(decision.headers['www-authenticate'], 'Bearer realm="publish"');
  });

  it('answers 401 invalid_token for a wrong token, a prefix, a longer one, or another scheme', () => {
    for (const authorization of [`Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, 'Bearer', `Bearer ${TOKEN} extra`]) {
      const decision = auth.check(caller({ authorization }));
      assert.equal(decision.isAllowed, false, authorization);
      if (!decision.isAllowed) assert.equal(decision.status, 401);
    }
    const wrong = auth.check(caller({ authorization: `Bearer ${'b'.repeat(32)}` }));
    assert.ok(!wrong.isAllowed && /invalid_token/.test(wrong.headers['www-authenticate'] ?? ''));
  });

  it('refuses a short or spaced token at creation, saying how to make one', () => {
    assert.throws(() => createPublishAuth({ token: 'short' }), /at least 16 .*openssl rand -hex 32/);
    assert.throws(() => createPublishAuth({ token: 'a token with spaces in it' }), /without spaces/);
  });

  it('refuses a token together with --publish-local', () => {
    assert.throws(() => createPublishAuth({ token: TOKEN, local: true }), /--publish-token and --publish-local exclude each other/);
  });
});

describe('createPublishAuth without a token or --publish-local (off)', () => {
  const auth = createPublishAuth();

  it('answers 403 publish_off to everyone, a local program too, saying how to turn publishing on', () => {
    assert.equal(auth.mode, 'off');
    for (const address of ['127.0.0.1', '::1', '203.0.113.9']) {
      const decision = auth.check(caller({ host: 'localhost' }, address));
      assert.ok(!decision.isAllowed && decision.status === 403 && decision.code === 'publish_off', address);
      assert.match(decision.message, /--publish-token .*--publish-local/);
    }
    assert.match(auth.describe(), /^publish: off/);
  });
});

describe('createPublishAuth with --publish-local', () => {
  const auth = createPublishAuth({ local: true });

  it('lets a local program in: loopback address, loopback Host, no forwarding header', () => {
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:9', '[::1]:8080', 'app.localhost']) {
      assert.deepEqual(auth.check(caller({ host })), { isAllowed: true }, host);
    }
    assert.deepEqual(auth.check(caller({ host: 'localhost' }, '::1')), { isAllowed: true });
  });

  it('answers 403 to a remote address, saying how to allow it', () => {
    const decision = auth.check(caller({ host: 'localhost' }, '198.51.100.7'));
    assert.ok(!decision.isAllowed && decision.status === 403 && /--publish-token/.test(decision.message));
  });

  it('answers 403 to a loopback peer that forwards for someone (a proxy on this machine)', () => {
    for (const name of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto', 'via']) {
      assert.equal(auth.check(caller({ host: 'localhost', [name]: '203.0.113.9' })).isAllowed, false, name);
    }
    // Through a trusted proxy, the address it forwarded decides.
    assert.deepEqual(auth.check(caller({ host: 'localhost', 'x-forwarded-for': '127.0.0.1' }, '127.0.0.1', 'forwarded')), { isAllowed: true });
  });

  it('answers 403 to a client a trusted proxy did not identify: its own loopback address proves nothing', () => {
    for (const headers of [{}, { 'x-forwarded-for': '' }, { forwarded: 'for=unknown' }, { 'x-forwarded-for': 'unix:' }]) {
      const decision = auth.check(caller({ host: 'localhost', ...headers }, '127.0.0.1', 'unknown'));
      assert.ok(!decision.isAllowed && decision.code === 'publish_local_only', JSON.stringify(headers));
    }
  });

  it('answers 403 to a foreign Host on loopback (DNS rebinding)', () => {
    for (const host of [undefined, 'evil.example:8080', 'localhost.evil.example', '10.0.0.1', '']) {
      assert.equal(auth.check(caller(host === undefined ? {} : { host })).isAllowed, false, String(host));
    }
  });

  it('knows loopback addresses and hosts', () => {
    assert.ok(isLoopbackAddress('127.8.9.10') && isLoopbackAddress('::ffff:127.0.0.1') && isLoopbackAddress('0:0:0:0:0:0:0:1'));
    assert.ok(!isLoopbackAddress('10.0.0.1') && !isLoopbackAddress('::2') && !isLoopbackAddress('unknown'));
    assert.ok(isLoopbackHost('LOCALHOST:80') && !isLoopbackHost('localhost:80:80') && !isLoopbackHost('[::2]'));
  });
});

import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { after, describe, it } from 'node:test';
import { rawExchange, startServer } from '../testing/harness.js';
import { createHostCheck } from './host.js';
import type { SseRequest } from './types.js';

const request = (...rawHeaders: string[]): SseRequest => ({ rawHeaders }) as unknown as SseRequest;

describe('createHostCheck', () => {
  it('refuses two Host headers, and an HTTP/2 host that differs from :authority, with 400', () => {
    const check = createHostCheck([]);
    assert.equal(check(request('Host', 'localhost', 'host', 'evil.example'))?.status, 400);
    assert.equal(check(request(':authority', 'evil.example', 'host', 'localhost'))?.code, 'bad_host');
    assert.equal(check(request(':authority', 'LOCALHOST:8080', 'host', 'localhost:8080')), undefined);
    assert.equal(check(request('Host', 'anything.example')), undefined);
  });

  it('with allowed names, answers 421 to any other host, whatever the port or case', () => {
    const check = createHostCheck(['sse.example.com', '127.0.0.1', '[::1]']);
    for (const host of ['sse.example.com', 'SSE.Example.com:8443', '127.0.0.1:8080', '[::1]:80', '[::1]']) {
      assert.equal(check(request('Host', host)), undefined, host);
    }
    for (const host of ['rebind.evil.example', 'sse.example.com.evil.example', 'localhost', '127.0.0.2', '']) {
      assert.equal(check(request('Host', host))?.status, 421, host);
    }
    assert.equal(check(request())?.code, 'host_not_allowed');
    assert.equal(check(request(':authority', 'sse.example.com')), undefined);
  });

  it('refuses an entry that is not a host name or address, or that has a port', () => {
    for (const name of ['sse.example.com:8080', 'http://sse.example.com', '*.example.com', '::1', '']) {
      assert.throws(() => createHostCheck([name]), /--allowed-host takes a host name/, name);
    }
  });
});

describe('Host on the reference server', () => {
  it('answers 400 to a request with two Host headers, on every route', async () => {
    const s = await startServer();
    after(() => s.app.close());
    for (const [first, second] of [['localhost', 'evil.example'], ['evil.example', 'localhost']]) {
      const body = '{"data":"x"}';
      const text = await rawExchange(
        s.port,
        `POST /publish HTTP/1.1\r\nHost: ${first}\r\nHost: ${second}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      assert.match(text, /^HTTP\/1\.1 400 /, `${first}, ${second}`);
    }
    assert.match(await rawExchange(s.port, 'GET /feed HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.equal(s.app.broker.stats.published, 0);
  });

  it('with --allowed-host, refuses a rebound name on every route with 421 and serves the allowed one', async () => {
    const s = await startServer({ allowedHosts: ['sse.example.com', '127.0.0.1'] });
    after(() => s.app.close());
    for (const path of ['/feed', '/metrics', '/health', '/', '/nope']) {
      const text = await rawExchange(s.port, `GET ${path} HTTP/1.1\r\nHost: rebind.evil.example:${s.port}\r\nConnection: close\r\n\r\n`);
      assert.match(text, /^HTTP\/1\.1 421 /, path);
      assert.match(text, /"code":"host_not_allowed"/, path);
    }
    assert.match(await rawExchange(s.port, 'GET /health HTTP/1.1\r\nHost: sse.example.com:8080\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /);
    assert.equal((await fetch(`${s.base}/health`)).status, 200);
  });

  it('over h2c, judges :authority the same way', async () => {
    const s = await startServer({ h2c: true, allowedHosts: ['127.0.0.1'] });
    const session = connect(s.base);
    after(async () => {
      session.destroy();
      await s.app.close();
    });
    const status = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = session.request({ ':path': '/health', ...headers });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.resume();
        req.end();
      });
    assert.equal(await status({}), 200);
    assert.equal(await status({ ':authority': 'rebind.evil.example' }), 421);
    assert.equal(await status({ ':authority': '127.0.0.1', host: 'evil.example' }), 400);
  });
});

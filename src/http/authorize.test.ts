import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { SseStream } from '../stream/sse-stream.js';
import type { Authorize } from '../options/hooks.js';
import { guardStream } from './authorize.js';

/** A plain node:http server that guards every stream with `authorize`, as a library user would. */
async function serve(authorize: Authorize, seen: { opened: number; errors: unknown[]; refused: number[] }): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    guardStream(req, res, authorize, () => {
      seen.opened++;
      const stream = new SseStream(req, res, { retryMs: 1000 });
      stream.send({ data: 'hello' });
    }, { onError: (error) => seen.errors.push(error), onRefused: (status) => seen.refused.push(status) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/feed', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (part: string) => {
        body += part;
        // A stream never ends by itself: the first event is enough.
        if (body.includes('data: hello')) req.destroy();
      });
      const done = (): void => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', (error) => (error.message === 'socket hang up' ? undefined : reject(error)));
    req.end();
  });
}

describe('guardStream', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });
  const start = async (authorize: Authorize) => {
    const seen = { opened: 0, errors: [] as unknown[], refused: [] as number[] };
    const { server, port } = await serve(authorize, seen);
    servers.push(server);
    return { port, seen };
  };

  it('starts the stream when a synchronous hook allows it', async () => {
    const { port, seen } = await start((req) => req.headers.cookie === 'session=ok');
    const allowed = await get(port, { cookie: 'session=ok' });
    assert.equal(allowed.status, 200);
    assert.match(allowed.body, /data: hello/);
    assert.equal(seen.opened, 1);
  });

  it('answers 403 with a JSON body and no stream byte when a hook says false', async () => {
    const { port, seen } = await start(() => false);
    const refused = await get(port);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(refused.body), { error: { code: 'forbidden', message: 'These credentials do not allow this stream.' } });
    assert.equal(seen.opened, 0);
    assert.deepEqual(seen.refused, [403]);
  });

  it('answers 401 with the hook’s challenge and message, asynchronously', async () => {
    const { port } = await start(async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return req.headers.authorization === 'Bearer good' ? true : { status: 401, message: 'Log in first.', headers: { 'www-authenticate': 'Bearer realm="feed"' } };
    });
    const refused = await get(port);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['www-authenticate'], 'Bearer realm="feed"');
    assert.equal((JSON.parse(refused.body) as { error: { message: string } }).error.message, 'Log in first.');
    assert.equal((await get(port, { authorization: 'Bearer good' })).status, 200);
  });

  it('answers 500 and hands the error on when the hook throws or rejects', async () => {
    const thrown = await start(() => {
      throw new Error('session store down');
    });
    assert.equal((await get(thrown.port)).status, 500);
    assert.equal((thrown.seen.errors[0] as Error).message, 'session store down');
    const rejected = await start(() => Promise.reject(new Error('timeout')));
    assert.equal((await get(rejected.port)).status, 500);
    assert.equal(rejected.seen.errors.length, 1);
  });

  it('writes nothing and starts nothing when the client left during an asynchronous check', async () => {
    let release: (value: boolean) => void = () => {};
    let called: (req: import('./types.js').SseRequest) => void = () => {};
    const checking = new Promise<import('./types.js').SseRequest>((resolve) => (called = resolve));
    const { port, seen } = await start((req) => {
      called(req);
      return new Promise<boolean>((resolve) => (release = resolve));
    });
    const req = request({ host: '127.0.0.1', port, path: '/feed' });
    req.on('error', () => {});
    req.end();
    const serverSide = await checking;
    const gone = new Promise((resolve) => serverSide.socket.once('close', resolve));
    req.destroy();
    await gone;
    release(true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.opened, 0);
  });
});

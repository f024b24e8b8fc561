import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Probe } from './probe.js';
import { unreachableReason } from './reach.js';

/** A loopback TCP server that does `onSocket` with each connection; closed after the tests. */
async function serve(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function reasonFor(url: string): Promise<string | undefined> {
  const probe = new Probe({ url, headers: [['Accept', 'text/event-stream']], timeoutMs: 2000 });
  // As the run asks after its first connection's head or end; a silent one is still open then.
  await probe.waitFor((p) => p.record.head !== undefined, 500);
  const reason = unreachableReason(probe.record);
  await probe.close();
  return reason;
}

const servers: Server[] = [];
const ports: Record<string, number> = {};

before(async () => {
  const behaviours: Record<string, (socket: Socket) => void> = {
    closes: (socket) => socket.once('data', () => socket.end()),
    resets: (socket) => socket.once('data', () => socket.resetAndDestroy()),
    junk: (socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n')),
    silent: (socket) => socket.on('error', () => {}),
    answers: (socket) => socket.once('data', () => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')),
  };
  for (const [name, behaviour] of Object.entries(behaviours)) {
    const { server, port } = await serve(behaviour);
    servers.push(server);
    ports[name] = port;
  }
  const { server, port } = await serve(() => {});
  await new Promise((resolve) => server.close(resolve));
  ports.closed = port;
});

after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

describe('unreachableReason', () => {
  it('names a refused connection, a close or reset before any answer, and an answer that is not HTTP', async () => {
    assert.match((await reasonFor(`http://127.0.0.1:${ports.closed}/`)) ?? '', /^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    assert.equal(await reasonFor(`http://127.0.0.1:${ports.closes}/`), 'the server closed the connection with no HTTP answer');
    assert.match((await reasonFor(`http://127.0.0.1:${ports.resets}/`)) ?? '', /^the connection was reset before any HTTP answer/);
    assert.match((await reasonFor(`http://127.0.0.1:${ports.junk}/`)) ?? '', /^the answer is not HTTP/);
  });

  it('names a TLS failure: https:// to a port that does not speak TLS', async () => {
    assert.match((await reasonFor(`https://127.0.0.1:${ports.answers}/`)) ?? '', /EPROTO .*wrong version number/);
  });

  it('counts any HTTP answer, even a 404, and a connection left silent, as reached', async () => {
    assert.equal(await reasonFor(`http://127.0.0.1:${ports.answers}/`), undefined);
    assert.equal(await reasonFor(`http://127.0.0.1:${ports.silent}/`), undefined);
  });
});

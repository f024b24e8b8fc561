import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fetchRaw, Probe } from './probe.js';

// A raw TCP server per test, answering exact bytes, so the probe sees what a broken server sends.
const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

async function rawServer(onRequest: (socket: Socket, request: string) => void): Promise<string> {
  const server = createServer((socket) => {
    let text = '';
    socket.on('data', (bytes) => {
      text += bytes.toString('latin1');
      if (text.includes('\r\n\r\n')) onRequest(socket, text);
    });
    socket.on('error', () => socket.destroy());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}/stream?x=1`;
}

describe('Probe', () => {
  it('writes the request byte for byte: method, path, Host, hostile header bytes and a body', async () => {
    let seen = '';
    const url = await rawServer((socket, request) => {
      seen = request;
      socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    });
    const record = await fetchRaw({
      url,
      method: 'POST',
      headers: [['Last-Event-ID', Buffer.from([0x31, 0x00, 0xe9])]],
      body: 'hi',
      timeoutMs: 2000,
    });
    assert.match(seen, /^POST \/stream\?x=1 HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nLast-Event-ID: 1\x00\xe9\r\nContent-Length: 2\r\n\r\nhi$/);
    assert.equal(record.head?.status, 204);
    assert.equal(record.framing, 'none');
    assert.equal(record.end, 'complete');
  });

  it('reads a Content-Length body to its end, after an interim 100 Continue', async () => {
    const url = await rawServer((socket) => socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA'));
    const record = await fetchRaw({ url, timeoutMs: 2000 });
    assert.equal(record.head?.status, 200);
    assert.equal(record.framing, 'length');
    assert.equal(record.body.toString(), 'hello');
    assert.equal(record.end, 'complete');
  });

  it('reads a close-delimited body until the server closes', async () => {
    const url = await rawServer((socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: x\n\n'));
    const record = await fetchRaw({ url, timeoutMs: 2000 });
    assert.equal(record.framing, 'close');
    assert.equal(record.end, 'closed');
    assert.equal(record.body.toString(), 'data: x\n\n');
  });

  it('records chunk sizes and arrival times, and a cut without the terminating chunk', async () => {
    const url = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
      setTimeout(() => socket.end('2\r\nde\r\n'), 150);
    });
    const record = await fetchRaw({ url, timeoutMs: 2000 });
    assert.equal(record.body.toString(), 'abcde');
    assert.deepEqual(record.chunkSizes, [3, 2]);
    assert.equal(record.end, 'closed');
    assert.equal(record.arrivals.length, 2);
    assert.ok((record.arrivals[1]?.atMs ?? 0) - (record.arrivals[0]?.atMs ?? 0) >= 100);
  });

  it('decodes a gzip body as a client would, keeping the wire arrivals', async () => {
    const url = await rawServer((socket) => {
      const body = gzipSync('data: zipped\n\n');
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    });
    const record = await fetchRaw({ url, timeoutMs: 2000 });
    assert.equal(record.body.toString(), 'data: zipped\n\n');
    assert.equal(record.wireArrivals.length, 1);
  });

  it('stops at its deadline when the server never answers, and on request', async () => {
    const url = await rawServer(() => undefined);
    const record = await fetchRaw({ url, timeoutMs: 100 });
    assert.equal(record.end, 'timeout');
    assert.equal(record.head, undefined);
    const probe = new Probe({ url, timeoutMs: 5000 });
    assert.equal(await probe.waitFor((p) => p.record.head !== undefined, 50), false);
    assert.equal((await probe.close()).end, 'stopped');
  });

  it('reports bad framing, a reset, and a refused connection', async () => {
    const garbage = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    assert.equal((await fetchRaw({ url: garbage, timeoutMs: 2000 })).end, 'bad-framing');
    const badChunk = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'));
    assert.equal((await fetchRaw({ url: badChunk, timeoutMs: 2000 })).end, 'bad-framing');
    const reset = await rawServer((socket) => socket.resetAndDestroy());
    assert.equal((await fetchRaw({ url: reset, timeoutMs: 2000 })).end, 'reset');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const refused = await fetchRaw({ url: `http://127.0.0.1:${port}/`, timeoutMs: 2000 });
    assert.equal(refused.end, 'error');
    assert.match(refused.error ?? '', /ECONNREFUSED/);
  });

  it('stops reading at maxBodyBytes', async () => {
    const url = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(5000)}`));
    const record = await fetchRaw({ url, timeoutMs: 2000, maxBodyBytes: 1000 });
    assert.equal(record.end, 'too-large');
  });
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { eventually } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';
import { SseStream } from './sse-stream.js';
import { WebSseStream } from './web-stream.js';

async function serveStreams(onStream: (stream: SseStream) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => onStream(new SseStream(req, res, { retryMs: 1000 })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('a single-client stream from an iterable', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  after(() => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('writes each item as it comes: strings as messages, objects as JSON, then ends', async () => {
    async function* tokens(): AsyncGenerator<string | { event: string; data: unknown }> {
      yield 'Hel';
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield 'lo';
      yield { event: 'done', data: { tokens: 2 } };
    }
    let outcome: string | undefined;
    const { server, port } = await serveStreams((stream) => void stream.sendFrom(tokens()).then((o) => (outcome = o)));
    servers.push(server);
    const client = await openStream(`http://127.0.0.1:${port}/`);
    await client.ended;
    assert.deepEqual(client.events.map((e) => [e.type, e.data]), [['message', 'Hel'], ['message', 'lo'], ['done', '{"tokens":2}']]);
    assert.equal(outcome, 'done');
  });

  it('pauses the source while the client does not read, and loses nothing once it does', async () => {
    const item = 'x'.repeat(64 * 1024);
    const total = 300;
    let produced = 0;
    function* source(): Generator<string> {
      for (; produced < total; ) {
        produced++;
        yield item;
      }
    }
    let stream: SseStream | undefined;
    const { server, port } = await serveStreams((s) => {
      stream = s;
      void s.sendFrom(source());
    });
    servers.push(server);
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    // Wait until the source stops advancing: the kernel's buffers are full and it waits for 'drain'.
    let last = -1;
    await eventually(() => {
      const still = produced === last;
      last = produced;
      return still && produced > 0;
    }, 10_000, 'the source to pause');
    assert.ok(produced < total / 2, `the source ran ahead to ${produced} of ${total} items`);
    assert.ok((stream?.pendingBytes ?? 0) <= 2 * item.length, `${stream?.pendingBytes} bytes queued in user space`);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    await eventually(() => produced === total && received >= total * item.length, 10_000, 'everything to arrive');
  });

  it('closes the source when the client leaves, so its finally runs', async () => {
    let cleaned = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) {
          yield String(i);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      } finally {
        cleaned = true;
      }
    }
    let outcome: string | undefined;
    const { server, port } = await serveStreams((stream) => void stream.sendFrom(endless()).then((o) => (outcome = o)));
    servers.push(server);
    const client = await openStream(`http://127.0.0.1:${port}/`);
    await client.waitFor((s) => s.events.length >= 3);
    client.close();
    await eventually(() => cleaned && outcome === 'closed', 3000, 'the source to be closed');
  });

  it('ends the stream and rejects with the source\'s error', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'one';
      throw new Error('model unavailable');
    }
    let failure: Error | undefined;
    const { server, port } = await serveStreams((stream) => void stream.sendFrom(failing()).catch((error: Error) => (failure = error)));
    servers.push(server);
    const client = await openStream(`http://127.0.0.1:${port}/`);
    await client.ended;
    assert.deepEqual(client.events.map((e) => e.data), ['one']);
    await eventually(() => failure !== undefined, 3000, 'the rejection');
    assert.equal(failure?.message, 'model unavailable');
  });

  it('works the same on a Web stream: the body pulls the source', async () => {
    let produced = 0;
    function* source(): Generator<{ data: unknown }> {
      for (; produced < 100; ) yield { data: { n: ++produced, pad: 'y'.repeat(4096) } };
    }
    const stream = new WebSseStream();
    const done = stream.sendFrom(source());
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nothing reads the body yet: the source waits once the body's queue is full (64 KiB).
    assert.ok(produced < 30, `produced ${produced} with no reader`);
    const text = await new Response(stream.response.body).text();
    assert.equal(await done, 'done');
    assert.equal(text.match(/^data: /gm)?.length, 100);
  });

  it('sendAndDrain resolves true once the socket takes more, false after the client left', async () => {
    let stream: SseStream | undefined;
    const { server, port } = await serveStreams((s) => (stream = s));
    servers.push(server);
    const client = await openStream(`http://127.0.0.1:${port}/`);
    await eventually(() => stream !== undefined);
    assert.equal(await stream?.sendAndDrain({ data: 'x'.repeat(1 << 20) }), true);
    client.close();
    await eventually(() => stream?.isClosed === true, 3000, 'the close');
    assert.equal(await stream?.sendAndDrain({ data: 'late' }), false);
  });
});

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, describe, it } from 'node:test';
import { serveFetch } from '../testing/fetch-server.js';
import { eventually } from '../testing/harness.js';
import { WebSseStream, type WebCloseReason } from './web-stream.js';

async function readAll(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

describe('WebSseStream', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('answers 200 with the event-stream headers, a retry hint first, then the events', async () => {
    const stream = new WebSseStream({ retryMs: 1000 });
    assert.equal(stream.response.status, 200);
    assert.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(stream.response.headers.get('cache-control'), 'no-cache, no-transform');
    stream.send({ event: 'greeting', data: 'hello\nworld' });
    stream.end(2000);
    const text = await readAll(stream.response);
    assert.match(text, /^retry: \d+\n\nevent: greeting\ndata: hello\ndata: world\n\nretry: \d+\n\n$/);
  });

  it('streams to Node\'s own fetch over loopback and closes when the client goes away', async () => {
    const closed: WebCloseReason[] = [];
    let stream: WebSseStream | undefined;
    const { server, base } = await serveFetch((request) => {
      stream = new WebSseStream({ signal: request.signal });
      stream.onClose((reason) => closed.push(reason));
      return stream.response;
    });
    servers.push(server);
    const abort = new AbortController();
    const response = await fetch(`${base}/`, { signal: abort.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    (stream as WebSseStream).send({ data: 'one' });
    while (!text.includes('data: one\n\n')) text += decoder.decode((await reader.read()).value, { stream: true });
    abort.abort();
    await eventually(() => closed.length === 1, 3000, 'the close');
    assert.deepEqual(closed, ['client']);
    assert.equal((stream as WebSseStream).send({ data: 'two' }), false);
  });

  it('cuts a consumer that does not read once maxPendingBytes wait', () => {
    const stream = new WebSseStream({ maxPendingBytes: 100_000 });
    const closed: WebCloseReason[] = [];
    stream.onClose((reason) => closed.push(reason));
    const chunk = new Uint8Array(30_000).fill(0x3a);
    let writes = 0;
    while (stream.write(chunk)) writes++;
    assert.equal(writes, 4);
    assert.deepEqual(closed, ['slow']);
    assert.equal(stream.isClosed, true);
  });

  it('drain() waits while the consumer is behind and resolves once it reads', async () => {
    const stream = new WebSseStream();
    assert.equal(await stream.drain(), true);
    stream.write(new Uint8Array(100_000));
    let drained: boolean | undefined;
    void stream.drain().then((value) => (drained = value));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(drained, undefined);
    const reader = (stream.response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.read();
    await eventually(() => drained === true, 3000, 'the drain');
    stream.end();
    assert.equal(await stream.drain(), false);
  });
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createFloorServer } from './floor-server.js';

describe('the floor server', () => {
  const server = createFloorServer();
  let port = 0;

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends a burst to every stream as one write of plain SSE, no chunk framing', { timeout: 5000 }, async () => {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (part: string) => (text += part));
    while (!text.includes('\r\n\r\n')) await once(socket, 'data');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /content-type: text\/event-stream/i);
    assert.doesNotMatch(text, /transfer-encoding/i);

    const answer = await fetch(`http://127.0.0.1:${port}/bench/burst`, { method: 'POST', body: JSON.stringify({ count: 3, data: 'x' }) });
    assert.equal(answer.status, 202);
    assert.deepEqual(await answer.json(), { id: '3' });
    while (!text.includes('id: 3\n')) await once(socket, 'data');
    assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4), 'id: 1\ndata: x\n\nid: 2\ndata: x\n\nid: 3\ndata: x\n\n');
    socket.destroy();
  });

  it('answers 400 to a publish that is not JSON and 404 elsewhere', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${port}/publish`, { method: 'POST', body: '{' })).status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nothing`)).status, 404);
  });
});

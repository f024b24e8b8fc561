import assert from 'node:assert/strict';
import { constants, createSecureServer } from 'node:http2';
import { describe, it } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { makeCertificate } from 'sse-reference/testing';
import { httpsPool } from './fixtures/https-pool.js';
import { serveRawH2 } from './fixtures/raw-h2.js';
import { H2Probe } from './h2-probe.js';

const certificate = makeCertificate();
const listen = httpsPool();

describe('H2Probe', () => {
  it('records the status, the fields and the body with arrival times', async () => {
    const base = await listen(
      createSecureServer(certificate, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('retry: 1000\n\n');
      }),
    );
    const probe = new H2Probe({ url: `${base}/feed?x=1`, headers: { accept: 'text/event-stream' }, insecure: true, timeoutMs: 3000 });
    assert.ok(await probe.waitFor((p) => p.body.length >= 13, 2000));
    const record = await probe.close();
    assert.equal(record.status, 200);
    assert.deepEqual(record.headers.find(([name]) => name === 'content-type'), ['content-type', 'text/event-stream']);
    assert.equal(record.body.toString(), 'retry: 1000\n\n');
    assert.equal(record.arrivals[0]?.offset, 0);
    assert.equal(record.end, 'stopped');
  });

  // RFC 9113 §8.2.2: what Node's client (nghttp2) does with each field a browser refuses too.
  for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
    it(`sees the stream reset with PROTOCOL_ERROR and no header when the response carries ${name}`, async () => {
      const server = createTlsServer({ ...certificate, ALPNProtocols: ['h2'] }, (socket) => serveRawH2(socket, [[name, name === 'transfer-encoding' ? 'chunked' : 'keep-alive']], ': hi\n\n'));
      const probe = new H2Probe({ url: `${await listen(server)}/`, insecure: true, timeoutMs: 3000 });
      const record = await probe.done;
      assert.equal(record.end, 'reset');
      assert.equal(record.rstCode, constants.NGHTTP2_PROTOCOL_ERROR);
      assert.equal(record.status, undefined);
      assert.deepEqual(record.headers, []);
    });
  }

  it('ends with an error when the server does not speak h2', async () => {
    const server = createTlsServer({ ...certificate, ALPNProtocols: ['http/1.1'] }, (socket) => socket.end());
    const record = await new H2Probe({ url: `${await listen(server)}/`, insecure: true, timeoutMs: 3000 }).done;
    assert.equal(record.end, 'error');
    assert.notEqual(record.error, undefined);
  });

  it('ends with an error when a request field is one Node refuses to send', async () => {
    const server = createSecureServer(certificate, () => {});
    const record = await new H2Probe({ url: `${await listen(server)}/`, headers: { connection: 'close' }, insecure: true, timeoutMs: 3000 }).done;
    assert.equal(record.end, 'error');
    assert.match(record.error ?? '', /connection/i);
  });

  it('gives up at its deadline when nothing is answered', async () => {
    const server = createSecureServer(certificate, () => {});
    const probe = new H2Probe({ url: `${await listen(server)}/`, insecure: true, timeoutMs: 200 });
    assert.equal(await probe.waitFor((p) => p.record.status !== undefined, 1000), false);
    assert.equal((await probe.done).end, 'timeout');
  });
});

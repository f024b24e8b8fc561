import assert from 'node:assert/strict';
import { constants, createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { makeCertificate } from 'sse-reference/testing';
import { httpsPool } from '../fixtures/https-pool.js';
import type { Observation } from '../observation.js';
import { resolveTarget } from '../target.js';
import type { Context } from './context.js';
import type { CheckResult } from './result.js';
import { checkHttp2 } from './http2.js';

const certificate = makeCertificate();
const listen = httpsPool();

/** HTTPS offering h2: `/publish` answers `publishStatus`, the stream over h2 does what `overH2` says. */
function server(overH2: (req: Http2ServerRequest, res: Http2ServerResponse) => void, publishStatus = 202): Server {
  return createSecureServer({ ...certificate, allowHTTP1: true }, (req, res) => {
    if (req.url === '/publish') return void res.writeHead(publishStatus).end();
    overH2(req, res);
  });
}

// Only what checkHttp2 reads: the stream URL, the target, the wait for answers and the marker.
async function run(base: string, publish = true): Promise<Record<string, CheckResult>> {
  const target = resolveTarget({ url: `${base}/stream`, ...(publish ? { publishUrl: `${base}/publish` } : {}), insecure: true, timeoutMs: 600 });
  const context = { target, observation: { url: target.url } as Observation, answerWaitMs: 400, nonce: 'sse-conformance test' } as Context;
  return Object.fromEntries((await checkHttp2(context)).map((r) => [r.id, r]));
}

describe('the HTTP/2 checks say why a rule could not be judged', () => {
  it('are n/a when there is no TLS handshake', async () => {
    const base = await listen(createServer((socket) => socket.destroy()));
    const results = await run(base);
    for (const id of ['SSE-S17', 'SSE-M11', 'SSE-M14']) assert.equal(results[id]?.evidence, 'no TLS handshake', id);
  });

  it('gives the reset code when the server refuses the HTTP/2 stream', async () => {
    const results = await run(await listen(server((req) => req.stream.close(constants.NGHTTP2_REFUSED_STREAM))));
    assert.equal(results['SSE-S17']?.status, 'pass');
    assert.equal(results['SSE-M11']?.status, 'n/a');
    assert.match(results['SSE-M11']?.evidence ?? '', /no HTTP\/2 response headers within 400 ms \(reset with code 7/);
    assert.match(results['SSE-M14']?.evidence ?? '', /^the HTTP\/2 stream ended before an event could be timed/);
  });

  it('does not time a stream that answers 404 over HTTP/2', async () => {
    const results = await run(await listen(server((_req, res) => res.writeHead(404).write('not here'))));
    assert.equal(results['SSE-M11']?.status, 'pass');
    assert.equal(results['SSE-M14']?.evidence, 'the stream answered 404 over HTTP/2');
  });

  it('does not time an event that was not published, or without --publish', async () => {
    const stream = (_req: Http2ServerRequest, res: Http2ServerResponse): void => void res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': hi\n\n');
    const refused = await run(await listen(server(stream, 503)));
    assert.equal(refused['SSE-M14']?.evidence, 'the publish was not accepted (503)');
    const unpublished = await run(await listen(server(stream)), false);
    assert.equal(unpublished['SSE-M14']?.evidence, 'needs --publish to time an event over HTTP/2');
  });

  it('fails SSE-M14 when neither headers nor the event come over HTTP/2, and says the headers were held', async () => {
    const results = await run(await listen(server(() => {})));
    assert.equal(results['SSE-M11']?.status, 'n/a');
    assert.equal(results['SSE-M14']?.status, 'fail');
    assert.match(results['SSE-M14']?.evidence ?? '', /never arrived over HTTP\/2 within 600 ms; the headers had not come after 400 ms/);
  });
});

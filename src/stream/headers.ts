import type { OutgoingHttpHeaders } from 'node:http';
import type { SseRequest } from '../http/types.js';

// #region headers
const HTTP2_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
});
const HTTP1_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({ ...HTTP2_HEADERS, connection: 'keep-alive' });
// #endregion headers

/**
 * The response headers of an event stream, built once and shared (frozen: copy to add to them).
 *
 * - the media type in lowercase with its charset: some clients compare it case-sensitively;
 * - `no-transform` keeps compressing middleware off the stream (a gzip layer holds events back);
 * - `X-Accel-Buffering: no` turns nginx-style proxy buffering off for this response;
 * - `Connection: keep-alive` only on HTTP/1.x: it is a connection-specific header that HTTP/2
 *   forbids (RFC 9113 §8.2.2).
 *
 * No `Content-Length` and no `Transfer-Encoding`: Node chunks an HTTP/1.1 body of unknown length.
 *
 * @param req - the request, to tell HTTP/1.x from HTTP/2
 */
export function streamHeaders(req: SseRequest): Readonly<OutgoingHttpHeaders> {
  return req.httpVersionMajor === 1 ? HTTP1_HEADERS : HTTP2_HEADERS;
}

/**
 * A reconnection delay spread by ±`spread` around `baseMs`, so that clients dropped together
 * (a restart, a full server) do not all come back in the same millisecond.
 *
 * @param baseMs - the middle of the range
 * @param spread - the fraction either side @defaultValue 0.2
 * @param random - a source in [0, 1) @defaultValue Math.random
 */
export function jitter(baseMs: number, spread = 0.2, random: () => number = Math.random): number {
  return Math.round(baseMs * (1 - spread + 2 * spread * random()));
}

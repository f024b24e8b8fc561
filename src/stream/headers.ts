import type { OutgoingHttpHeaders } from 'node:http';
import type { SseRequest } from '../http/types.js';

/** The headers of every event stream, on any HTTP version and in a Web `Response`. */
// #region headers
export const STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
});
const HTTP11_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({ ...STREAM_HEADERS, connection: 'keep-alive' });
// #endregion headers

/**
 * Extra response headers: Node's `OutgoingHttpHeaders` (what `res.getHeaders()` and Fastify's
 * `reply.getHeaders()` return), or plain strings.
 */
export type StreamHeaders = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/**
 * The response headers of an event stream, built once and shared (frozen: copy to add to them).
 *
 * - the media type in lowercase with its charset: some clients compare it case-sensitively;
 * - `no-transform` keeps compressing middleware off the stream (a gzip layer holds events back);
 * - `X-Accel-Buffering: no` turns nginx-style proxy buffering off for this response;
 * - `Connection: keep-alive` only on HTTP/1.1: it is a connection-specific header that HTTP/2
 *   forbids (RFC 9113 §8.2.2), and an HTTP/1.0 body without a length is delimited by the close
 *   (RFC 9112 §6.3), which keep-alive would contradict.
 *
 * No `Content-Length` and no `Transfer-Encoding`: Node chunks an HTTP/1.1 body of unknown length.
 *
 * @param req - the request, to tell HTTP/1.1 from HTTP/1.0 and HTTP/2
 */
export function streamHeaders(req: SseRequest): Readonly<OutgoingHttpHeaders> {
  return req.httpVersionMajor === 1 && req.httpVersionMinor === 1 ? HTTP11_HEADERS : STREAM_HEADERS;
}

/**
 * `base` with the caller's extra headers over it, in a form `writeHead` takes: a header set to
 * `undefined` is left out (Node would throw on it), as `res.getHeaders()` may hold one.
 */
export function withHeaders(base: Readonly<OutgoingHttpHeaders>, extra: StreamHeaders | undefined): Readonly<OutgoingHttpHeaders> {
  if (extra === undefined) return base;
  const headers: OutgoingHttpHeaders = { ...base };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) headers[name] = value as OutgoingHttpHeaders[string];
  return headers;
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

import type { SseRequest } from '../http/types.js';

/**
 * The cursor a request carries: its `Last-Event-ID` header, or else its `?lastEventId=` query
 * parameter, which serves first connects and clients that cannot set headers (a re-created
 * `EventSource`). The header wins: a browser's own reconnect sends the newer id there.
 *
 * @param req - a `node:http` or `node:http2` request
 * @returns the raw value, for a strict parser; undefined when there is none
 */
export function lastEventIdOf(req: SseRequest): string | readonly string[] | undefined {
  // #region cursor
  const header = req.headers['last-event-id'];
  // An empty header carries no cursor, as if absent: the query may still hold one.
  if (header !== undefined && header !== '') return header;
  return queryCursor(req.url) ?? undefined;
  // #endregion cursor
}

/** {@link lastEventIdOf} for a Web-standard `Request`. */
export function lastEventIdOfRequest(request: Request): string | undefined {
  const header = request.headers.get('last-event-id');
  if (header !== null && header !== '') return header;
  return queryCursor(request.url) ?? undefined;
}

/**
 * The `?lastEventId=` parameter of a request target, or null. Most streams have no query, and
 * parsing a URL is a fifth of what a new stream costs in JavaScript, so it is parsed only when
 * there is one.
 *
 * @param url - the request target, as `req.url` holds it (or a whole URL)
 */
export function queryCursor(url: string | undefined): string | null {
  if (url === undefined || !url.includes('?')) return null;
  return new URL(url, 'http://localhost').searchParams.get('lastEventId');
}

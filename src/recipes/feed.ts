import type { Broker, FeedStart } from '../history/broker.js';
import type { SseStream } from '../stream/sse-stream.js';
import type { SseRequest } from '../http/types.js';

/**
 * The reconnection recipe: one feed shared by every client, resumed from `Last-Event-ID`.
 *
 * The header wins over the `?lastEventId=` query parameter, which serves first connects and
 * clients that cannot set headers. Whatever the value, the answer is a stream: exact replay, or a
 * `reset` event that says why, never an error status (an `EventSource` gives up for good on one).
 *
 * @param stream - an open stream
 * @param req - the request, for the cursor
 * @param broker - where the feed's events live
 * @returns what was decided, for counting
 */
export function feedRecipe(stream: SseStream, req: SseRequest, broker: Broker): Promise<FeedStart> {
  // #region feed
  const query = queryCursor(req.url);
  // An empty header carries no cursor, as if absent: the query may still hold one.
  const header = req.headers['last-event-id'];
  stream.onClose(() => broker.unsubscribe(stream));
  return broker.subscribe(stream, header === undefined || header === '' ? (query ?? undefined) : header);
  // #endregion feed
}

/**
 * The `?lastEventId=` parameter of a request target, or null. Most streams have no query, and
 * parsing a URL is a fifth of what a new stream costs in JavaScript, so it is parsed only when
 * there is one.
 *
 * @param url - the request target, as `req.url` holds it
 */
export function queryCursor(url: string | undefined): string | null {
  if (url === undefined || !url.includes('?')) return null;
  return new URL(url, 'http://localhost').searchParams.get('lastEventId');
}

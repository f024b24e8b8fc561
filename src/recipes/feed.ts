import type { Broker, FeedStart } from '../history/broker.js';
import type { SseStream } from '../stream/sse-stream.js';
import type { SseRequest } from '../http/types.js';
import { lastEventIdOf } from '../protocol/last-event-id.js';

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
  stream.onClose(() => broker.unsubscribe(stream));
  return broker.subscribe(stream, lastEventIdOf(req));
  // #endregion feed
}

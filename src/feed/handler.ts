import type { Broker, FeedStart } from '../history/broker.js';
import type { SseRequest } from '../http/types.js';
import { bump, type Counters } from '../metrics/metrics.js';
import { lastEventIdOf } from '../protocol/last-event-id.js';
import type { Admission, StreamHandler } from '../stream/admission.js';
import type { SseStream } from '../stream/sse-stream.js';

/**
 * `GET /feed`: one feed shared by every client, resumed from `Last-Event-ID`.
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
export function subscribeFeed(stream: SseStream, req: SseRequest, broker: Broker): Promise<FeedStart> {
  // #region feed
  stream.onClose(() => broker.unsubscribe(stream));
  return broker.subscribe(stream, lastEventIdOf(req));
  // #endregion feed
}

/**
 * The `/feed` path's handler for {@link Admission.route}: serves each admitted stream
 * ({@link subscribeFeed}) and counts how it started: a resume, a reset and its reason, or a broker
 * that could not serve it now. A broker that fails outright ends the stream with a `retry:` hint,
 * so the client comes back rather than hangs.
 */
export function feedHandler(broker: Broker, counters: Counters, retryMs: number): StreamHandler {
  return (stream, req) => {
    subscribeFeed(stream, req, broker).then(
      (start) => {
        if (start.kind === 'replay') counters.resumed++;
        else if (start.kind === 'reset') bump(counters.resets, start.reason);
        else if (start.kind === 'retry-later') bump(counters.refused, 'store');
      },
      () => stream.end(retryMs),
    );
  };
}

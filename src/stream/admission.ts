import { guardStream } from '../http/authorize.js';
import { hasBody } from '../http/body.js';
import { clientAddress, type TrustedProxies } from '../http/client-address.js';
import { sendError } from '../http/json.js';
import type { Route } from '../http/router.js';
import type { SseRequest, SseResponse } from '../http/types.js';
import { clientKey, type Lease, type Limiter } from '../limits/limiter.js';
import { bump, type Counters } from '../metrics/metrics.js';
import type { Authorize } from '../options/hooks.js';
import type { Heartbeat } from './heartbeat.js';
import { answerHead } from './method.js';
import { refuseStream } from './refuse.js';
import { SseStream } from './sse-stream.js';

/** What a path does with a stream once it is admitted and open. */
export type StreamHandler = (stream: SseStream, req: SseRequest) => void;

/** Options of {@link createAdmission}. */
export interface AdmissionOptions {
  /** The global and per-client caps. */
  readonly limiter: Limiter;
  /** Proxies whose forwarding headers name the client whose slot is counted. */
  readonly trusted: TrustedProxies;
  /** The hook run before any byte of a stream (`authorize`). */
  readonly authorize?: Authorize | undefined;
  /** The `retry:` hint of a refusal when a cap is full, and of every stream. */
  readonly retryMs: number;
  /** The `retry:` hint once shutting down (see `shutdownRetryMs`). */
  readonly closingRetryMs: number;
  readonly maxPendingBytes: number;
  readonly stallTimeoutMs: number;
  readonly heartbeat: Heartbeat;
  /** Where refusals, opened streams and cut clients are counted. */
  readonly counters: Counters;
}

/** Who gets a stream: the checks before the first byte, and the streams open now. */
export interface Admission {
  /** Streams open now, on every path. */
  readonly openStreams: number;
  /** Checks a stream request and, if it passes, opens the stream and hands it to `handler`. */
  admit(req: SseRequest, res: SseResponse, handler: StreamHandler): void;
  /** A stream path for the router: `GET` admitted to `handler`, `HEAD` answered with the headers alone. */
  route(handler: StreamHandler): Route;
  /** From now on every stream request is refused with the closing `retry:` hint. */
  refuseNew(): void;
  /** Ends every open stream with the closing `retry:` hint. */
  endAll(): void;
}

/**
 * Stream admission, in order: no request body, not shutting down, a slot under the caps, then the
 * `authorize` hook; a stream opens only when all four pass. A full cap is a short `200` stream
 * with a `retry:` hint (an error status would make an `EventSource` give up for good); a refused
 * hook is its `401`/`403`.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const { limiter, counters } = options;
  const streams = new Set<SseStream>();
  let isClosing = false;

  function admit(req: SseRequest, res: SseResponse, handler: StreamHandler): void {
    // A body on a stream request would be read under requestTimeout, which then kills the stream.
    if (hasBody(req)) return sendError(res, 400, 'body_not_allowed', 'A stream request must not carry a body.');
    if (isClosing) return refuseStream(req, res, options.closingRetryMs, 'shutting down');
    // #region admission
    const lease = limiter.acquire(clientKey(clientAddress(req, options.trusted)));
    if (typeof lease === 'string') {
      bump(counters.refused, lease);
      refuseStream(req, res, options.retryMs, lease === 'global' ? 'server full' : 'too many streams from your address');
      return;
    }
    // #endregion admission
    const { authorize } = options;
    if (authorize === undefined) return start(req, res, handler, lease);
    // The slot is held while the hook runs, so checks in flight count against the caps too (a
    // client cannot keep hundreds of slow checks going), and goes back with the response,
    // whatever ends it: a refusal, a failed check, a client that left.
    res.once('close', () => lease.release());
    // Before the first byte: a refusal must be a status, and the stream's headers would be one.
    guardStream(req, res, authorize, () => start(req, res, handler, lease), {
      onRefused: (status) => bump(counters.streamsUnauthorized, String(status)),
      onError: () => bump(counters.streamsUnauthorized, '500'),
    });
  }

  function start(req: SseRequest, res: SseResponse, handler: StreamHandler, lease: Lease): void {
    // An asynchronous check may have outlasted the start of a shutdown.
    if (isClosing) return refuseStream(req, res, options.closingRetryMs, 'shutting down');
    const stream = new SseStream(req, res, {
      retryMs: options.retryMs,
      maxPendingBytes: options.maxPendingBytes,
      stallTimeoutMs: options.stallTimeoutMs,
      heartbeat: options.heartbeat,
    });
    streams.add(stream);
    counters.streamsOpened++;
    stream.onClose((reason) => {
      streams.delete(stream);
      lease.release();
      if (reason === 'slow' || reason === 'stalled') bump(counters.slowCut, reason);
    });
    handler(stream, req);
  }

  return {
    get openStreams() {
      return streams.size;
    },
    admit,
    route: (handler) => ({
      allow: 'GET, HEAD, OPTIONS',
      corsHeaders: 'last-event-id',
      // Node sends nothing for HEAD until end(): answer the headers and finish at once.
      handle: (req, res) => (req.method === 'HEAD' ? answerHead(req, res) : admit(req, res, handler)),
    }),
    refuseNew() {
      isClosing = true;
    },
    endAll() {
      for (const stream of streams) stream.end(options.closingRetryMs);
    },
  };
}

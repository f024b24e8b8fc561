import type { Authorize, AuthorizeResult } from '../options/hooks.js';
import { sendError } from './json.js';
import type { SseRequest, SseResponse } from './types.js';

const DEFAULT_MESSAGES = { 401: 'This stream needs credentials.', 403: 'These credentials do not allow this stream.' } as const;

/** Told of what {@link guardStream} decided, e.g. for counters or a log. */
export interface GuardEvents {
  /** The hook threw or rejected: the client got `500`. */
  readonly onError?: (error: unknown) => void;
  /** The hook refused: the client got this status. */
  readonly onRefused?: (status: 401 | 403) => void;
}

/**
 * Runs `authorize` for a stream request, then calls `proceed` if it allowed the request and the
 * client is still there. A refusal is answered here (`401`/`403`, a JSON body, `Cache-Control:
 * no-store`); a hook that throws or rejects is answered `500` and its error handed to `onError`,
 * never swallowed. A synchronous hook runs synchronously, so a server without an asynchronous
 * check pays nothing for the feature.
 *
 * @example
 * ```ts
 * http.createServer((req, res) => {
 *   guardStream(req, res, (r) => sessions.has(cookieOf(r)), () => {
 *     const stream = new SseStream(req, res);
 *     // … subscribe it
 *   }, { onError: (error) => console.error('authorize failed', error) });
 * });
 * ```
 */
export function guardStream(
  req: SseRequest,
  res: SseResponse,
  authorize: Authorize,
  proceed: () => void,
  events: GuardEvents = {},
): void {
  let result: AuthorizeResult | Promise<AuthorizeResult>;
  try {
    result = authorize(req);
  } catch (error) {
    failed(res, error, events);
    return;
  }
  if (!(result instanceof Promise)) {
    decide(res, result, proceed, events);
    return;
  }
  result.then(
    (answer) => {
      // The client may have left while the check ran: nothing to answer, no stream to start.
      if (res.destroyed || res.headersSent) return;
      decide(res, answer, proceed, events);
    },
    (error: unknown) => failed(res, error, events),
  );
}

function decide(res: SseResponse, result: AuthorizeResult, proceed: () => void, events: GuardEvents): void {
  if (result === true) {
    proceed();
    return;
  }
  const refusal = result === false ? { status: 403 as const } : result;
  const code = refusal.status === 401 ? 'unauthorized' : 'forbidden';
  events.onRefused?.(refusal.status);
  sendError(res, refusal.status, code, refusal.message ?? DEFAULT_MESSAGES[refusal.status], { ...refusal.headers });
}

function failed(res: SseResponse, error: unknown, events: GuardEvents): void {
  if (!res.destroyed && !res.headersSent) sendError(res, 500, 'authorize_failed', 'The authorization check failed.');
  events.onError?.(error);
}

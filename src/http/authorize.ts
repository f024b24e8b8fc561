import { sendError } from './json.js';
import type { SseRequest, SseResponse } from './types.js';

/**
 * What an {@link Authorize} hook answers: `true` lets the stream start; `false` refuses with
 * `403`; an object refuses with its status (`401` when credentials are missing or wrong, with a
 * `WWW-Authenticate` header if you have a scheme to name; `403` when they are fine but not enough).
 */
export type AuthorizeResult =
  | boolean
  | {
      readonly status: 401 | 403;
      /** Said in the JSON body. @defaultValue a sentence for the status */
      readonly message?: string;
      /** Extra response headers, e.g. `{ 'www-authenticate': 'Bearer realm="feed"' }`. */
      readonly headers?: Readonly<Record<string, string>>;
    };

/**
 * Decides whether a request may open a stream, before any byte of it is written. May be
 * synchronous (a signed cookie checked in memory) or asynchronous (a session store).
 *
 * A refusal is an HTTP error status, and a browser's `EventSource` that gets one fails for good:
 * it fires `error`, goes to `CLOSED` and does not reconnect. That is the right end for a client
 * that is not allowed in (retrying every few seconds would not change the answer); the page
 * learns it from `readyState === EventSource.CLOSED` and can send the user to log in.
 */
export type Authorize = (req: SseRequest) => AuthorizeResult | Promise<AuthorizeResult>;

const DEFAULT_MESSAGES = { 401: 'This stream needs credentials.', 403: 'These credentials do not allow this stream.' } as const;

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
 *   });
 * });
 * ```
 */
export function guardStream(
  req: SseRequest,
  res: SseResponse,
  authorize: Authorize,
  proceed: () => void,
  onError: (error: unknown) => void = () => {},
): void {
  let result: AuthorizeResult | Promise<AuthorizeResult>;
  try {
    result = authorize(req);
  } catch (error) {
    failed(res, error, onError);
    return;
  }
  if (!(result instanceof Promise)) {
    decide(res, result, proceed);
    return;
  }
  result.then(
    (answer) => {
      // The client may have left while the check ran: nothing to answer, no stream to start.
      if (res.destroyed || res.headersSent) return;
      decide(res, answer, proceed);
    },
    (error: unknown) => failed(res, error, onError),
  );
}

function decide(res: SseResponse, result: AuthorizeResult, proceed: () => void): void {
  if (result === true) {
    proceed();
    return;
  }
  const refusal = result === false ? { status: 403 as const } : result;
  const code = refusal.status === 401 ? 'unauthorized' : 'forbidden';
  sendError(res, refusal.status, code, refusal.message ?? DEFAULT_MESSAGES[refusal.status], { ...refusal.headers });
}

function failed(res: SseResponse, error: unknown, onError: (error: unknown) => void): void {
  if (!res.destroyed && !res.headersSent) sendError(res, 500, 'authorize_failed', 'The authorization check failed.');
  onError(error);
}

import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

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
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#fail-the-connection
 */
export type Authorize = (req: IncomingMessage | Http2ServerRequest) => AuthorizeResult | Promise<AuthorizeResult>;

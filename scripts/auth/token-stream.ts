import type { IncomingMessage, ServerResponse } from 'node:http';
import { guardStream, type Authorize, type Channel } from 'sse-reference';

/** What a valid token grants: whose it is, and until when (ms since the epoch). */
export interface Grant {
  readonly subject: string;
  readonly expiresAt: number;
}

/** Options of {@link tokenStream}. */
export interface TokenStreamOptions {
  /** The reader's token, from `Authorization: Bearer …`: its grant, or undefined when it is not valid. */
  readonly verify: (token: string) => Grant | undefined | Promise<Grant | undefined>;
  /** The `retry:` hint at the start and at the end of each stream. @defaultValue 1000 */
  readonly retryMs?: number;
}

// setTimeout fires at once for a delay past 2^31 − 1 ms (about 24.8 days): cap it.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A stream handler for readers with a bearer token. The token is checked when the stream opens,
 * and the stream is ended, with a `retry:` hint, when the token expires: the client comes back
 * with a fresh token and its `Last-Event-ID`, so a credential never outlives its expiry on an open
 * stream and the reader loses nothing.
 *
 * @example
 * ```ts
 * createServer(tokenStream(channel, { verify: (token) => grants.get(token) })).listen(8080);
 * ```
 */
export function tokenStream(channel: Channel, options: TokenStreamOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const retryMs = options.retryMs ?? 1000;
  return (req, res) => {
    let grant: Grant | undefined;
    const authorize: Authorize = async (request) => {
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
      grant = token === undefined ? undefined : await options.verify(token);
      if (grant !== undefined && grant.expiresAt > Date.now()) return true;
      return { status: 401, headers: { 'www-authenticate': 'Bearer realm="feed"' } };
    };
    guardStream(req, res, authorize, () => {
      const { expiresAt } = grant as Grant;
      // #region token-expiry
      const stream = channel.attach(req, res, { retryMs });
      if (stream === undefined) return; // HEAD, or a method answered 405: no stream to end
      // The token was checked once, as the stream opened. End the stream when it expires: the
      // reconnect carries a fresh token (checked again) and Last-Event-ID (nothing is lost).
      const timer = setTimeout(() => stream.end(retryMs), Math.min(expiresAt - Date.now(), MAX_TIMER_MS));
      stream.onClose(() => clearTimeout(timer));
      // #endregion token-expiry
    });
  };
}

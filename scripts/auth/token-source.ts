/** A token and its expiry (ms since the epoch), as your API hands it out. */
export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * The token a client sends with each request: the one it holds, or a new one from `issue` when it
 * expires within `marginMs`. Concurrent callers share one refresh.
 *
 * @param issue - asks your API for a token, with the page's own credentials (a cookie, say)
 */
export function tokenSource(issue: () => Promise<IssuedToken>, marginMs = 5000): () => Promise<string> {
  let held: IssuedToken | undefined;
  let refreshing: Promise<IssuedToken> | undefined;
  return async () => {
    if (held === undefined || held.expiresAt - Date.now() < marginMs) {
      refreshing ??= issue().finally(() => (refreshing = undefined));
      held = await refreshing;
    }
    return held.token;
  };
}

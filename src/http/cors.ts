/** Options of {@link createCorsPolicy}. */
export interface CorsOptions {
  /** Exact origins allowed to read the streams and publish, e.g. `https://app.example`. */
  readonly origins: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` to allowed origins. @defaultValue false */
  readonly credentials?: boolean;
  /** Request headers every preflight allows besides the route's own, e.g. `authorization`. @defaultValue none */
  readonly allowHeaders?: readonly string[];
}

/** What a route allows, for the preflight answer. */
export interface CorsRoute {
  readonly methods: string;
  readonly headers: string;
}

/** Decides the CORS headers of each response. */
export interface CorsPolicy {
  /** Headers for an actual response to a request from `origin` (none when it is not allowed). */
  headersFor(origin: string | undefined): Record<string, string>;
  /** Headers for a preflight from `origin` to a route (none when the origin is not allowed). */
  preflight(origin: string | undefined, route: CorsRoute): Record<string, string>;
}

/**
 * A CORS policy by allow-list. Off (no header at all) when the list is empty.
 *
 * The allowed origin is echoed exactly, never `*`, with `Vary: Origin` so a cache never serves one
 * origin's answer to another. The stream routes allow the `Last-Event-ID` request header in the
 * preflight: an `EventSource` never preflights its reconnects, but a `fetch()`-based client that
 * resumes by setting that header itself is preflighted for it (it is not CORS-safelisted).
 * `allowHeaders` adds more, such as `authorization` for a `fetch()` client that sends a token.
 *
 * @throws TypeError when an origin is `*` or not an origin (`scheme://host[:port]`), or a header
 * is `*` or not a header name
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function createCorsPolicy(options: CorsOptions): CorsPolicy {
  const allowed = new Set(options.origins.map(checkOrigin));
  const credentials: Record<string, string> = options.credentials === true ? { 'access-control-allow-credentials': 'true' } : {};
  const vary: Record<string, string> = allowed.size > 0 ? { vary: 'Origin' } : {};
  const allow = (origin: string | undefined): origin is string => origin !== undefined && allowed.has(origin);
  const extra = (options.allowHeaders ?? []).map(checkHeaderName);
  const headersOf = (route: CorsRoute): string => [...(route.headers === '' ? [] : [route.headers]), ...extra].join(', ');
  // #region cors
  return {
    headersFor(origin) {
      return allow(origin) ? { ...vary, 'access-control-allow-origin': origin, ...credentials } : vary;
    },
    preflight(origin, route) {
      if (!allow(origin)) return vary;
      return {
        ...vary,
        'access-control-allow-origin': origin,
        ...credentials,
        'access-control-allow-methods': route.methods,
        'access-control-allow-headers': headersOf(route),
        'access-control-max-age': '600',
      };
    },
  };
  // #endregion cors
}

function checkOrigin(origin: string): string {
  if (origin === '*') {
    throw new TypeError('CORS origins must be listed one by one; "*" would let any site read the streams.');
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.origin !== origin) {
    throw new TypeError(`${JSON.stringify(origin)} is not an origin; write it as scheme://host[:port], with no path or trailing slash.`);
  }
  return origin;
}

function checkHeaderName(name: string): string {
  // RFC 9110 §5.1: a field name is a token. "*" would allow every header, and not at all with credentials.
  if (!/^[!#$%&'+.^_`|~0-9a-z-]+$/i.test(name)) {
    throw new TypeError(`--cors-allow-header takes a header name (e.g. authorization), one per flag, got ${JSON.stringify(name)}.`);
  }
  return name.toLowerCase();
}

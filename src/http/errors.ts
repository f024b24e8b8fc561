/** One way an {@link HTTP_ERRORS} code comes about. */
export interface HttpErrorUse {
  /** The routes that answer it (Markdown). */
  readonly route: string;
  readonly when: string;
}

/** What {@link HTTP_ERRORS} says about one code. */
export interface HttpErrorSpec {
  readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 421 | 429 | 500 | 503;
  readonly uses: readonly HttpErrorUse[];
}

// The event refusals POST /publish passes on as they are: the library's codes and statuses
// (SSE_ERRORS in protocol/errors.ts, which this room may not import; a test holds the two equal).
const EVENT_REFUSED = { route: '`POST /publish`', when: 'the event is refused: its `statusCode` (table above)' } as const;

// #region http-errors
/**
 * Every `code` of an error the reference server answers, with its status and when: the body is
 * `{"error":{"code","message"}}` (`sendError`). `docs/reference/errors.md` is rendered from it, and
 * `sendError` takes only its codes, each with its own status.
 */
export const HTTP_ERRORS = {
  body_not_allowed: {
    status: 400,
    uses: [{ route: 'stream paths', when: 'the `GET` carries a body (`Content-Length` > 0 or `Transfer-Encoding`): Node\'s `requestTimeout` would kill the stream later' }],
  },
  bad_host: {
    status: 400,
    uses: [
      {
        route: 'any',
        when: 'the request names its host twice: two `Host` headers (RFC 9112 §3.2), or over HTTP/2 a `host` that differs from `:authority` (RFC 9113 §8.3.1)',
      },
    ],
  },
  host_not_allowed: {
    status: 421,
    uses: [{ route: 'any', when: 'with `--allowed-host`: the `Host` (any port) is not one of the names given, e.g. a DNS-rebinding page\'s own name' }],
  },
  bad_utf8: {
    status: 400,
    uses: [{ route: '`POST /publish`', when: 'the body is not valid UTF-8 (refused, as a lone surrogate is, rather than turned into U+FFFD)' }],
  },
  bad_json: { status: 400, uses: [{ route: '`POST /publish`', when: 'the body is not JSON' }] },
  bad_body: { status: 400, uses: [{ route: '`POST /publish`', when: 'the body is not a JSON object' }] },
  id_not_allowed: { status: 400, uses: [{ route: '`POST /publish`', when: 'the body has an `id`: ids are the channel\'s to assign' }] },
  unknown_field: { status: 400, uses: [{ route: '`POST /publish`', when: 'a field other than `event` and `data`' }] },
  bad_data: { status: 400, uses: [{ route: '`POST /publish`', when: '`data` is missing or not a string' }] },
  bad_event: { status: 400, uses: [{ route: '`POST /publish`', when: '`event` is present and not a string' }] },
  // A supplied id is refused before the broker (id_not_allowed), and data is a string: of the
  // library's codes, only these reach a publisher.
  SSE_ERR_DATA_NOT_WELL_FORMED: { status: 400, uses: [EVENT_REFUSED] },
  SSE_ERR_EVENT_EMPTY: { status: 400, uses: [EVENT_REFUSED] },
  SSE_ERR_EVENT_HAS_NEWLINE: { status: 400, uses: [EVENT_REFUSED] },
  SSE_ERR_EVENT_NOT_WELL_FORMED: { status: 400, uses: [EVENT_REFUSED] },
  SSE_ERR_EVENT_RESERVED: { status: 400, uses: [EVENT_REFUSED] },
  SSE_ERR_EVENT_TOO_LARGE: { status: 413, uses: [EVENT_REFUSED] },
  SSE_ERR_CLOSED: { status: 503, uses: [EVENT_REFUSED] },
  body_timeout: {
    status: 408,
    uses: [
      {
        route: '`POST /publish`',
        when: 'the body did not arrive within `--request-timeout` (default 30 s) of the handler starting to read it; the connection is closed (over HTTP/1.1, Node\'s own `408` may come first, without a JSON body)',
      },
    ],
  },
  body_too_large: { status: 413, uses: [{ route: '`POST /publish`', when: 'the body is over `maxBodyBytes` (default 64 KiB)' }] },
  bad_content_type: { status: 415, uses: [{ route: '`POST /publish`', when: 'the `Content-Type` is not `application/json`' }] },
  unauthorized: {
    status: 401,
    uses: [
      {
        route: '`POST /publish`',
        when: 'with `--publish-token`: the `Authorization: Bearer` token is missing or wrong; `WWW-Authenticate: Bearer realm="publish"` (with `error="invalid_token"` for a wrong one). Nothing is published. [Security](../security.md)',
      },
      { route: 'stream paths', when: 'the `authorize` hook refused the stream with `401` (library option); an `EventSource` then stops for good' },
    ],
  },
  forbidden: {
    status: 403,
    uses: [{ route: 'stream paths', when: 'the `authorize` hook refused the stream (`false`, or `403`; library option); an `EventSource` then stops for good' }],
  },
  publish_off: {
    status: 403,
    uses: [{ route: '`POST /publish`', when: 'neither `--publish-token` nor `--publish-local` is set: nobody may publish; the message names both' }],
  },
  publish_local_only: {
    status: 403,
    uses: [
      {
        route: '`POST /publish`',
        when: 'with `--publish-local`: the caller is not on this machine (a non-loopback address, a forwarding header from an untrusted peer, a trusted proxy that names no client, or a `Host` that is not a loopback name)',
      },
    ],
  },
  rate_limited: { status: 429, uses: [{ route: '`POST /publish`', when: 'with `--publish-rate`: the client\'s bucket is empty; `Retry-After` in seconds' }] },
  authorize_failed: { status: 500, uses: [{ route: 'stream paths', when: 'the `authorize` hook threw or rejected' }] },
  broker_unavailable: {
    status: 503,
    uses: [
      {
        route: '`POST /publish`',
        when: 'with `--redis` or `--history-file`: the event could not be stored (Redis unreachable, the file\'s disk full), so nothing was acknowledged; `Retry-After: 1`. [Chapter 14](../recipes/14-redis.md)',
      },
    ],
  },
  broker_timeout: {
    status: 503,
    uses: [
      {
        route: '`POST /publish`',
        when: 'with `--redis`: Redis did not answer within `--publish-timeout` (default 5 s); the event may still be stored and delivered; `Retry-After: 1`',
      },
    ],
  },
  not_found: { status: 404, uses: [{ route: 'any', when: 'no such path' }] },
  method_not_allowed: { status: 405, uses: [{ route: 'any', when: 'a method the path does not serve; the `Allow` header lists the right ones' }] },
} as const satisfies Readonly<Record<string, HttpErrorSpec>>;
// #endregion http-errors

/** Every `code` the reference server answers an error with: the keys of {@link HTTP_ERRORS}. */
export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** The codes `POST /publish` may answer: those whose uses name its route. */
export type PublishErrorCode = {
  [C in HttpErrorCode]: '`POST /publish`' extends (typeof HTTP_ERRORS)[C]['uses'][number]['route'] ? C : never;
}[HttpErrorCode];

/**
 * A refused publish, at the gate or for its body: a code `POST /publish` answers, its status, the
 * sentence, and any headers to send with it. The gate's refusals are a part of it (`GateRefusal`).
 */
export type PublishRefusal = HttpRefusal<PublishErrorCode>;

/** Whether `code` is one of {@link HTTP_ERRORS}, e.g. a library code `POST /publish` passes on. */
export function isHttpErrorCode(code: string): code is HttpErrorCode {
  return Object.hasOwn(HTTP_ERRORS, code);
}

/** The status {@link HTTP_ERRORS} gives `code`. */
export type HttpStatusOf<C extends HttpErrorCode> = (typeof HTTP_ERRORS)[C]['status'];

/**
 * An error answer not sent yet: a code of {@link HTTP_ERRORS} with its own status (a union of
 * codes is a union of such pairs, so `status` and `code` never disagree), the sentence, and any
 * headers to send with it.
 */
export type HttpRefusal<C extends HttpErrorCode = HttpErrorCode> = {
  readonly [K in C]: {
    readonly status: HttpStatusOf<K>;
    readonly code: K;
    readonly message: string;
    readonly headers?: Readonly<Record<string, string>>;
  };
}[C];

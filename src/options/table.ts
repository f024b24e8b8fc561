import { checkInteger, checkKnownOptions } from './check.js';
import type { Authorize } from './hooks.js';

/** Certificate and key, as PEM. */
export interface TlsFiles {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/**
 * Options of `createSseServer`. Every one is an entry of {@link OPTIONS}, which holds its default,
 * bounds, command-line flag (if any) and help line; the README's options table is rendered from it.
 */
export interface SseServerOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port?: number;
  /** Address to bind. */
  readonly host?: string;
  /**
   * The listen backlog: connections the kernel completes and holds until the server accepts them.
   * The kernel caps it at `net.core.somaxconn` (Linux: `/proc/sys/net/core/somaxconn`, 4096 since
   * 5.4); past the queue a SYN is dropped and that client waits for its retransmit (1 s, then 3 s).
   */
  readonly backlog?: number;
  /** Open streams across all clients. */
  readonly maxConnections?: number;
  /** Open streams per client address. */
  readonly maxPerClient?: number;
  /** Longest idle gap before a comment heartbeat; 0 turns them off. */
  readonly heartbeatMs?: number;
  /**
   * The `retry:` hint, jittered ±20 % per connection. At shutdown the hint is raised, if need be, so
   * that its shortest draw outlasts `shutdownGraceMs` plus a second for a restart to listen.
   */
  readonly retryMs?: number;
  /** Events kept on `/feed` for resume. */
  readonly historyEvents?: number;
  /**
   * `/feed` subscribers written in one slice of a fan-out pass; a larger pass yields to the event
   * loop between slices, so publishes and new streams are served during it.
   */
  readonly fanOutSlice?: number;
  /** Bytes kept on `/feed` for resume. */
  readonly historyBytes?: number;
  /** Bytes queued for one client before it is cut as slow. */
  readonly maxPendingBytes?: number;
  /** A stream that stays backpressured this long without draining is cut. */
  readonly stallTimeoutMs?: number;
  /** The `/feed` ticker's period; 0 turns it off. */
  readonly tickMs?: number;
  /** The period of `/events`, `/time` and `/named`. */
  readonly recipeIntervalMs?: number;
  /** Largest `POST /publish` body. */
  readonly maxBodyBytes?: number;
  /** Largest encoded event `/feed` accepts; a larger publish is refused (`SSE_ERR_EVENT_TOO_LARGE`). */
  readonly maxEventBytes?: number;
  /**
   * How long a connection may take to send a request's headers: an HTTP/1.1 client gets `408`
   * (slowloris; Node's own is 60 s), an HTTP/2 connection with no open stream for this long is
   * closed, and so is a TLS connection that has not finished its handshake.
   */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, its body included, before `408`; at least `headersTimeoutMs`. */
  readonly requestTimeoutMs?: number;
  /** How long shutdown waits for streams to end before destroying them; the shutdown `retry:` hint outlasts it (see `retryMs`). */
  readonly shutdownGraceMs?: number;
  /** Serve HTTPS, offering HTTP/2 with HTTP/1.1 as fallback. */
  readonly tls?: TlsFiles | undefined;
  /** Serve cleartext HTTP/2 (prior knowledge), for use behind a proxy. */
  readonly h2c?: boolean;
  /** Origins allowed to read the streams and publish (CORS). */
  readonly corsOrigins?: readonly string[];
  /** Allow credentials for those origins. */
  readonly corsCredentials?: boolean;
  /** Request headers the CORS preflight allows besides each route's own (e.g. `authorization`). */
  readonly corsAllowHeaders?: readonly string[];
  /** Names the `Host` header may carry (any port); any other gets `421`. Empty: every name. */
  readonly allowedHosts?: readonly string[];
  /** Keep `/feed`'s history (and epoch) in this append-only file, so it survives restarts. */
  readonly historyFile?: string | undefined;
  /** Keep `/feed`'s history in a Redis stream shared by every instance, e.g. `redis://127.0.0.1:6379/0`. */
  readonly redisUrl?: string | undefined;
  /** The Redis stream's key (the epoch is kept at `<key>:epoch`). */
  readonly redisKey?: string;
  /** How long a publish waits for Redis to store the event before it is answered `503` (`broker_timeout`). */
  readonly publishTimeoutMs?: number;
  /** The shared secret `POST /publish` must carry as `Authorization: Bearer …`; without one (and without `publishLocal`), nobody may publish. */
  readonly publishToken?: string | undefined;
  /** Without a token, take publishes from programs on this machine (development); see `docs/security.md` for proxies. */
  readonly publishLocal?: boolean;
  /** Publishes a second per client address (a token bucket of twice that); past it, `429` + `Retry-After`. 0: no limit. */
  readonly publishRate?: number;
  /** Proxies (addresses or CIDR blocks) whose `X-Forwarded-For`/`Forwarded` name the client for the caps and the publish rules. */
  readonly trustProxy?: readonly string[];
  /** Decides, before any byte is written, whether a request may open a stream (every stream path); see `docs/security.md`. */
  readonly authorize?: Authorize | undefined;
}

/** The options with every default filled in. */
export type ResolvedOptions = Required<Omit<SseServerOptions, 'tls' | 'historyFile' | 'redisUrl' | 'publishToken' | 'authorize'>> & {
  readonly tls: TlsFiles | undefined;
  readonly historyFile: string | undefined;
  readonly redisUrl: string | undefined;
  readonly publishToken: string | undefined;
  readonly authorize: Authorize | undefined;
};

/** One option: its type, default, bounds, command-line flag, environment variable and help line. */
export interface OptionSpec {
  readonly type: 'integer' | 'string' | 'boolean' | 'strings' | 'tls' | 'function';
  readonly default: unknown;
  /** Smallest value allowed (integers). */
  readonly min?: number;
  /** Largest value allowed (integers). */
  readonly max?: number;
  /** The flag without `--`, and the name of its value; undefined: library only, no flag. */
  readonly flag: { readonly name: string; readonly value?: string } | undefined;
  /** The environment variable the command line reads when the flag is absent. */
  readonly env?: string;
  /** The help line, for `--help` and the README. */
  readonly help: string;
}

const KIB = 1024;
const MIB = 1024 * 1024;

// #region options
/** Every option of the server, in one place: `DEFAULTS`, validation, the CLI and its help, the README table. */
export const OPTIONS = {
  port: { type: 'integer', default: 8080, min: 0, max: 65_535, flag: { name: 'port', value: 'n' }, env: 'PORT', help: 'port to listen on; 0 picks a free one' },
  host: { type: 'string', default: '127.0.0.1', flag: { name: 'host', value: 'address' }, env: 'HOST', help: 'address to bind' },
  backlog: { type: 'integer', default: 4096, min: 1, flag: { name: 'backlog', value: 'n' }, help: 'listen backlog: connections the kernel holds until accepted, so a reconnect storm waits in it instead of for a SYN retransmit; the kernel caps it at `net.core.somaxconn` (the server says so when it does)' },
  maxConnections: { type: 'integer', default: 10_000, min: 1, flag: { name: 'max-connections', value: 'n' }, help: 'open streams across all clients' },
  maxPerClient: { type: 'integer', default: 16, min: 1, flag: { name: 'max-per-client', value: 'n' }, help: 'open streams per client address' },
  heartbeatMs: { type: 'integer', default: 15_000, min: 0, flag: { name: 'heartbeat', value: 'ms' }, help: 'idle time before a comment heartbeat; 0 = off' },
  retryMs: { type: 'integer', default: 3000, min: 0, flag: { name: 'retry', value: 'ms' }, help: 'the `retry:` hint, jittered ±20 % per connection; at shutdown at least (shutdown grace + 1 s) / 0.8, so no client returns before a restart listens' },
  historyEvents: { type: 'integer', default: 1000, min: 1, flag: { name: 'history', value: 'events' }, help: 'events kept on `/feed` for resume' },
  fanOutSlice: { type: 'integer', default: 100, min: 1, flag: { name: 'fan-out-slice', value: 'n' }, help: '`/feed` subscribers written per slice of a fan-out pass; a pass to more yields to the event loop between slices (order per stream stays exact)' },
  historyBytes: { type: 'integer', default: 4 * MIB, min: 1, flag: undefined, help: 'bytes kept on `/feed` for resume' },
  maxPendingBytes: { type: 'integer', default: MIB, min: 1, flag: { name: 'max-pending', value: 'bytes' }, help: 'bytes queued for one client before it is cut as slow' },
  stallTimeoutMs: { type: 'integer', default: 30_000, min: 1, flag: undefined, help: 'a stream backpressured this long without draining is cut' },
  tickMs: { type: 'integer', default: 1000, min: 0, flag: { name: 'tick', value: 'ms' }, help: 'ticker events on `/feed`; 0 = off' },
  recipeIntervalMs: { type: 'integer', default: 1000, min: 1, flag: undefined, help: 'the period of `/events`, `/time` and `/named`' },
  maxBodyBytes: { type: 'integer', default: 64 * KIB, min: 1, flag: undefined, help: 'largest `POST /publish` body; a larger one gets `413`' },
  maxEventBytes: { type: 'integer', default: 256 * KIB, min: 1, flag: undefined, help: 'largest encoded event `/feed` accepts (`SSE_ERR_EVENT_TOO_LARGE`)' },
  headersTimeoutMs: { type: 'integer', default: 10_000, min: 1, flag: { name: 'headers-timeout', value: 'ms' }, help: 'a client slower than this to send its request headers gets `408` and is closed (slowloris); so is an HTTP/2 connection with no open stream, and a TLS handshake' },
  requestTimeoutMs: { type: 'integer', default: 30_000, min: 1, flag: { name: 'request-timeout', value: 'ms' }, help: 'a client slower than this to send a whole request, body included, gets `408` and is closed; a stream request ends with its headers, so streams are never cut by it' },
  shutdownGraceMs: { type: 'integer', default: 2000, min: 0, flag: undefined, help: 'how long shutdown waits for streams to end before destroying them; the shutdown `retry:` hint outlasts it' },
  tls: { type: 'tls', default: undefined, flag: { name: 'tls-cert', value: 'file' }, help: 'serve HTTPS, offering HTTP/2 with HTTP/1.1 as fallback; with `--tls-key <file>`' },
  h2c: { type: 'boolean', default: false, flag: { name: 'h2c' }, help: 'serve cleartext HTTP/2 (for a proxy that speaks it)' },
  corsOrigins: { type: 'strings', default: [], flag: { name: 'cors-origin', value: 'origin' }, help: 'allow this origin to read the streams and publish; repeatable' },
  corsCredentials: { type: 'boolean', default: false, flag: { name: 'cors-credentials' }, help: 'allow credentials for those origins (never with `*`, which is refused)' },
  corsAllowHeaders: { type: 'strings', default: [], flag: { name: 'cors-allow-header', value: 'name' }, help: 'a request header the preflight allows besides `last-event-id` (streams) and `content-type` (publish), e.g. `authorization` for a `fetch()` client with a token; repeatable' },
  allowedHosts: { type: 'strings', default: [], flag: { name: 'allowed-host', value: 'name' }, help: 'answer only requests whose `Host` is this name (any port), others `421`: stops DNS rebinding from reading the streams through a browser; repeatable' },
  historyFile: { type: 'string', default: undefined, flag: { name: 'history-file', value: 'path' }, help: "keep `/feed`'s history and epoch in an append-only file: a restart loses nothing" },
  redisUrl: { type: 'string', default: undefined, flag: { name: 'redis', value: 'url' }, env: 'SSE_REDIS_URL', help: "keep `/feed`'s history in a Redis stream every instance shares, e.g. `redis://127.0.0.1:6379/0`" },
  redisKey: { type: 'string', default: 'sse:feed', flag: { name: 'redis-key', value: 'key' }, help: "the Redis stream's key" },
  publishTimeoutMs: { type: 'integer', default: 5000, min: 1, flag: { name: 'publish-timeout', value: 'ms' }, help: 'how long a publish waits for Redis to store it; then `503` `broker_timeout` (it may still be stored)' },
  publishToken: { type: 'string', default: undefined, flag: { name: 'publish-token', value: 'token' }, env: 'PUBLISH_TOKEN', help: '`POST /publish` must send `Authorization: Bearer <token>`; without a token or `--publish-local`, publishing is off' },
  publishLocal: { type: 'boolean', default: false, flag: { name: 'publish-local' }, help: 'without a token, take publishes from programs on this machine (for development); a reverse proxy on this machine must then send `X-Forwarded-For`' },
  publishRate: { type: 'integer', default: 0, min: 0, flag: { name: 'publish-rate', value: 'n' }, help: 'publishes a second per client (bursts of twice that); past it `429` + `Retry-After`; 0 = no limit' },
  trustProxy: { type: 'strings', default: [], flag: { name: 'trust-proxy', value: 'address|cidr' }, help: 'believe `X-Forwarded-For`/`Forwarded` from this proxy for the per-client cap and the publish rules; repeatable' },
  authorize: { type: 'function', default: undefined, flag: undefined, help: 'a hook that may refuse a stream with `401`/`403` before any byte is written (`docs/security.md`)' },
} as const satisfies Record<keyof SseServerOptions, OptionSpec>;
// #endregion options

/** The name of an option. */
export type OptionName = keyof typeof OPTIONS;

/** The defaults, read from {@link OPTIONS}. */
export const DEFAULTS: ResolvedOptions = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, spec]) => [name, spec.default]),
) as unknown as ResolvedOptions;

/**
 * Fills in the defaults and checks every numeric option against its bounds.
 *
 * @throws RangeError with a sentence naming the option when one is out of range; TypeError for
 *   an unknown option or options that exclude each other
 */
export function resolveOptions(input: SseServerOptions): ResolvedOptions {
  checkKnownOptions(input, OPTIONS, 'createSseServer');
  const options: ResolvedOptions = { ...DEFAULTS, ...input };
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, OptionSpec][]) {
    if (spec.type === 'integer') checkInteger(options[name] as number, name, spec.min, spec.max);
  }
  if (options.historyFile !== undefined && options.redisUrl !== undefined) {
    throw new TypeError('historyFile and redisUrl exclude each other: with Redis, the stream is the history.');
  }
  return options;
}

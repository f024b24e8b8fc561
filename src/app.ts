import type { AddressInfo, Server } from 'node:net';
import { createCorsPolicy } from './http/cors.js';
import { BrokerUnavailableError, type Broker } from './history/broker.js';
import { Channel } from './hub/channel.js';
import { FileLog } from './history/file-log.js';
import { MemoryBroker } from './history/memory-broker.js';
import { RedisBroker } from './redis/redis-broker.js';
import { clientKey, Limiter } from './limits/limiter.js';
import { bump, createCounters, renderMetrics, type Counters } from './metrics/metrics.js';
import { checkInteger } from './options/check.js';
import { basicRecipe } from './recipes/basic.js';
import { clockRecipe } from './recipes/clock.js';
import { DEMO_PAGE } from './recipes/demo-page.js';
import { feedRecipe, queryCursor } from './recipes/feed.js';
import { namedRecipe } from './recipes/named.js';
import { parsePublishBody, publishRecipe, readBody, sendJson } from './recipes/publish.js';
import { SseError } from './protocol/errors.js';
import { streamHeaders } from './stream/headers.js';
import { Heartbeat } from './stream/heartbeat.js';
import { refuseStream } from './stream/refuse.js';
import type { SseRequest, SseResponse } from './http/types.js';
import { SseStream } from './stream/sse-stream.js';
import { createTransport, type TlsFiles, type TransportKind } from './http/transport.js';

/** Options of {@link createSseServer}; each has a CLI flag (see `node dist/server.js --help`). */
export interface SseServerOptions {
  /** @defaultValue 8080 */
  readonly port?: number;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Open streams across all clients. @defaultValue 10000 */
  readonly maxConnections?: number;
  /** Open streams per client address. @defaultValue 16 */
  readonly maxPerClient?: number;
  /** Longest idle gap before a comment heartbeat; 0 turns them off. @defaultValue 15000 */
  readonly heartbeatMs?: number;
  /** The `retry:` hint, jittered ±20 % per connection. @defaultValue 3000 */
  readonly retryMs?: number;
  /** Events kept on `/feed` for resume. @defaultValue 1000 */
  readonly historyEvents?: number;
  /** Bytes kept on `/feed` for resume. @defaultValue 4 MiB */
  readonly historyBytes?: number;
  /** Bytes queued for one client before it is cut as slow. @defaultValue 1 MiB */
  readonly maxPendingBytes?: number;
  /** A stream that stays backpressured this long without draining is cut. @defaultValue 30000 */
  readonly stallTimeoutMs?: number;
  /** The `/feed` ticker's period; 0 turns it off. @defaultValue 1000 */
  readonly tickMs?: number;
  /** The period of `/events`, `/time` and `/named`. @defaultValue 1000 */
  readonly recipeIntervalMs?: number;
  /** Largest `POST /publish` body. @defaultValue 64 KiB */
  readonly maxBodyBytes?: number;
  /** Largest encoded event `/feed` accepts; a larger publish is refused (`SSE_ERR_EVENT_TOO_LARGE`). @defaultValue 256 KiB */
  readonly maxEventBytes?: number;
  /**
   * How long an HTTP/1.1 client may take to send its request headers before it gets `408` and is
   * closed (slowloris). Node's own default is 60 s, checked every 30 s. @defaultValue 10000
   */
  readonly headersTimeoutMs?: number;
  /** How long shutdown waits for streams to end before destroying them. @defaultValue 2000 */
  readonly shutdownGraceMs?: number;
  /** Serve HTTPS, offering HTTP/2 with HTTP/1.1 as fallback. @defaultValue none: plain HTTP/1.1 */
  readonly tls?: TlsFiles | undefined;
  /** Serve cleartext HTTP/2 (prior knowledge), for use behind a proxy. @defaultValue false */
  readonly h2c?: boolean;
  /** Origins allowed to read the streams and publish (CORS). @defaultValue none: CORS off */
  readonly corsOrigins?: readonly string[];
  /** Allow credentials for those origins. @defaultValue false */
  readonly corsCredentials?: boolean;
  /** Keep `/feed`'s history (and epoch) in this append-only file, so it survives restarts. @defaultValue none: memory only */
  readonly historyFile?: string | undefined;
  /** Keep `/feed`'s history in a Redis stream shared by every instance, e.g. `redis://127.0.0.1:6379/0`. @defaultValue none */
  readonly redisUrl?: string | undefined;
  /** The Redis stream's key (the epoch is kept at `<key>:epoch`). @defaultValue 'sse:feed' */
  readonly redisKey?: string;
}

/** The options with every default filled in. */
export type ResolvedOptions = Required<Omit<SseServerOptions, 'tls' | 'historyFile' | 'redisUrl'>> & {
  readonly tls: TlsFiles | undefined;
  readonly historyFile: string | undefined;
  readonly redisUrl: string | undefined;
};

/** A running (or ready to run) reference server. */
export interface SseServer {
  readonly server: Server;
  readonly channel: Channel;
  /**
   * Where `/feed`'s history lives when it is not only in memory: the file-log or Redis broker
   * (with Redis, publish through it: `channel` is then not used). Undefined for the default.
   */
  readonly broker: Broker | undefined;
  readonly limiter: Limiter;
  readonly heartbeat: Heartbeat;
  readonly counters: Counters;
  readonly options: ResolvedOptions;
  /** `http`, `https` (HTTP/2 with HTTP/1.1 fallback) or `h2c`. */
  readonly protocol: TransportKind;
  /** Streams open now, on every path. */
  readonly openStreams: number;
  /** Starts listening. @returns the bound address (port 0 picks a free one) */
  listen(): Promise<AddressInfo>;
  /**
   * Graceful shutdown: stop accepting, send every stream a `retry:` hint and end it, then close.
   * Streams still open after `shutdownGraceMs` are destroyed.
   */
  close(): Promise<void>;
}

/** The defaults, in one place. */
export const DEFAULTS: ResolvedOptions = {
  port: 8080,
  host: '127.0.0.1',
  maxConnections: 10_000,
  maxPerClient: 16,
  heartbeatMs: 15_000,
  retryMs: 3000,
  historyEvents: 1000,
  historyBytes: 4 * 1024 * 1024,
  maxPendingBytes: 1024 * 1024,
  stallTimeoutMs: 30_000,
  tickMs: 1000,
  recipeIntervalMs: 1000,
  maxBodyBytes: 64 * 1024,
  maxEventBytes: 256 * 1024,
  headersTimeoutMs: 10_000,
  shutdownGraceMs: 2000,
  tls: undefined,
  h2c: false,
  corsOrigins: [],
  corsCredentials: false,
  historyFile: undefined,
  redisUrl: undefined,
  redisKey: 'sse:feed',
};

type StreamRecipe = (stream: SseStream, req: SseRequest) => void;

/**
 * Creates the reference server: every recipe on its own path, one shared `/feed` channel, the
 * connection caps, one heartbeat timer, metrics, and graceful shutdown.
 *
 * @throws RangeError when an option is out of range
 * @example
 * ```ts
 * const app = createSseServer({ port: 0 });
 * const { port } = await app.listen();
 * // … later
 * await app.close();
 * ```
 */
export function createSseServer(input: SseServerOptions = {}): SseServer {
  const options: ResolvedOptions = { ...DEFAULTS, ...input };
  for (const name of ['port', 'heartbeatMs', 'retryMs', 'tickMs', 'shutdownGraceMs'] as const) {
    checkInteger(options[name], name, 0);
  }
  for (const name of ['recipeIntervalMs', 'maxPendingBytes', 'stallTimeoutMs', 'maxBodyBytes', 'maxEventBytes', 'headersTimeoutMs'] as const) {
    checkInteger(options[name], name);
  }
  if (options.historyFile !== undefined && options.redisUrl !== undefined) {
    throw new TypeError('historyFile and redisUrl exclude each other: with Redis, the stream is the history.');
  }
  const log =
    options.historyFile === undefined
      ? undefined
      : FileLog.open(options.historyFile, { keepEvents: options.historyEvents, keepBytes: options.historyBytes });
  const channel = new Channel({
    historyEvents: options.historyEvents,
    historyBytes: options.historyBytes,
    maxEventBytes: options.maxEventBytes,
    ...(log === undefined ? {} : { epoch: log.epoch, history: log.recovery, log }),
  });
  const broker: Broker | undefined =
    options.redisUrl !== undefined
      ? new RedisBroker({
          url: options.redisUrl,
          key: options.redisKey,
          historyEvents: options.historyEvents,
          historyBytes: options.historyBytes,
          maxEventBytes: options.maxEventBytes,
          retryMs: options.retryMs,
        })
      : log === undefined
        ? undefined
        : new MemoryBroker(channel, log);
  const limiter = new Limiter({ maxConnections: options.maxConnections, maxPerClient: options.maxPerClient });
  const heartbeat = new Heartbeat(options.heartbeatMs);
  const counters = createCounters();
  const cors = createCorsPolicy({ origins: options.corsOrigins, credentials: options.corsCredentials });
  const streams = new Set<SseStream>();
  let isClosing = false;
  let ticker: NodeJS.Timeout | undefined;

  const streamRecipes = new Map<string, StreamRecipe>([
    ['/events', (stream) => basicRecipe(stream, options.recipeIntervalMs)],
    ['/time', (stream) => clockRecipe(stream, options.recipeIntervalMs)],
    ['/named', (stream) => namedRecipe(stream, options.recipeIntervalMs)],
    [
      '/feed',
      broker?.kind === 'redis'
        ? (stream, req) => subscribeToBroker(broker, stream, req)
        : (stream, req) => {
            const plan = feedRecipe(stream, req, channel);
            if (plan.kind === 'replay') counters.resumed++;
            else if (plan.kind === 'reset') bump(counters.resets, plan.reason);
          },
    ],
  ]);

  function subscribeToBroker(feed: Broker, stream: SseStream, req: SseRequest): void {
    const query = queryCursor(req.url);
    // As in feedRecipe: an empty header carries no cursor, so the query may still hold one.
    const header = req.headers['last-event-id'];
    stream.onClose(() => feed.unsubscribe(stream));
    feed.subscribe(stream, header === undefined || header === '' ? (query ?? undefined) : header).then(
      (start) => {
        if (start.kind === 'replay') counters.resumed++;
        else if (start.kind === 'reset') bump(counters.resets, start.reason);
      },
      () => stream.end(options.retryMs),
    );
  }

  async function publishToBroker(feed: Broker, req: SseRequest, res: SseResponse): Promise<boolean> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return refusePublish(res, 415, 'bad_content_type', 'Send the body as Content-Type: application/json.');
    const text = await readBody(req, options.maxBodyBytes);
    if (text === undefined) return refusePublish(res, 413, 'body_too_large', `The body is over ${options.maxBodyBytes} bytes.`, req.httpVersionMajor === 1);
    const input = parsePublishBody(text);
    if ('status' in input) return refusePublish(res, input.status, input.code, input.message);
    try {
      // #region broker-publish
      // 202 only once the broker has stored the event: never acknowledge what could be lost.
      const { id } = await feed.publish(input);
      sendJson(res, 202, { id });
      // #endregion broker-publish
      return true;
    } catch (error) {
      if (error instanceof SseError) return refusePublish(res, 400, error.code, error.message);
      if (error instanceof BrokerUnavailableError) {
        sendJson(res, 503, { error: { code: 'broker_unavailable', message: error.message } }, { 'retry-after': '1' });
        return false;
      }
      throw error;
    }
  }

  function openStream(req: SseRequest, res: SseResponse, recipe: StreamRecipe): void {
    // A body on a stream request would be read under requestTimeout, which then kills the stream.
    if (hasBody(req)) {
      sendJson(res, 400, { error: { code: 'body_not_allowed', message: 'A stream request must not carry a body.' } });
      return;
    }
    if (isClosing) {
      refuseStream(req, res, options.retryMs, 'shutting down');
      return;
    }
    // #region admission
    const lease = limiter.acquire(clientKey(req.socket.remoteAddress));
    if (typeof lease === 'string') {
      bump(counters.refused, lease);
      refuseStream(req, res, options.retryMs, lease === 'global' ? 'server full' : 'too many streams from your address');
      return;
    }
    // #endregion admission
    const stream = new SseStream(req, res, {
      retryMs: options.retryMs,
      maxPendingBytes: options.maxPendingBytes,
      stallTimeoutMs: options.stallTimeoutMs,
      heartbeat,
    });
    streams.add(stream);
    counters.streamsOpened++;
    stream.onClose((reason) => {
      streams.delete(stream);
      lease.release();
      if (reason === 'slow' || reason === 'stalled') bump(counters.slowCut, reason);
    });
    recipe(stream, req);
  }

  const streamRoute = (recipe: StreamRecipe): Route => ({
    allow: 'GET, HEAD, OPTIONS',
    corsHeaders: 'last-event-id',
    // Node sends nothing for HEAD until end(): answer the headers and finish at once.
    handle: (req, res) => (req.method === 'HEAD' ? answerHead(req, res) : openStream(req, res, recipe)),
  });
  const routes = new Map<string, Route>([
    ...[...streamRecipes].map(([path, recipe]) => [path, streamRoute(recipe)] as const),
    [
      '/publish',
      {
        allow: 'POST, OPTIONS',
        corsHeaders: 'content-type',
        handle: (req, res) => {
          (broker === undefined ? publishRecipe(req, res, channel, options.maxBodyBytes) : publishToBroker(broker, req, res)).then(
            (isPublished) => {
              if (!isPublished) counters.publishRejected++;
            },
            () => res.destroy(),
          );
        },
      },
    ],
    [
      '/metrics',
      textRoute('text/plain; version=0.0.4; charset=utf-8', () =>
        renderMetrics(counters, {
          openStreams: streams.size,
          ...(broker ?? channel).stats,
          ...(broker === undefined ? {} : { history: { store: historyStore(broker), isUp: broker.health().isUp } }),
        }),
      ),
    ],
    ['/health', healthRoute(() => broker?.health() ?? { isUp: true, text: 'ok' })],
    ['/', textRoute('text/html; charset=utf-8', () => DEMO_PAGE)],
  ]);

  function route(req: SseRequest, res: SseResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0] as string;
    const method = req.method ?? 'GET';
    const entry = routes.get(path);
    if (entry === undefined) {
      sendJson(res, 404, { error: { code: 'not_found', message: `No route for ${path}.` } });
      return;
    }
    const origin = req.headers.origin;
    if (method === 'OPTIONS') {
      const methods = entry.allow.replace(', OPTIONS', '');
      res.writeHead(204, { allow: entry.allow, ...cors.preflight(origin, { methods, headers: entry.corsHeaders }) });
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(cors.headersFor(origin))) res.setHeader(name, value);
    if (!entry.allow.split(', ').includes(method)) {
      sendJson(res, 405, { error: { code: 'method_not_allowed', message: `Use ${entry.allow}.` } }, { allow: entry.allow });
      return;
    }
    entry.handle(req, res);
  }

  const transport = createTransport(options, route);
  const server = transport.server;

  return {
    server,
    protocol: transport.kind,
    channel,
    broker,
    limiter,
    heartbeat,
    counters,
    options,
    get openStreams() {
      return streams.size;
    },
    async listen() {
      await broker?.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          if (options.tickMs > 0) {
            let n = 0;
            ticker = setInterval(() => {
              n++;
              const tick = { data: JSON.stringify({ tick: n, time: new Date().toISOString() }) };
              // A tick Redis cannot take now is skipped: ticks are a demo, not data.
              if (broker?.kind === 'redis') broker.publish(tick).catch(() => {});
              else channel.publish(tick);
            }, options.tickMs);
          }
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      if (isClosing) return Promise.resolve();
      isClosing = true;
      clearInterval(ticker);
      channel.close();
      return new Promise((resolve) => {
        const deadline = setTimeout(() => transport.destroyAll(), options.shutdownGraceMs);
        // Each client is told when to come back, jittered, so a restart is not a thundering herd.
        for (const stream of streams) stream.end(options.retryMs);
        transport.close(() => {
          clearTimeout(deadline);
          (broker?.close() ?? Promise.resolve()).then(resolve, resolve);
        });
      });
    },
  };
}

function hasBody(req: SseRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function answerHead(req: SseRequest, res: SseResponse): void {
  // The response ends here, so Node, not the stream's keep-alive header, decides about the connection.
  const { connection: _, ...headers } = streamHeaders(req);
  res.writeHead(200, headers);
  res.end();
}

/** A route: the methods it answers, the request headers a preflight may allow, the handler. */
interface Route {
  readonly allow: string;
  readonly corsHeaders: string;
  handle(req: SseRequest, res: SseResponse): void;
}

/** The `store` label of `sse_history_up`: a memory broker exists only over a history file. */
function historyStore(broker: Broker): string {
  return broker.kind === 'memory' ? 'file' : broker.kind;
}

/** `/health`: `200 ok`, or `503` and what is down (e.g. `redis: down`), so a balancer can route around it. */
function healthRoute(health: () => { readonly isUp: boolean; readonly text: string }): Route {
  return {
    allow: 'GET, HEAD, OPTIONS',
    corsHeaders: '',
    handle(req, res) {
      const { isUp, text } = health();
      const body = `${text}\n`;
      res.writeHead(isUp ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      if (req.method === 'HEAD') res.end();
      else res.end(body);
    },
  };
}

function refusePublish(res: SseResponse, status: number, code: string, message: string, closeConnection = false): false {
  sendJson(res, status, { error: { code, message } }, closeConnection ? { connection: 'close' } : {});
  return false;
}

/** A small GET/HEAD route with a text body made on each request. */
function textRoute(type: string, body: () => string): Route {
  return {
    allow: 'GET, HEAD, OPTIONS',
    corsHeaders: '',
    handle(req, res) {
      const text = body();
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      if (req.method === 'HEAD') res.end();
      else res.end(text);
    },
  };
}

import type { AddressInfo, Server } from 'node:net';
import { createFeedBroker } from './feed-broker.js';
import type { Broker } from './history/broker.js';
import { hasBody } from './http/body.js';
import { guardStream } from './http/authorize.js';
import { clientAddress } from './http/client-address.js';
import { createCorsPolicy } from './http/cors.js';
import { createHostCheck } from './http/host.js';
import { sendError } from './http/json.js';
import { createRouter, textRoute, type Route } from './http/router.js';
import { createTransport, type TransportKind } from './http/transport.js';
import type { SseRequest, SseResponse } from './http/types.js';
import { clientKey, Limiter, type Lease } from './limits/limiter.js';
import { bump, createCounters, renderMetrics, type Counters } from './metrics/metrics.js';
import { resolveOptions, type ResolvedOptions, type SseServerOptions } from './options/table.js';
import { admitPublish, createPublishGate, type PublishGate } from './publish-gate.js';
import { basicRecipe } from './recipes/basic.js';
import { clockRecipe } from './recipes/clock.js';
import { DEMO_PAGE } from './recipes/demo-page.js';
import { feedRecipe } from './recipes/feed.js';
import { namedRecipe } from './recipes/named.js';
import { publishRecipe } from './recipes/publish.js';
import { startTicker } from './recipes/ticker.js';
import { Heartbeat } from './stream/heartbeat.js';
import { answerHead } from './stream/method.js';
import { refuseStream } from './stream/refuse.js';
import { SseStream } from './stream/sse-stream.js';

/** A running (or ready to run) reference server. */
export interface SseServer {
  readonly server: Server;
  /**
   * Where `/feed`'s events live; `/feed`, `/publish` and the ticker go through it alone. A
   * `MemoryBroker` (its `channel` is the in-process fan-out) unless `redisUrl` is set.
   */
  readonly broker: Broker;
  readonly limiter: Limiter;
  /** Who may publish (`publishToken`, `publishLocal` or nobody) and how fast (`publishRate`), by client address. */
  readonly publishGate: PublishGate;
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
   * Graceful shutdown: stop accepting, send every stream a `retry:` hint ({@link shutdownRetryMs})
   * and end it, then close. Streams still open after `shutdownGraceMs` are destroyed.
   */
  close(): Promise<void>;
}

type StreamRecipe = (stream: SseStream, req: SseRequest) => void;

/** What a restart takes from the old process's exit to the new one listening, with room to spare (a start on `--history-file` reads the file). */
const RESTART_ALLOWANCE_MS = 1000;

/**
 * The `retry:` hint sent at shutdown: `retryMs`, raised if need be so that its shortest jittered
 * draw (−20 %) outlasts the grace period plus {@link RESTART_ALLOWANCE_MS}. A client that comes back
 * before a restarted server listens is refused, and an `EventSource` then waits a whole hint more.
 */
export function shutdownRetryMs(options: Pick<ResolvedOptions, 'retryMs' | 'shutdownGraceMs'>): number {
  return Math.max(options.retryMs, Math.ceil((options.shutdownGraceMs + RESTART_ALLOWANCE_MS) / 0.8));
}

/**
 * Creates the reference server: every recipe on its own path, one `/feed` broker, the connection
 * caps, one heartbeat timer, metrics, and graceful shutdown.
 *
 * @throws RangeError when an option is out of range (see `OPTIONS`)
 * @example
 * ```ts
 * const app = createSseServer({ port: 0 });
 * const { port } = await app.listen();
 * // … later
 * await app.close();
 * ```
 */
export function createSseServer(input: SseServerOptions = {}): SseServer {
  const options = resolveOptions(input);
  const broker = createFeedBroker(options);
  const limiter = new Limiter({ maxConnections: options.maxConnections, maxPerClient: options.maxPerClient });
  const publishGate = createPublishGate(options);
  const heartbeat = new Heartbeat(options.heartbeatMs);
  const counters = createCounters();
  const streams = new Set<SseStream>();
  let isClosing = false;
  const closingRetryMs = shutdownRetryMs(options);
  let stopTicker = (): void => {};

  function feed(stream: SseStream, req: SseRequest): void {
    feedRecipe(stream, req, broker).then(
      (start) => {
        if (start.kind === 'replay') counters.resumed++;
        else if (start.kind === 'reset') bump(counters.resets, start.reason);
        else if (start.kind === 'retry-later') bump(counters.refused, 'store');
      },
      () => stream.end(options.retryMs),
    );
  }

  function openStream(req: SseRequest, res: SseResponse, recipe: StreamRecipe): void {
    // A body on a stream request would be read under requestTimeout, which then kills the stream.
    if (hasBody(req)) return sendError(res, 400, 'body_not_allowed', 'A stream request must not carry a body.');
    if (isClosing) return refuseStream(req, res, closingRetryMs, 'shutting down');
    // #region admission
    const lease = limiter.acquire(clientKey(clientAddress(req, publishGate.trusted)));
    if (typeof lease === 'string') {
      bump(counters.refused, lease);
      refuseStream(req, res, options.retryMs, lease === 'global' ? 'server full' : 'too many streams from your address');
      return;
    }
    // #endregion admission
    const { authorize } = options;
    if (authorize === undefined) return start(req, res, recipe, lease);
    // The slot is held while the hook runs, so checks in flight count against the caps too (a
    // client cannot keep hundreds of slow checks going), and goes back with the response,
    // whatever ends it: a refusal, a failed check, a client that left.
    res.once('close', () => lease.release());
    // Before the first byte: a refusal must be a status, and the stream's headers would be one.
    guardStream(req, res, authorize, () => start(req, res, recipe, lease), {
      onRefused: (status) => bump(counters.streamsUnauthorized, String(status)),
      onError: () => bump(counters.streamsUnauthorized, '500'),
    });
  }

  function start(req: SseRequest, res: SseResponse, recipe: StreamRecipe, lease: Lease): void {
    // An asynchronous check may have outlasted the start of a shutdown.
    if (isClosing) return refuseStream(req, res, closingRetryMs, 'shutting down');
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
  const publishRoute: Route = {
    allow: 'POST, OPTIONS',
    // A page of an allowed origin sends its token in Authorization, which needs a preflight.
    corsHeaders: publishGate.auth.mode === 'token' ? 'content-type, authorization' : 'content-type',
    readsBodyOf: 'POST',
    handle: (req, res) => {
      if (!admitPublish(publishGate, req, res, counters)) return;
      publishRecipe(req, res, broker, { maxBodyBytes: options.maxBodyBytes, timeoutMs: options.requestTimeoutMs }).then(
        (isPublished) => {
          if (!isPublished) counters.publishRejected++;
        },
        () => res.destroy(),
      );
    },
  };
  const metrics = (): string =>
    renderMetrics(counters, {
      openStreams: streams.size,
      ...broker.stats,
      ...(broker.store === 'memory' ? {} : { history: { store: broker.store, isUp: broker.health().isUp } }),
    });
  const routes = new Map<string, Route>([
    ['/events', streamRoute((stream) => basicRecipe(stream, options.recipeIntervalMs))],
    ['/time', streamRoute((stream) => clockRecipe(stream, options.recipeIntervalMs))],
    ['/named', streamRoute((stream) => namedRecipe(stream, options.recipeIntervalMs))],
    ['/feed', streamRoute(feed)],
    ['/publish', publishRoute],
    ['/metrics', textRoute('text/plain; version=0.0.4; charset=utf-8', metrics)],
    ['/health', textRoute('text/plain; charset=utf-8', () => broker.health())],
    ['/', textRoute('text/html; charset=utf-8', () => DEMO_PAGE)],
  ]);
  const cors = createCorsPolicy({ origins: options.corsOrigins, credentials: options.corsCredentials, allowHeaders: options.corsAllowHeaders });
  const transport = createTransport(options, createRouter(routes, cors, createHostCheck(options.allowedHosts)));
  const server = transport.server;

  return {
    server,
    protocol: transport.kind,
    broker,
    limiter,
    publishGate,
    heartbeat,
    counters,
    options,
    get openStreams() {
      return streams.size;
    },
    async listen() {
      await broker.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        // The backlog holds a reconnect storm: past it the kernel drops SYNs, and each dropped
        // client waits for its retransmit (1 s, then 3 s). Node's default is 511.
        server.listen({ port: options.port, host: options.host, backlog: options.backlog }, () => {
          server.off('error', reject);
          if (options.tickMs > 0) stopTicker = startTicker(broker, options.tickMs);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      if (isClosing) return Promise.resolve();
      isClosing = true;
      stopTicker();
      return new Promise((resolve) => {
        const deadline = setTimeout(() => transport.destroyAll(), options.shutdownGraceMs);
        // At the end of this pass, so the events published in it reach the streams first.
        setImmediate(() => {
          // The slices of a fan-out not yet written, before the streams end.
          broker.flush();
          // Each client is told when to come back, jittered, so a restart is not a thundering herd.
          // Ended before the server closes, so Node closes their connections once they are sent.
          for (const stream of streams) stream.end(closingRetryMs);
          transport.close(() => {
            clearTimeout(deadline);
            broker.close().then(resolve, resolve);
          });
        });
      });
    },
  };
}


import type { AddressInfo, Server } from 'node:net';
import { createBroker } from './feed/broker.js';
import { feedHandler } from './feed/handler.js';
import type { Broker } from './history/broker.js';
import { createCorsPolicy } from './http/cors.js';
import { createHostCheck } from './http/host.js';
import { createRouter, textRoute, type Route } from './http/router.js';
import { createTransport, type TransportKind } from './http/transport.js';
import { Limiter } from './limits/limiter.js';
import { createCounters, renderMetrics, type Counters, type Readings } from './metrics/metrics.js';
import { resolveOptions, type ResolvedOptions, type SseServerOptions } from './options/table.js';
import { createPublishGate, type PublishGate } from './publish/gate.js';
import { publishRoute } from './publish/route.js';
import { basicRecipe } from './recipes/basic.js';
import { clockRecipe } from './recipes/clock.js';
import { DEMO_PAGE } from './recipes/demo-page.js';
import { namedRecipe } from './recipes/named.js';
import { startTicker } from './recipes/ticker.js';
import { createAdmission } from './stream/admission.js';
import { Heartbeat } from './stream/heartbeat.js';

/**
 * What the server has counted so far, and its gauges now: the numbers `/metrics` renders, as a
 * copy (changing it changes nothing in the server).
 */
export type ServerMetrics = { readonly [K in keyof Counters]: Counters[K] extends number ? number : Readonly<Record<string, number>> } & Readings;

/** A running (or ready to run) reference server. */
export interface SseServer {
  /** The `node:http` (or `node:http2`) server, for listeners of your own (`'connection'`, `'upgrade'`). */
  readonly server: Server;
  /**
   * Where `/feed`'s events live; `/feed`, `/publish` and the ticker go through it alone. A
   * `MemoryBroker` (its `channel` is the in-process fan-out) unless `redisUrl` is set.
   */
  readonly broker: Broker;
  /** `http`, `https` (HTTP/2 with HTTP/1.1 fallback) or `h2c`. */
  readonly protocol: TransportKind;
  /** Starts listening. @returns the bound address (port 0 picks a free one) */
  listen(): Promise<AddressInfo>;
  /** Where it listens; undefined before {@link SseServer.listen} resolves and after {@link SseServer.close}. */
  address(): AddressInfo | undefined;
  /** The counters and gauges of `/metrics`, now. */
  metrics(): ServerMetrics;
  /**
   * Graceful shutdown: stop accepting, send every stream a `retry:` hint (`retryMs`, raised so that
   * no client comes back before a restart listens) and end it, then close. Streams still open after
   * `shutdownGraceMs` are destroyed.
   */
  close(): Promise<void>;
}

/**
 * The parts of a server its tests and this repository's tools look inside; never on the package
 * root (scripts reach it through `#internal/app.js`), so none of it is semver surface.
 */
export interface ServerInternals {
  readonly limiter: Limiter;
  /** Who may publish (`publishToken`, `publishLocal` or nobody) and how fast (`publishRate`), by client address. */
  readonly publishGate: PublishGate;
  readonly heartbeat: Heartbeat;
  readonly options: ResolvedOptions;
}

const INTERNALS = new WeakMap<SseServer, ServerInternals>();

/**
 * The caps, the publish gate, the heartbeat and the resolved options of `app`.
 *
 * @throws TypeError when `app` was not made by {@link createSseServer}
 */
export function internalsOf(app: SseServer): ServerInternals {
  const internals = INTERNALS.get(app);
  if (internals === undefined) throw new TypeError('Not a server made by createSseServer.');
  return internals;
}

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
  const broker = createBroker(options);
  const limiter = new Limiter({ maxConnections: options.maxConnections, maxPerClient: options.maxPerClient });
  const publishGate = createPublishGate(options);
  const heartbeat = new Heartbeat(options.heartbeatMs);
  const counters = createCounters();
  let isClosing = false;

  const admission = createAdmission({
    limiter,
    trusted: publishGate.trusted,
    authorize: options.authorize,
    retryMs: options.retryMs,
    closingRetryMs: shutdownRetryMs(options),
    maxPendingBytes: options.maxPendingBytes,
    stallTimeoutMs: options.stallTimeoutMs,
    heartbeat,
    counters,
  });
  let stopTicker = (): void => {};

  const readings = (): Readings => ({
    openStreams: admission.openStreams,
    ...broker.stats,
    ...(broker.store === 'memory' ? {} : { history: { store: broker.store, isUp: broker.health().isUp } }),
  });
  const routes = new Map<string, Route>([
    ['/events', admission.route((stream) => basicRecipe(stream, options.recipeIntervalMs))],
    ['/time', admission.route((stream) => clockRecipe(stream, options.recipeIntervalMs))],
    ['/named', admission.route((stream) => namedRecipe(stream, options.recipeIntervalMs))],
    // The production paths' handlers live in their rooms: a request to either never enters app.ts.
    ['/feed', admission.route(feedHandler(broker, counters, options.retryMs))],
    ['/publish', publishRoute({ gate: publishGate, broker, counters, maxBodyBytes: options.maxBodyBytes, timeoutMs: options.requestTimeoutMs })],
    ['/metrics', textRoute('text/plain; version=0.0.4; charset=utf-8', () => renderMetrics(counters, readings()))],
    ['/health', textRoute('text/plain; charset=utf-8', () => broker.health())],
    ['/', textRoute('text/html; charset=utf-8', () => DEMO_PAGE)],
  ]);
  const cors = createCorsPolicy({ origins: options.corsOrigins, credentials: options.corsCredentials, allowHeaders: options.corsAllowHeaders });
  const transport = createTransport(options, createRouter(routes, cors, createHostCheck(options.allowedHosts)));
  const server = transport.server;

  let isListening = false;
  const app: SseServer = {
    server,
    protocol: transport.kind,
    broker,
    address() {
      return isListening ? (server.address() as AddressInfo) : undefined;
    },
    metrics() {
      return { ...structuredClone(counters), ...readings() };
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
          isListening = true;
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      if (isClosing) return Promise.resolve();
      isClosing = true;
      admission.refuseNew();
      stopTicker();
      return new Promise((resolve) => {
        const deadline = setTimeout(() => transport.destroyAll(), options.shutdownGraceMs);
        // At the end of this pass, so the events published in it reach the streams first.
        setImmediate(() => {
          // The slices of a fan-out not yet written, before the streams end.
          broker.flush();
          // Each client is told when to come back, jittered, so a restart is not a thundering herd.
          // Ended before the server closes, so Node closes their connections once they are sent.
          admission.endAll();
          transport.close(() => {
            isListening = false;
            clearTimeout(deadline);
            broker.close().then(resolve, resolve);
          });
        });
      });
    },
  };
  INTERNALS.set(app, { limiter, publishGate, heartbeat, options });
  return app;
}

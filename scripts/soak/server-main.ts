import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSseServer, type SseServerOptions } from 'sse-reference';
import { feedChannel } from 'sse-reference/testing';
import { internalsOf } from '#internal/app.js';

// The server under soak, in a process of its own so its memory is measured alone and it can be
// killed and restarted. The parent sends commands over the IPC channel (see soak-server.ts).

/** What the parent passes as the one argument, as JSON. */
export interface ServerMainConfig {
  readonly options: SseServerOptions;
  /** Set only by the weak-server test: the server is broken on purpose. */
  readonly weakness?: Weakness;
}

/**
 * A deliberately weak server, to prove a scenario's expectations can fail: each scenario is run
 * once against one in `npm test` (`weak-server.test.ts`), and must report failures.
 */
export interface Weakness {
  /** Options over the scenario's own (e.g. no slow-client budget, a tiny history). */
  readonly options?: SseServerOptions;
  /** Answers `400` to a `Last-Event-ID` that is not `<12 hex>-<digits>`, where a browser needs a stream. */
  readonly refusesOddLastEventId?: boolean;
  /** Leaves a timer behind for every request: a leak. */
  readonly leaksTimers?: boolean;
  /** Keeps the connection after answering a request whose body it does not read (no `Connection: close`). */
  readonly keepsUnreadBodies?: boolean;
}

/** A command from the parent. */
export type ServerCommand =
  | { readonly cmd: 'stats'; readonly gc?: boolean }
  | { readonly cmd: 'pump'; readonly count: number; readonly bytes: number; readonly perTick: number; readonly intervalMs: number }
  | { readonly cmd: 'sample'; readonly everyMs: number }
  | { readonly cmd: 'sample-stop' };

/** The server's state as the parent sees it. */
export interface ServerStats {
  readonly epoch: string;
  readonly head: number;
  readonly oldest: number;
  readonly openStreams: number;
  readonly subscribers: number;
  readonly heartbeatStreams: number;
  readonly heartbeatTimer: boolean;
  readonly leases: number;
  readonly connections: number;
  readonly resources: Record<string, number>;
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
  readonly counters: unknown;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServerMainConfig;
const weakness = config.weakness ?? {};
// The soak's publishers run on this machine.
const app = createSseServer({ port: 0, host: '127.0.0.1', publishLocal: true, ...config.options, ...weakness.options });
if (weakness.refusesOddLastEventId === true || weakness.leaksTimers === true || weakness.keepsUnreadBodies === true) {
  const [route] = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  app.server.removeAllListeners('request');
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (weakness.keepsUnreadBodies === true) keepConnection(res);
    const id = req.headers['last-event-id'];
    if (weakness.refusesOddLastEventId === true && typeof id === 'string' && !/^[0-9a-f]{12}-[0-9]+$/.test(id)) {
      res.writeHead(400).end();
      return;
    }
    if (weakness.leaksTimers === true) setInterval(() => {}, 60_000);
    route?.(req, res);
  });
}
/** Drops every `Connection: close` the server sets on `res`, so Node keeps the connection. */
function keepConnection(res: ServerResponse): void {
  const isClose = (name: string, value: unknown): boolean => name.toLowerCase() === 'connection' && String(value).toLowerCase() === 'close';
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) => (isClose(name, value) ? res : setHeader(name, value))) as typeof res.setHeader;
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => ServerResponse;
  res.writeHead = ((status: number, headers?: Record<string, unknown>) =>
    writeHead(status, headers === undefined ? undefined : Object.fromEntries(Object.entries(headers).filter(([name, value]) => !isClose(name, value))))) as typeof res.writeHead;
}

const { port } = await app.listen();
const send = (message: unknown): void => {
  process.send?.(message);
};
let sampler: { timer: NodeJS.Timeout; rss: number; heap: number; external: number; samples: number } | undefined;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

async function stats(withGc: boolean): Promise<ServerStats> {
  if (withGc) {
    // Let closes and timers settle before the collection, so the figures are the steady state.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const resources: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  const connections = await new Promise<number>((resolve) => app.server.getConnections((_, n) => resolve(n)));
  const memory = process.memoryUsage();
  return {
    epoch: feedChannel(app).epoch,
    ...feedChannel(app).history,
    openStreams: app.metrics().openStreams,
    subscribers: feedChannel(app).stats.subscribers,
    heartbeatStreams: internalsOf(app).heartbeat.size,
    heartbeatTimer: internalsOf(app).heartbeat.isRunning,
    leases: internalsOf(app).limiter.open,
    connections,
    resources,
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    external: memory.external,
    counters: app.metrics(),
  };
}

function pump(count: number, bytes: number, perTick: number, intervalMs: number): Promise<{ first: number; last: number; ms: number }> {
  const started = performance.now();
  let sent = 0;
  let first = 0;
  let last = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      for (let i = 0; i < perTick && sent < count; i++, sent++) {
        const head = JSON.stringify({ t: Date.now(), n: sent });
        // The padding makes each event `bytes` long on the wire, give or take the id's digits.
        const data = head.slice(0, -1) + `,"pad":"${'x'.repeat(Math.max(0, bytes - head.length - 40))}"}`;
        const { seq } = feedChannel(app).publish({ data });
        if (first === 0) first = seq;
        last = seq;
      }
      if (sent < count) setTimeout(tick, intervalMs);
      else resolve({ first, last, ms: performance.now() - started });
    };
    tick();
  });
}

process.on('message', (message: ServerCommand & { readonly id: number }) => {
  const reply = (body: unknown): void => send({ id: message.id, body });
  switch (message.cmd) {
    case 'stats':
      void stats(message.gc === true).then(reply);
      return;
    case 'pump':
      void pump(message.count, message.bytes, message.perTick, message.intervalMs).then(reply);
      return;
    case 'sample': {
      if (sampler !== undefined) clearInterval(sampler.timer);
      const state = { rss: 0, heap: 0, external: 0, samples: 0, timer: undefined as unknown as NodeJS.Timeout };
      state.timer = setInterval(() => {
        const memory = process.memoryUsage();
        state.rss = Math.max(state.rss, memory.rss);
        state.heap = Math.max(state.heap, memory.heapUsed);
        state.external = Math.max(state.external, memory.external + memory.arrayBuffers);
        state.samples++;
      }, message.everyMs);
      sampler = state;
      reply({});
      return;
    }
    case 'sample-stop': {
      if (sampler !== undefined) clearInterval(sampler.timer);
      const { rss, heap, external, samples } = sampler ?? { rss: 0, heap: 0, external: 0, samples: 0 };
      sampler = undefined;
      reply({ rss, heap, external, samples });
      return;
    }
  }
});

process.once('SIGTERM', () => {
  if (sampler !== undefined) clearInterval(sampler.timer);
  void app.close().then(() => process.exit(0));
});
// The parent went away (it crashed, or a test run was interrupted): do not linger as an orphan.
process.once('disconnect', () => process.exit(0));
send({ ready: true, port, epoch: feedChannel(app).epoch });

import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseResponseHead, PatternCounter } from './event-counter.js';
import { percentile } from '../lib/stats.js';
import { holdsWithin } from '../lib/wait.js';

// The clients of the reconnect storm and of the one-publisher phase: EventSource as the
// specification has it (reconnect after the last `retry:` with `Last-Event-ID`, and again after the
// same delay when the connection is refused), on raw sockets, checking every id for a gap or a
// duplicate. One process holds them all, on its own core.

/** What the stream's bytes said, block by block. */
export interface BlockSink {
  /** An event block (`data:` present) or an id-only block; `id` is undefined when the block had none. */
  onBlock(id: string | undefined, seq: number, hasData: boolean, isReset: boolean, stamp: number | undefined): void;
  onRetry(ms: number): void;
}

/**
 * Splits an event stream into blocks and reads the fields the storm checks: the sequence number
 * of `id: <epoch>-<seq>`, `retry:`, `event: reset`, and a `data: t=<ms>` stamp. Lines may be cut
 * anywhere between chunks.
 */
export class BlockReader {
  #partial = '';
  #id: string | undefined;
  #seq = Number.NaN;
  #hasData = false;
  #isReset = false;
  #stamp: number | undefined;
  #inBlock = false;
  readonly #sink: BlockSink;

  constructor(sink: BlockSink) {
    this.#sink = sink;
  }

  push(chunk: Buffer): void {
    const text = this.#partial + chunk.toString('latin1');
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.#line(text.slice(start, end));
      start = end + 1;
    }
    this.#partial = text.slice(start);
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#inBlock) this.#sink.onBlock(this.#id, this.#seq, this.#hasData, this.#isReset, this.#stamp);
      this.#id = undefined;
      this.#seq = Number.NaN;
      this.#hasData = false;
      this.#isReset = false;
      this.#stamp = undefined;
      this.#inBlock = false;
      return;
    }
    if (line.startsWith('id: ')) {
      this.#inBlock = true;
      this.#id = line.slice(4);
      this.#seq = Number(line.slice(line.lastIndexOf('-') + 1));
    } else if (line.startsWith('data:')) {
      this.#inBlock = true;
      this.#hasData = true;
      if (line.startsWith('data: t=')) this.#stamp = Number.parseFloat(line.slice(8));
    } else if (line.startsWith('retry: ')) this.#sink.onRetry(Number(line.slice(7)));
    else if (line === 'event: reset') {
      this.#inBlock = true;
      this.#isReset = true;
    }
  }
}

/** The wall clock in milliseconds with sub-millisecond precision: the same in every process here. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** One client: its stream, what it has, and when it came back. */
interface Client {
  readonly index: number;
  socket: Socket | undefined;
  lastId: string | undefined;
  lastSeq: number;
  retryMs: number;
  /** When its connection ended, and when the jitter let it come back: its `retry:` later. */
  closedAt: number;
  allowedAt: number;
  /** The head it must reach to be caught up: the newest id any client had when it was cut. */
  target: number;
  /** When it first tried to come back after its cut: late against allowedAt only when this process was. */
  attemptAt: number;
  caughtUpAt: number;
  reconnects: number;
}

/** The figures of one storm. */
export interface StormResult {
  readonly clients: number;
  /** Clients that came back and caught up before the timeout. */
  readonly caughtUp: number;
  /** Seconds from the first cut to the last client caught up. */
  readonly allCaughtUpS: number;
  /** Seconds from the first cut to the last arrival the jitter allows (the latest cut plus its `retry:`). */
  readonly jitterAllowsS: number;
  /** allCaughtUp less jitterAllows, in seconds: the target is at most 0.2. */
  readonly lateS: number;
  /** Each client's catch-up less its own allowed arrival, ms. */
  readonly lateP50Ms: number;
  readonly lateP99Ms: number;
  /** The client process's own part of the lateness, p99: its attempt less its allowed arrival (its timers ran late). */
  readonly clientLateP99Ms: number;
  /** The server's part, p99: caught up less the first attempt (the listen queue, accept, the replay). */
  readonly serverP99Ms: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly resets: number;
  /** Reconnects refused (`ECONNREFUSED`: nobody listening) or reset, each followed by a whole `retry:` more. */
  readonly refused: number;
  /** Connection attempts per bin of {@link ARRIVAL_BIN_MS} from the first cut. */
  readonly arrivals: readonly number[];
}

/** The width of a bin of {@link StormResult.arrivals}. */
export const ARRIVAL_BIN_MS = 250;

/** What the one-publisher phase measured on the streams. */
export interface WatchResult {
  readonly deliveries: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly gaps: number;
  readonly duplicates: number;
}

/** Options of {@link StormClients}. */
export interface StormOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly localAddresses: readonly string[];
  /** Take latency stamps on every n-th stream. @defaultValue 20 */
  readonly sampleEvery?: number;
  /**
   * Read every id (gaps, duplicates, resume) on every n-th stream only, and merely count data
   * lines on the others: at 10,000 streams and 1,000 events/s, parsing every line would make the
   * reader, not the server, the bound. @defaultValue 1 (every stream)
   */
  readonly checkEvery?: number;
}

/**
 * Many EventSource-like clients on raw sockets. They resume from their last id, check every id
 * they get for a gap or a duplicate, and, once a storm is armed, record when each came back.
 */
export class StormClients {
  readonly #options: StormOptions;
  readonly #clients: Client[] = [];
  /** Every socket, the ones still connecting too, so that close() leaves none behind. */
  readonly #sockets = new Set<Socket>();
  #maxSeq = 0;
  #gaps = 0;
  #duplicates = 0;
  #resets = 0;
  #refused = 0;
  #deliveries = 0;
  #latencies: number[] = [];
  #stormAt: number | undefined;
  #arrivals: number[] = [];
  #isClosing = false;
  readonly errors: string[] = [];

  constructor(options: StormOptions) {
    this.#options = options;
  }

  /** Streams open now. */
  get open(): number {
    return this.#clients.filter((client) => client.socket !== undefined).length;
  }

  /** Opens `count` streams, `concurrency` at a time; resolves with how many answered 200. */
  openStreams(count: number, concurrency: number): Promise<number> {
    return new Promise((resolve) => {
      let next = 0;
      let settled = 0;
      let opened = 0;
      const startOne = (): void => {
        const client: Client = { index: this.#clients.length, socket: undefined, lastId: undefined, lastSeq: Number.NaN, retryMs: 3000, closedAt: 0, allowedAt: 0, target: 0, attemptAt: 0, caughtUpAt: 0, reconnects: 0 };
        this.#clients.push(client);
        next++;
        this.#connect(client, (isOpen) => {
          settled++;
          if (isOpen) opened++;
          if (next < count) startOne();
          else if (settled === count) resolve(opened);
        });
      };
      for (let i = 0; i < Math.min(concurrency, count); i++) startOne();
    });
  }

  /** Starts counting deliveries and latencies afresh (the one-publisher phase). */
  watch(): void {
    this.#deliveries = 0;
    this.#latencies = [];
    this.#gaps = 0;
    this.#duplicates = 0;
  }

  /** What arrived since {@link watch}. */
  watched(): WatchResult {
    const latencies = this.#latencies;
    return {
      deliveries: this.#deliveries,
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length === 0 ? Number.NaN : latencies.reduce((a, b) => Math.max(a, b)),
      gaps: this.#gaps,
      duplicates: this.#duplicates,
    };
  }

  /** The newest sequence number any client has seen. */
  get head(): number {
    return this.#maxSeq;
  }

  /**
   * Arms a storm: from now on every client that loses its stream (cut by {@link drop} or ended by
   * the server) comes back after its `retry:`, and is timed.
   */
  arm(): void {
    this.#stormAt = undefined;
    this.#arrivals = [];
    this.#gaps = 0;
    this.#duplicates = 0;
    this.#resets = 0;
    this.#refused = 0;
    for (const client of this.#clients) client.caughtUpAt = 0;
  }

  /** Cuts every stream at once with a TCP reset, as a proxy that goes away would. */
  drop(): void {
    for (const client of this.#clients) {
      const socket = client.socket;
      if (socket === undefined) continue;
      client.socket = undefined;
      socket.resetAndDestroy();
      this.#cut(client);
    }
  }

  /** Resolves once every client has caught up, or after `timeoutMs`, with the storm's figures. */
  async settle(timeoutMs: number): Promise<StormResult> {
    await holdsWithin(() => this.#clients.every((client) => client.caughtUpAt !== 0), timeoutMs, 20);
    const startedAt = this.#stormAt ?? performance.now();
    const caught = this.#clients.filter((client) => client.caughtUpAt > 0);
    const lastCaught = caught.reduce((a, client) => Math.max(a, client.caughtUpAt), startedAt);
    const lastAllowed = this.#clients.reduce((a, client) => Math.max(a, client.allowedAt), startedAt);
    const late = caught.map((client) => client.caughtUpAt - client.allowedAt);
    return {
      clients: this.#clients.length,
      caughtUp: caught.length,
      allCaughtUpS: (lastCaught - startedAt) / 1000,
      jitterAllowsS: (lastAllowed - startedAt) / 1000,
      lateS: (lastCaught - lastAllowed) / 1000,
      lateP50Ms: percentile(late, 50),
      lateP99Ms: percentile(late, 99),
      clientLateP99Ms: percentile(caught.map((client) => client.attemptAt - client.allowedAt), 99),
      serverP99Ms: percentile(caught.map((client) => client.caughtUpAt - client.attemptAt), 99),
      gaps: this.#gaps,
      duplicates: this.#duplicates,
      resets: this.#resets,
      refused: this.#refused,
      arrivals: [...this.#arrivals].map((n) => n ?? 0),
    };
  }

  /** Closes every stream with a reset and stops reconnecting. */
  close(): void {
    this.#isClosing = true;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
    for (const client of this.#clients) client.socket = undefined;
  }

  /** A client lost its stream: it comes back after its `retry:`, as EventSource does. */
  #cut(client: Client): void {
    if (this.#isClosing) return;
    const now = performance.now();
    this.#stormAt ??= now;
    client.closedAt = now;
    client.allowedAt = now + client.retryMs;
    client.target = this.#maxSeq;
    client.attemptAt = 0;
    client.caughtUpAt = 0;
    setTimeout(() => this.#reconnect(client), client.retryMs);
  }

  #reconnect(client: Client): void {
    if (this.#isClosing) return;
    client.reconnects++;
    if (client.attemptAt === 0) client.attemptAt = performance.now();
    if (this.#stormAt !== undefined) {
      const bin = Math.floor((performance.now() - this.#stormAt) / ARRIVAL_BIN_MS);
      this.#arrivals[bin] = (this.#arrivals[bin] ?? 0) + 1;
    }
    this.#connect(client, () => {});
  }

  /** Opens `client`'s stream; `onSettled(true)` once its `200` head arrived, false if it failed first. */
  #connect(client: Client, onSettled: (isOpen: boolean) => void): void {
    const { host, port, path, localAddresses } = this.#options;
    const localAddress = localAddresses.length === 0 ? undefined : localAddresses[client.index % localAddresses.length];
    const socket = connect({ host, port, ...(localAddress === undefined ? {} : { localAddress }) });
    this.#sockets.add(socket);
    const isSampled = client.index % (this.#options.sampleEvery ?? 20) === 0;
    const counter = client.index % (this.#options.checkEvery ?? 1) === 0 ? undefined : new PatternCounter('\ndata:');
    let head: Buffer | undefined = Buffer.alloc(0);
    let isSettled = false;
    let isOpen = false;
    const settle = (value: boolean): void => {
      if (isSettled) return;
      isSettled = true;
      onSettled(value);
    };
    const reader = new BlockReader({
      onRetry: (ms) => (client.retryMs = ms),
      onBlock: (id, seq, hasData, isReset, stamp) => this.#block(client, id, seq, hasData, isReset, isSampled ? stamp : undefined),
    });
    socket.setNoDelay(true);
    socket.on('connect', () => {
      const cursor = client.lastId === undefined ? '' : `Last-Event-ID: ${client.lastId}\r\n`;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n${cursor}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        const parsed = parseResponseHead(head);
        if (parsed === undefined) return;
        const body = head.subarray(parsed.bodyAt);
        head = undefined;
        if (parsed.status !== 200) {
          this.#record(`status ${parsed.status}`);
          socket.destroy();
          return;
        }
        isOpen = true;
        client.socket = socket;
        settle(true);
        // Chunked framing: the size lines are skipped by the block reader as unknown lines.
        if (counter === undefined) reader.push(body);
        else this.#deliveries += counter.push(body);
        this.#checkCaughtUp(client);
        return;
      }
      if (counter === undefined) reader.push(chunk);
      else this.#deliveries += counter.push(chunk);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.#isClosing) return;
      if (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET') this.#refused++;
      else this.#record(error.message);
    });
    socket.on('close', () => {
      this.#sockets.delete(socket);
      settle(false);
      if (this.#isClosing) return;
      if (client.socket === socket) client.socket = undefined;
      else if (isOpen) return;
      // Refused, reset, or ended by the server: back after the retry time.
      if (this.#stormAt !== undefined || isOpen) this.#cut(client);
    });
  }

  #block(client: Client, id: string | undefined, seq: number, hasData: boolean, isReset: boolean, stamp: number | undefined): void {
    if (isReset) this.#resets++;
    if (id !== undefined && !Number.isNaN(seq)) {
      if (hasData) {
        this.#deliveries++;
        if (!Number.isNaN(client.lastSeq) && !isReset) {
          if (seq > client.lastSeq + 1) this.#gaps++;
          else if (seq <= client.lastSeq) this.#duplicates++;
        }
      } else if (!Number.isNaN(client.lastSeq) && seq < client.lastSeq) this.#duplicates++;
      client.lastSeq = seq;
      client.lastId = id;
      if (seq > this.#maxSeq) this.#maxSeq = seq;
    }
    if (stamp !== undefined) this.#latencies.push(wallMs() - stamp);
    this.#checkCaughtUp(client);
  }

  #checkCaughtUp(client: Client): void {
    if (client.caughtUpAt !== 0 || client.socket === undefined || client.closedAt === 0) return;
    if (client.lastSeq >= client.target) client.caughtUpAt = performance.now();
  }

  #record(message: string): void {
    if (this.errors.length < 20) this.errors.push(message);
  }
}


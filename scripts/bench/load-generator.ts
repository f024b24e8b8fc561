import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PatternCounter, parseResponseHead, StampScanner } from './event-counter.js';
import { percentile } from '../lib/stats.js';

/** Options of {@link LoadGenerator}. */
export interface LoadOptions extends StreamLoadOptions {
  /** The stream URL (`http:` only: the bench measures the server, not TLS). */
  readonly streamUrl: string;
  /** Loopback source addresses to spread the client sockets over (ephemeral ports run short). */
  readonly localAddresses?: readonly string[];
}

/** What opening the streams measured. */
export interface OpenResult {
  readonly requested: number;
  readonly opened: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Streams answered per second. */
  readonly connectRate: number;
  readonly headersP50Ms: number;
  readonly headersP99Ms: number;
  readonly firstErrors: readonly string[];
}

/** What one burst measured. */
export interface BurstResult {
  readonly events: number;
  readonly deliveries: number;
  /** From sending the publish request until the last stream got the last event; NaN if never. */
  readonly lastDeliveryMs: number;
  readonly deliveriesPerSecond: number;
  readonly isComplete: boolean;
}

/** What a steady publishing rate measured. */
export interface RateResult {
  readonly perSecond: number;
  readonly offered: number;
  readonly expected: number;
  readonly delivered: number;
  /** Events per second each stream received, from the first publish to the last delivery. */
  readonly deliveredPerSecond: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const DATA_LINE = '\ndata:';
const BURST_TIMEOUT_MS = 60_000;

/** Publish and stream URLs, and how often to sample latency: what every load generator needs. */
export interface StreamLoadOptions {
  /** `POST` target for single events, with a JSON body `{"data"}`. */
  readonly publishUrl?: string | undefined;
  /** `POST` target publishing `{"count","data"}` events at once; without it bursts use `publishUrl`. */
  readonly burstUrl?: string | undefined;
  /** Scan timestamps on every n-th stream for latency. @defaultValue 10 */
  readonly sampleEvery?: number;
}

/** How one stream's opening ended: milliseconds to its response head, or why it failed. */
export type OpenOutcome = number | { readonly error: string };

/**
 * What every load generator does the same way over any transport: open streams a number at a
 * time and time them, count events by scanning for data lines (no parser per byte), publish
 * bursts and steady rates, and measure latency from a publish timestamp carried in the data on a
 * sample of the streams. A transport supplies how a stream is opened and how a publish is sent.
 */
export abstract class StreamLoad {
  /** Events counted on all streams together. */
  total = 0;
  readonly errors: string[] = [];
  protected readonly options: StreamLoadOptions;
  protected isClosing = false;
  #latencies: number[] = [];
  #waiter: { readonly target: number; readonly resolve: (at: number) => void } | undefined;
  #unexpectedCloses = 0;
  #opened = 0;

  constructor(options: StreamLoadOptions) {
    this.options = options;
  }

  /** Streams open now. */
  abstract get openStreams(): number;

  /** Streams that closed while the bench still needed them. */
  get unexpectedCloses(): number {
    return this.#unexpectedCloses;
  }

  /** Closes every stream and connection. */
  abstract close(): Promise<void>;

  /** Opens stream number `index` and calls `onSettled` once, when its head came or it failed. */
  protected abstract openStream(index: number, onSettled: (outcome: OpenOutcome) => void): void;

  /** Sends one JSON `POST`; resolves when answered, recording a failure instead of throwing. */
  protected abstract post(url: string, body: unknown): Promise<void>;

  /**
   * Opens `count` streams, `concurrency` at a time, each timed from its request to the end of its
   * response head.
   */
  open(count: number, concurrency = 100): Promise<OpenResult> {
    const startedAt = performance.now();
    const headerTimes: number[] = [];
    const firstErrors: string[] = [];
    let next = 0;
    let settled = 0;
    let failed = 0;
    return new Promise((resolve) => {
      const finish = (): void => {
        const elapsedMs = performance.now() - startedAt;
        resolve({
          requested: count,
          opened: headerTimes.length,
          failed,
          elapsedMs,
          connectRate: (headerTimes.length / elapsedMs) * 1000,
          headersP50Ms: percentile(headerTimes, 50),
          headersP99Ms: percentile(headerTimes, 99),
          firstErrors,
        });
      };
      const startOne = (): void => {
        next++;
        this.openStream(this.#opened++, (outcome) => {
          if (typeof outcome === 'number') headerTimes.push(outcome);
          else {
            failed++;
            if (firstErrors.length < 5) firstErrors.push(outcome.error);
          }
          settled++;
          if (next < count) startOne();
          else if (settled === count) finish();
        });
      };
      if (count === 0) finish();
      for (let i = 0; i < Math.min(concurrency, count); i++) startOne();
    });
  }

  /**
   * Publishes `events` events at once and waits until every open stream has counted them.
   *
   * @param bytes - length of each event's data
   */
  async burst(events: number, bytes: number): Promise<BurstResult> {
    const streams = this.openStreams;
    const target = this.total + events * streams;
    const data = padData('b=burst', bytes);
    const startedAt = performance.now();
    const reached = this.#waitFor(target, BURST_TIMEOUT_MS);
    const { burstUrl, publishUrl } = this.options;
    if (burstUrl !== undefined) await this.post(burstUrl, { count: events, data });
    else if (publishUrl !== undefined) {
      for (let i = 0; i < events; i++) await this.post(publishUrl, { data });
    } else throw new Error('A burst needs a burst URL or a publish URL.');
    const at = await reached;
    const lastDeliveryMs = at - startedAt;
    return {
      events,
      deliveries: events * streams,
      lastDeliveryMs,
      deliveriesPerSecond: ((events * streams) / lastDeliveryMs) * 1000,
      isComplete: Number.isFinite(at),
    };
  }

  /**
   * Publishes single events at a steady rate, each stamped with its publish time, then waits up
   * to `drainMs` for the last deliveries. Latency is taken on the sampled streams.
   */
  async rate(perSecond: number, seconds: number, bytes: number, drainMs = 3000): Promise<RateResult> {
    const { publishUrl } = this.options;
    if (publishUrl === undefined) throw new Error('A rate run needs a publish URL.');
    const streams = this.openStreams;
    const offered = Math.round(perSecond * seconds);
    const before = this.total;
    const expected = offered * streams;
    this.#latencies = [];
    const startedAt = performance.now();
    const periodMs = 1000 / perSecond;
    const posts: Promise<void>[] = [];
    for (let sent = 0; sent < offered; ) {
      const due = startedAt + sent * periodMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      // Behind schedule (a busy load process) means publishing what is due now, not skipping it.
      while (sent < offered && startedAt + sent * periodMs <= performance.now()) {
        posts.push(this.post(publishUrl, { data: padData(`t=${performance.now().toFixed(3)}`, bytes) }));
        sent++;
      }
    }
    await Promise.all(posts);
    const at = await this.#waitFor(before + expected, drainMs);
    const delivered = this.total - before;
    const lastAt = Number.isFinite(at) ? at : performance.now();
    const latencies = this.#latencies;
    this.#latencies = [];
    return {
      perSecond,
      offered,
      expected,
      delivered,
      deliveredPerSecond: streams === 0 ? 0 : (delivered / streams / (lastAt - startedAt)) * 1000,
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
    };
  }

  /** What reads one stream's body: it counts events and, on sampled streams, latencies. */
  protected bodyReader(index: number): (chunk: Buffer, now: number) => void {
    const counter = new PatternCounter(DATA_LINE);
    const scanner = index % (this.options.sampleEvery ?? 10) === 0 ? new StampScanner() : undefined;
    return (chunk, now) => {
      const found = counter.push(chunk);
      if (scanner !== undefined) {
        for (const stamp of scanner.push(chunk)) this.#latencies.push(now - stamp);
      }
      if (found === 0) return;
      this.total += found;
      const waiter = this.#waiter;
      if (waiter !== undefined && this.total >= waiter.target) {
        this.#waiter = undefined;
        waiter.resolve(now);
      }
    };
  }

  /** Counts a stream the server closed while the bench still needed it. */
  protected closedUnexpectedly(): void {
    if (!this.isClosing) this.#unexpectedCloses++;
  }

  protected record(message: string): void {
    if (this.errors.length < 20) this.errors.push(message);
  }

  #waitFor(target: number, timeoutMs: number): Promise<number> {
    if (this.total >= target) return Promise.resolve(performance.now());
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(Number.NaN);
      }, timeoutMs);
      this.#waiter = {
        target,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
    });
  }
}

/**
 * A load generator for any SSE server, on raw `node:net` sockets: each stream is a plain
 * HTTP/1.1 GET on its own connection.
 */
export class LoadGenerator extends StreamLoad {
  readonly #url: URL;
  readonly #localAddresses: readonly string[];
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 8 });
  readonly #sockets = new Set<Socket>();

  constructor(options: LoadOptions) {
    super(options);
    this.#url = new URL(options.streamUrl);
    this.#localAddresses = options.localAddresses ?? [];
    if (this.#url.protocol !== 'http:') throw new TypeError(`Only http: stream URLs can be loaded, got ${options.streamUrl}.`);
  }

  get openStreams(): number {
    return this.#sockets.size;
  }

  /**
   * Closes every stream and the publishing agent. Streams are reset, not ended: a FIN would leave
   * each client port in TIME_WAIT for a minute, and binding to a loopback source address then
   * spends milliseconds per connect searching for a free port, which skews the next run.
   */
  async close(): Promise<void> {
    this.isClosing = true;
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
    this.#agent.destroy();
    await sleep(50);
    this.isClosing = false;
  }

  protected openStream(index: number, onSettled: (outcome: OpenOutcome) => void): void {
    const url = this.#url;
    const addresses = this.#localAddresses;
    const localAddress = addresses.length === 0 ? undefined : addresses[index % addresses.length];
    const startedAt = performance.now();
    const socket = connect({ host: url.hostname, port: Number(url.port || 80), ...(localAddress ? { localAddress } : {}) });
    const onBody = this.bodyReader(index);
    let head: Buffer | undefined = Buffer.alloc(0);
    let isSettled = false;
    const settle = (outcome: OpenOutcome): void => {
      if (isSettled) return;
      isSettled = true;
      onSettled(outcome);
    };
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      if (head === undefined) return onBody(chunk, now);
      head = Buffer.concat([head, chunk]);
      const parsed = parseResponseHead(head);
      if (parsed === undefined) return;
      const body = head.subarray(parsed.bodyAt);
      head = undefined;
      if (parsed.status !== 200) {
        settle({ error: `status ${parsed.status}` });
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      settle(now - startedAt);
      if (body.length > 0) onBody(body, now);
    });
    socket.on('error', (error: Error) => {
      settle({ error: error.message });
      if (!this.isClosing) this.record(error.message);
    });
    socket.on('close', () => {
      settle({ error: 'closed before the response head' });
      if (this.#sockets.delete(socket)) this.closedUnexpectedly();
    });
  }

  protected post(url: string, body: unknown, isRetry = false): Promise<void> {
    const text = JSON.stringify(body);
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 300) this.record(`publish answered ${res.statusCode}`);
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as this request went out (its keepAliveTimeout
        // fired late, e.g. while it was busy delivering a burst): Node's documented answer is to
        // send again once on a new socket.
        if (req.reusedSocket && error.code === 'ECONNRESET' && !isRetry) {
          this.post(url, body, true).then(resolve, resolve);
          return;
        }
        this.record(`publish failed: ${error.message}`);
        resolve();
      });
      req.end(text);
    });
  }
}

/** `prefix` padded with `x` to `bytes` characters (never cut). */
export function padData(prefix: string, bytes: number): string {
  return prefix.length >= bytes ? prefix : `${prefix} ${'x'.repeat(bytes - prefix.length - 1)}`;
}


import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { PatternCounter, StampScanner } from './event-counter.js';
import { padData, type BurstResult, type OpenResult, type RateResult } from './load-generator.js';
import { percentile } from './stats.js';

/** Options of {@link H2LoadGenerator}. */
export interface H2LoadOptions {
  /** `http:` for h2c (prior knowledge) or `https:` (TLS, ALPN h2; any certificate is accepted). */
  readonly streamUrl: string;
  readonly publishUrl?: string | undefined;
  readonly burstUrl?: string | undefined;
  /** HTTP/2 connections the streams are spread over, as browsers share one per origin. @defaultValue 10 */
  readonly sessions?: number;
  /** Scan timestamps on every n-th stream for latency. @defaultValue 10 */
  readonly sampleEvery?: number;
}

const DATA_LINE = '\ndata:';
const BURST_TIMEOUT_MS = 60_000;

/**
 * The HTTP/2 twin of the HTTP/1.1 load generator: streams opened over a few shared sessions (the
 * way browsers on HTTPS multiplex every EventSource of an origin), events counted by scanning for
 * data lines, publishes sent over a session of their own. Same results, so the bench measures
 * both paths with one procedure.
 */
export class H2LoadGenerator {
  total = 0;
  readonly errors: string[] = [];
  readonly #options: H2LoadOptions;
  readonly #url: URL;
  #sessions: ClientHttp2Session[] = [];
  #publisher: ClientHttp2Session | undefined;
  readonly #streams = new Set<ClientHttp2Stream>();
  #latencies: number[] = [];
  #waiter: { readonly target: number; readonly resolve: (at: number) => void } | undefined;
  #isClosing = false;
  #unexpectedCloses = 0;
  #opened = 0;

  constructor(options: H2LoadOptions) {
    this.#options = options;
    this.#url = new URL(options.streamUrl);
  }

  get unexpectedCloses(): number {
    return this.#unexpectedCloses;
  }

  #connect(): ClientHttp2Session {
    const session = connect(this.#url.origin, { rejectUnauthorized: false });
    session.on('error', (error) => this.#record(`session: ${error.message}`));
    // Many streams on one session: the default of 100 concurrent streams is the server's to set.
    session.setMaxListeners(0);
    return session;
  }

  /** Opens `count` streams spread round robin over the sessions, `concurrency` at a time. */
  open(count: number, concurrency = 100): Promise<OpenResult> {
    const wanted = this.#options.sessions ?? 10;
    while (this.#sessions.length < wanted) this.#sessions.push(this.#connect());
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
        const index = this.#opened++;
        next++;
        this.#openStream(index, (outcome) => {
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

  async burst(events: number, bytes: number): Promise<BurstResult> {
    const streams = this.#streams.size;
    const target = this.total + events * streams;
    const data = padData('b=burst', bytes);
    const startedAt = performance.now();
    const reached = this.#waitFor(target, BURST_TIMEOUT_MS);
    const { burstUrl, publishUrl } = this.#options;
    if (burstUrl !== undefined) await this.#post(burstUrl, { count: events, data });
    else if (publishUrl !== undefined) for (let i = 0; i < events; i++) await this.#post(publishUrl, { data });
    else throw new Error('A burst needs a burst URL or a publish URL.');
    const at = await reached;
    const lastDeliveryMs = at - startedAt;
    return { events, deliveries: events * streams, lastDeliveryMs, deliveriesPerSecond: ((events * streams) / lastDeliveryMs) * 1000, isComplete: Number.isFinite(at) };
  }

  async rate(perSecond: number, seconds: number, bytes: number, drainMs = 3000): Promise<RateResult> {
    const { publishUrl } = this.#options;
    if (publishUrl === undefined) throw new Error('A rate run needs a publish URL.');
    const streams = this.#streams.size;
    const offered = Math.round(perSecond * seconds);
    const before = this.total;
    const expected = offered * streams;
    this.#latencies = [];
    const startedAt = performance.now();
    const periodMs = 1000 / perSecond;
    const posts: Promise<void>[] = [];
    for (let sent = 0; sent < offered; ) {
      const wait = startedAt + sent * periodMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (sent < offered && startedAt + sent * periodMs <= performance.now()) {
        posts.push(this.#post(publishUrl, { data: padData(`t=${performance.now().toFixed(3)}`, bytes) }));
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

  /** Closes every stream and session. */
  async close(): Promise<void> {
    this.#isClosing = true;
    for (const stream of this.#streams) stream.close(constants.NGHTTP2_CANCEL);
    this.#streams.clear();
    for (const session of [...this.#sessions, ...(this.#publisher === undefined ? [] : [this.#publisher])]) session.destroy();
    this.#sessions = [];
    this.#publisher = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.#isClosing = false;
  }

  #openStream(index: number, onSettled: (outcome: number | { readonly error: string }) => void): void {
    const session = this.#sessions[index % this.#sessions.length] as ClientHttp2Session;
    const startedAt = performance.now();
    const counter = new PatternCounter(DATA_LINE);
    const scanner = index % (this.#options.sampleEvery ?? 10) === 0 ? new StampScanner() : undefined;
    let isSettled = false;
    const settle = (outcome: number | { readonly error: string }): void => {
      if (isSettled) return;
      isSettled = true;
      onSettled(outcome);
    };
    const stream = session.request({ ':path': `${this.#url.pathname}${this.#url.search}`, accept: 'text/event-stream' });
    stream.on('response', (headers) => {
      const status = Number(headers[':status']);
      if (status !== 200) {
        settle({ error: `status ${status}` });
        stream.close();
        return;
      }
      this.#streams.add(stream);
      settle(performance.now() - startedAt);
    });
    // The scan sees every chunk as it came; the line feed before the first data line is the
    // previous event's blank line, so the first event counts too once a retry line came first.
    stream.on('data', (chunk: Buffer) => {
      const now = performance.now();
      const found = counter.push(chunk);
      if (scanner !== undefined) for (const stamp of scanner.push(chunk)) this.#latencies.push(now - stamp);
      if (found === 0) return;
      this.total += found;
      const waiter = this.#waiter;
      if (waiter !== undefined && this.total >= waiter.target) {
        this.#waiter = undefined;
        waiter.resolve(now);
      }
    });
    stream.on('error', (error) => {
      settle({ error: error.message });
      if (!this.#isClosing) this.#record(error.message);
    });
    stream.on('close', () => {
      settle({ error: 'closed before the response head' });
      if (this.#streams.delete(stream) && !this.#isClosing) this.#unexpectedCloses++;
    });
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

  #post(url: string, body: unknown): Promise<void> {
    this.#publisher ??= this.#connect();
    const text = JSON.stringify(body);
    const target = new URL(url);
    return new Promise((resolve) => {
      const req = (this.#publisher as ClientHttp2Session).request({
        ':method': 'POST',
        ':path': `${target.pathname}${target.search}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      req.on('response', (headers) => {
        if (Number(headers[':status']) >= 300) this.#record(`publish answered ${headers[':status']}`);
      });
      req.on('error', (error) => this.#record(`publish failed: ${error.message}`));
      req.on('close', () => resolve());
      req.resume();
      req.end(text);
    });
  }

  #record(message: string): void {
    if (this.errors.length < 20) this.errors.push(message);
  }
}

import { Changes } from './changes.js';
import { createEventStreamReader, type EventStreamReader } from './event-stream.js';
import { headerValue } from './framing.js';
import type { Probe, ProbeRecord } from './probe.js';
import { hasHead, isStream, openStream } from './stream-request.js';
import type { ResolvedTarget } from './target.js';

/** An event seen on the observed stream, stamped with the clock of the whole run. */
export interface SeenEvent {
  readonly type: string;
  readonly data: string;
  readonly lastEventId: string;
  readonly hasOwnId: boolean;
  /** `performance.now()` when the blank line that dispatched it arrived. */
  readonly at: number;
  /** Which connection of the observation carried it (0 = the first). */
  readonly segment: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** How the observation may outlast its window. */
export interface WatchOptions {
  /** The longest the observation may last, in ms, however long a verdict needs. */
  readonly maxMs: number;
  /** Whether every question the watch answers has its answer; until then the window is extended. */
  readonly isJudged?: () => boolean;
  /** Told once, when the window is extended. */
  readonly onExtend?: (message: string) => void;
  /** Why the window is extended, for `onExtend`; undefined when not worth telling (nothing is told then). */
  readonly why?: () => string | undefined;
}

/**
 * The main watch on the target: one stream kept open for the observe window, and longer (up to
 * `maxMs`) while a verdict still needs it. When the server ends the stream, the observation
 * reconnects the way `EventSource` does (with `Last-Event-ID`), so servers that close after N
 * events are observed too. Redirects on the first request are followed.
 */
export class Observation {
  /** Every connection, in order; checks read their records. */
  readonly segments: Probe[] = [];
  /** The events every connection dispatched, in order. */
  readonly events: SeenEvent[] = [];
  /** The redirects followed before the stream answered (`status → location`). */
  readonly redirects: string[] = [];
  /** `performance.now()` when the observation started and stopped. */
  readonly startedAt = performance.now();
  stoppedAt: number | undefined;
  /** The stream URL after redirects. */
  url: string;
  /** `performance.now()` when the observe window ends, unless a verdict needs more. */
  readonly baseDeadline: number;
  readonly #target: ResolvedTarget;
  readonly #deadline: number;
  readonly #watch: WatchOptions;
  #windowTimer: NodeJS.Timeout | undefined;
  #isExtended = false;
  readonly #changes = new Changes();
  #lastEventId = '';
  #isStopped = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #ended: Promise<void>;
  #resolveEnded!: () => void;

  constructor(target: ResolvedTarget, watch: WatchOptions = { maxMs: target.observeSeconds * 1000 }) {
    this.#target = target;
    this.url = target.url;
    this.#watch = watch;
    this.baseDeadline = this.startedAt + target.observeSeconds * 1000;
    this.#deadline = this.startedAt + Math.max(target.observeSeconds * 1000, watch.maxMs);
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#windowTimer = setTimeout(() => this.#onWindowEnd(), target.observeSeconds * 1000);
    this.#open();
  }

  #onWindowEnd(): void {
    if (this.#isStopped) return;
    const isJudged = this.#watch.isJudged ?? (() => true);
    if (isJudged() || performance.now() >= this.#deadline) {
      void this.stop();
      return;
    }
    const why = this.#watch.why?.();
    if (!this.#isExtended && why !== undefined) {
      this.#isExtended = true;
      this.#watch.onExtend?.(`watching longer, up to ${Math.round((this.#deadline - this.startedAt) / 1000)} s: ${why}`);
    }
    // Checked often enough to stop soon after the answer arrives, bounded by the hard deadline.
    this.#windowTimer = setTimeout(() => this.#onWindowEnd(), 250);
  }

  /** The first connection. */
  get first(): Probe {
    return this.segments[0] as Probe;
  }

  /** Whether no more data will be observed. */
  get isOver(): boolean {
    return this.#isStopped;
  }

  /** Resolves when the first connection has its head, ended without one, or the observe window is over. */
  async ready(): Promise<void> {
    for (let hop = 0; hop <= 6; hop++) {
      const probe = this.first;
      // A server may hold its headers until its first event: wait as long as the window allows.
      await probe.waitFor(hasHead, Math.max(0, this.baseDeadline - performance.now()));
      if (!REDIRECTS.has(probe.record.head?.status ?? 0)) return;
      await probe.done;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.first === probe) return;
    }
  }

  /**
   * Waits for an event matching `predicate` (already seen or still to come), for at most `timeoutMs`.
   */
  waitForEvent(predicate: (event: SeenEvent) => boolean, timeoutMs: number): Promise<SeenEvent | undefined> {
    return this.#changes.waitFor(() => this.events.find(predicate), () => this.#isStopped, timeoutMs);
  }

  /** Waits until `condition` holds over what has been observed, for at most `timeoutMs`. @returns whether it held */
  async waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return (await this.#changes.waitFor(() => condition() || undefined, () => this.#isStopped, timeoutMs)) === true;
  }

  /** Resolves when the observe window is over (or {@link stop} was called). */
  untilOver(): Promise<void> {
    return this.#ended;
  }

  /** Stops observing and closes the open connection. */
  async stop(): Promise<void> {
    if (!this.#isStopped) {
      this.#isStopped = true;
      this.stoppedAt = performance.now();
      clearTimeout(this.#reconnectTimer);
      clearTimeout(this.#windowTimer);
      this.#changes.notify();
      this.#resolveEnded();
    }
    await Promise.all(this.segments.map((probe) => probe.close()));
  }

  #open(): void {
    const remaining = this.#deadline - performance.now() + 1000;
    const extra: [string, string][] = this.#lastEventId === '' ? [] : [['Last-Event-ID', this.#lastEventId]];
    const probe = openStream(this.#target, this.url, Math.max(remaining, 1), extra);
    const segment = this.segments.length;
    this.segments.push(probe);
    let fed = 0;
    let parser: EventStreamReader | undefined;
    probe.onUpdate(() => {
      if (probe.record.head !== undefined && parser === undefined) {
        parser = createEventStreamReader({
          onEvent: (event) => this.events.push({ ...event, at: performance.now(), segment }),
        });
      }
      const body = probe.body;
      if (parser !== undefined && body.length > fed) {
        parser.feed(body.subarray(fed));
        fed = body.length;
        this.#lastEventId = parser.lastEventId;
      }
      this.#changes.notify();
    });
    void probe.done.then((record) => this.#onSegmentEnd(record));
  }

  #onSegmentEnd(record: ProbeRecord): void {
    if (this.#isStopped) return;
    const now = performance.now();
    if (record.end === 'timeout' || now >= this.#deadline || (now >= this.baseDeadline && (this.#watch.isJudged?.() ?? true))) {
      void this.stop();
      return;
    }
    const status = record.head?.status ?? 0;
    const location = headerValue(record.head?.headers ?? [], 'location');
    if (this.segments.length === 1 && REDIRECTS.has(status) && location !== undefined && this.redirects.length < 5) {
      this.redirects.push(`${status} → ${location}`);
      this.url = new URL(location, this.url).href;
      this.segments.length = 0;
      this.#open();
      return;
    }
    // [spec] a clean end of a 200 event stream makes EventSource reconnect after the retry delay;
    // the delay is shortened here so a short observe window still sees the next connection.
    if (isStream(record) && this.segments.length < 20) {
      this.#reconnectTimer = setTimeout(() => this.#open(), 200);
      return;
    }
    void this.stop();
  }
}

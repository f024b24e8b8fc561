import { RedisClient, RedisUnavailableError, type RedisState } from './client.js';
import { RedisReplyError, type RespValue } from './resp.js';
import type { FeedStart } from '../history/broker.js';
import type { PublishInput } from '../hub/channel.js';
import { compareStreamIds, formatStreamId, STREAM_START, type StreamId } from './stream-id.js';
import { parseEntries } from './entries.js';
import { StreamWindow } from './stream-window.js';
import { joinLive, type EventSink } from '../stream/sink.js';

/** Sends one command on a connection being set up (before it counts as ready). */
export type Send = (args: readonly (string | Buffer)[]) => Promise<RespValue>;

/** Options of {@link Follower}: what the `RedisBroker` wiring gives it. */
export interface FollowerOptions {
  /** `redis://host:port/db`: the follower has a connection of its own, since `XREAD BLOCK` holds it. */
  readonly url: string;
  /** The stream's key. */
  readonly key: string;
  /** Entries the window holds, and acknowledged events kept until read back. */
  readonly maxEvents: number;
  /** Bytes the window holds. */
  readonly maxBytes: number;
  /** The `retry:` hint for the streams a gap sends away. */
  readonly retryMs: number;
  /** Connection state changes, as the broker's other connection reports them. */
  readonly onState: (state: RedisState, cause?: Error) => void;
  /** Reads the epoch on a new connection (a key holding something else fails a waiting start). */
  readonly readEpoch: (send: Send) => Promise<string>;
  /** Acknowledged events never read back when Redis came back without the stream: add them again. */
  readonly onLost: (inputs: readonly PublishInput[]) => void;
  /** A failure other than a lost connection, for the broker's "not reachable" message. */
  readonly onProblem: (message: string) => void;
}

const PAGE = 1000;
// The follower's XREAD waits this long for news, then asks again: a reply that never comes
// (the connection died without a word) is noticed within this plus the client's margin.
const BLOCK_MS = 5000;
const HAS_ENTRY = "return #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])";

/**
 * The follower of a `RedisBroker`: one connection looping on `XREAD BLOCK` from the newest
 * id it read, the {@link StreamWindow} of the newest entries (for exact resume without a round
 * trip), the local subscribers it fans each batch out to, and the recovery when the stream was
 * trimmed past its position (a gap) or Redis came back without it (a new epoch).
 *
 * Its state, and no one else's: the window, the epoch, whether the window is being reloaded,
 * the subscribers, the waiters for a head, and the events acknowledged but not read back yet.
 */
export class Follower {
  readonly client: RedisClient;
  readonly window: StreamWindow;
  readonly #options: FollowerOptions;
  readonly #subscribers = new Set<EventSink>();
  readonly #headWaiters = new Set<{ readonly id: StreamId; resolve(isReached: boolean): void }>();
  /** Events acknowledged to a publisher that the follower has not read back yet. */
  readonly #unconfirmed = new Map<string, PublishInput>();
  #epoch: string | undefined;
  #isClosed = false;
  #isReloading = false;
  #canEval = true;
  #following: Promise<void> | undefined;
  #published = 0;
  #delivered = 0;
  #gaps = 0;

  constructor(options: FollowerOptions) {
    this.#options = options;
    this.window = new StreamWindow({ maxEvents: options.maxEvents, maxBytes: options.maxBytes });
    this.client = new RedisClient({ url: options.url, onState: options.onState, onConnect: (send) => this.#onConnect(send) });
  }

  /** The epoch of the ids delivered now (undefined before Redis was first reached). */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** True while the window is reloaded after a gap: it cannot prove anything then. */
  get isReloading(): boolean {
    return this.#isReloading;
  }

  /** Times the stream was found trimmed past this follower's position. */
  get gaps(): number {
    return this.#gaps;
  }

  get stats(): { readonly published: number; readonly delivered: number; readonly subscribers: number } {
    return { published: this.#published, delivered: this.#delivered, subscribers: this.#subscribers.size };
  }

  /** Starts the loop (once); the connection must have been asked for already. */
  start(): void {
    this.#following ??= this.#follow();
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.client.close();
    for (const waiter of this.#headWaiters) waiter.resolve(false);
    await this.#following;
  }

  /** Keeps an acknowledged event until the follower reads it back, bounded by the history size. */
  remember(id: StreamId, input: PublishInput): void {
    this.#unconfirmed.set(formatStreamId(id), input);
    if (this.#unconfirmed.size > this.#options.maxEvents) this.#unconfirmed.delete(this.#unconfirmed.keys().next().value as string);
  }

  /**
   * Adds the subscriber to the fan-out and writes `initial` ({@link joinLive}), in one synchronous
   * step: no batch can come between them, so nothing is lost or doubled between replay and live.
   */
  join(subscriber: EventSink, initial: readonly Buffer[], start: FeedStart): FeedStart {
    if (subscriber.isClosed || this.#isClosed) return start;
    this.#subscribers.add(subscriber);
    joinLive(subscriber, {
      initial: initial.length <= 1 ? initial[0] : Buffer.concat(initial),
      unsubscribe: () => this.leave(subscriber),
    });
    return start;
  }

  leave(subscriber: EventSink): void {
    this.#subscribers.delete(subscriber);
  }

  /** Resolves true once the window's head reaches `id`, false after `timeoutMs` or on close. */
  waitForHead(id: StreamId, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter = {
        id,
        resolve: (value: boolean) => {
          clearTimeout(timer);
          this.#headWaiters.delete(waiter);
          resolve(value);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#headWaiters.add(waiter);
      if (compareStreamIds(this.window.head, id) >= 0) waiter.resolve(true);
    });
  }

  /** Runs on every follower connection: reads the epoch; a new one means Redis lost the stream. */
  async #onConnect(send: Send): Promise<void> {
    const epoch = await this.#options.readEpoch(send);
    if (this.#epoch === undefined) {
      await this.#loadWindow(send, epoch);
    } else if (epoch !== this.#epoch) {
      // Redis came back without the stream. Live streams go on with the new ids (the follower
      // reads the new stream from its start); acknowledged events it never read are added again.
      this.window.reset(STREAM_START);
      const lost = [...this.#unconfirmed.values()];
      this.#unconfirmed.clear();
      this.#options.onLost(lost);
    }
    this.#epoch = epoch;
  }

  /** Fills the window with the newest entries; the oldest one read becomes the floor. */
  async #loadWindow(send: Send, epoch: string): Promise<void> {
    const newest = parseEntries(await send(['XREVRANGE', this.#options.key, '+', '-', 'COUNT', String(this.#options.maxEvents + 1)]), epoch).reverse();
    // Whether anything before the oldest entry read was trimmed is unknown, so it is not held.
    const oldest = newest.shift();
    this.window.reset(oldest?.id ?? STREAM_START);
    for (const entry of newest) this.window.append(entry.id, entry.bytes);
  }

  async #follow(): Promise<void> {
    while (!this.#isClosed) {
      try {
        await this.client.ready();
        const head = this.window.head;
        // Trimming removes the oldest entries first, so while the head is still in the
        // stream, nothing after it was trimmed. Asked in the same pipeline, just before the read.
        const isHeadKept = compareStreamIds(head, STREAM_START) === 0 ? Promise.resolve(true) : this.#isKept(head);
        const read = this.client.command(['XREAD', 'COUNT', String(PAGE), 'BLOCK', String(BLOCK_MS), 'STREAMS', this.#options.key, formatStreamId(head)], BLOCK_MS + 5000);
        const [isKept, reply] = await Promise.all([isHeadKept, read]);
        if (!isKept) await this.#recoverFromGap();
        else if (Array.isArray(reply)) this.#receive(reply);
      } catch (error) {
        if (this.#isClosed) return;
        if (!(error instanceof RedisUnavailableError)) {
          this.#options.onProblem((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
  }

  /** Whether the entry `id` is still in the stream: a tiny script, or `XRANGE` where scripts are not allowed. */
  #isKept(id: StreamId): Promise<boolean> {
    const text = formatStreamId(id);
    const key = this.#options.key;
    if (!this.#canEval) {
      return this.client.command(['XRANGE', key, text, text]).then((reply) => !Array.isArray(reply) || reply.length > 0);
    }
    return this.client.command(['EVAL', HAS_ENTRY, '1', key, text]).then(
      (reply) => reply !== 0,
      (error: unknown) => {
        if (!(error instanceof RedisReplyError)) throw error;
        // Scripting is off for this user: check with XRANGE from the next read on.
        this.#canEval = false;
        return true;
      },
    );
  }

  /**
   * The stream was trimmed past this instance's position (it lagged by more than the cap, or was
   * away): its live streams may have missed events, so they are sent to reconnect, and their
   * cursors then meet `reset` (expired) instead of a silent gap.
   */
  async #recoverFromGap(): Promise<void> {
    for (const subscriber of this.#subscribers) subscriber.end(this.#options.retryMs);
    this.#subscribers.clear();
    this.#gaps++;
    this.#isReloading = true;
    try {
      await this.#loadWindow((args) => this.client.command(args), this.#epoch as string);
    } finally {
      this.#isReloading = false;
    }
  }

  /** Feeds one `XREAD` reply to the window and to every local subscriber, as one write each. */
  #receive(reply: RespValue[]): void {
    const stream = reply[0];
    if (!Array.isArray(stream)) return;
    const entries = parseEntries(stream[1] ?? null, this.#epoch as string);
    const chunks: Buffer[] = [];
    for (const entry of entries) {
      if (compareStreamIds(entry.id, this.window.head) <= 0) continue;
      this.window.append(entry.id, entry.bytes);
      this.#unconfirmed.delete(formatStreamId(entry.id));
      if (entry.bytes.length > 0) chunks.push(entry.bytes);
    }
    if (chunks.length > 0) {
      // #region redis-fan-out
      const chunk = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      for (const subscriber of this.#subscribers) subscriber.deliver(chunk, chunks.length);
      // #endregion redis-fan-out
      this.#published += chunks.length;
      this.#delivered += chunks.length * this.#subscribers.size;
    }
    for (const waiter of this.#headWaiters) {
      if (compareStreamIds(this.window.head, waiter.id) >= 0) waiter.resolve(true);
    }
  }
}

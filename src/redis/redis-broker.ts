import { encodeComment, encodeCursor, encodeEvent } from '../protocol/encode.js';
import { SseError } from '../protocol/errors.js';
import { checkInteger, checkKnownOptions } from '../options/check.js';
import { RedisClient, RedisUnavailableError, type RedisState } from './client.js';
import { RedisReplyError, type RespValue } from './resp.js';
import { BrokerUnavailableError, type Broker, type BrokerHealth, type FeedStart, type FeedSubscriber } from '../history/broker.js';
import type { Channel, PublishInput } from '../hub/channel.js';
import { checkAppEventName } from '../hub/event-names.js';
import { encodeReset, type ResetReason } from '../hub/resume.js';
import {
  compareStreamIds,
  formatStreamEventId,
  formatStreamId,
  parseStreamCursor,
  parseStreamId,
  STREAM_START,
  type StreamId,
} from './stream-id.js';
import { entryFields, parseEntries, readEpoch, RedisEpochError, type Entry } from './entries.js';
import { StreamWindow } from './stream-window.js';
import { OPTIONS } from '../options/table.js';

/** Options of {@link RedisBroker}. */
export interface RedisBrokerOptions {
  /** `redis://host:port/db`. */
  readonly url: string;
  /** The stream's key; the epoch is kept at `<key>:epoch`. @defaultValue 'sse:feed' */
  readonly key?: string;
  /** The stream is capped near this many entries (`MAXLEN ~`), and the local window holds as many. @defaultValue 1000 */
  readonly historyEvents?: number;
  /** Bytes the local window holds. @defaultValue 4 MiB */
  readonly historyBytes?: number;
  /** Largest encoded event accepted. @defaultValue 256 KiB */
  readonly maxEventBytes?: number;
  /** The `retry:` hint for a stream sent away while Redis is unreachable. @defaultValue 3000 */
  readonly retryMs?: number;
  /** How long {@link RedisBroker.start} waits for Redis. @defaultValue 5000 */
  readonly connectTimeoutMs?: number;
  /** How long a resume from a cursor ahead of this instance waits for the follower. @defaultValue 2000 */
  readonly catchUpTimeoutMs?: number;
  /**
   * How long a publish waits for Redis to store the event before it fails with a `timeout`
   * {@link BrokerUnavailableError}. The connection is kept: a slow Redis is not a dead one.
   * @defaultValue 5000
   */
  readonly publishTimeoutMs?: number;
}

const REDIS_BROKER_OPTIONS = {
  url: true,
  key: true,
  historyEvents: true,
  historyBytes: true,
  maxEventBytes: true,
  retryMs: true,
  connectTimeoutMs: true,
  catchUpTimeoutMs: true,
  publishTimeoutMs: true,
} as const satisfies Record<keyof RedisBrokerOptions, true>;

// The longest id this broker writes, for checking an event's size before Redis assigns the id.
const LONGEST_ID = 'f'.repeat(12 + 1 + 16 + 1 + 16);
const PAGE = 1000;
// The follower's XREAD waits this long for news, then asks again: a reply that never comes
// (the connection died without a word) is noticed within this plus the client's margin.
const BLOCK_MS = 5000;
const HAS_ENTRY = "return #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])";

/**
 * A broker on a Redis stream, so several server instances share one history and any instance can
 * resume any client.
 *
 * Publishing is `XADD key MAXLEN ~ N * e <event> d <data>`, acknowledged only once Redis replied.
 * Every instance, the publishing one included, learns of events from its follower (`XREAD BLOCK`
 * on a connection of its own), keeps the newest in a {@link StreamWindow} for exact resume
 * without a round trip, and fans them out. A cursor older than the window is replayed with
 * `XRANGE`, and the subscriber joins the live fan-out in the same synchronous step as the rest of
 * its replay is taken from the window. An id is `<epoch>-<ms>-<seq>`: the epoch lives in Redis
 * (`SET <key>:epoch … NX`), so a Redis that lost its data gets a new one and old ids reset.
 *
 * @example
 * ```ts
 * // What `node dist/server.js --redis redis://127.0.0.1:6379/0` does:
 * const app = createSseServer({ redisUrl: 'redis://127.0.0.1:6379/0', redisKey: 'sse:feed' });
 * await app.listen(); // rejects with BrokerUnavailableError when Redis cannot be reached
 * await app.broker.publish({ data: 'hello' }); // resolves { id: '<epoch>-<ms>-<seq>' } once stored
 * ```
 */
export class RedisBroker implements Broker {
  readonly kind = 'redis';
  readonly store = 'redis';
  readonly key: string;
  readonly #epochKey: string;
  readonly #commands: RedisClient;
  readonly #follower: RedisClient;
  readonly #window: StreamWindow;
  readonly #maxEvents: number;
  readonly #maxEventBytes: number;
  readonly #retryMs: number;
  readonly #connectTimeoutMs: number;
  readonly #catchUpTimeoutMs: number;
  readonly #publishTimeoutMs: number;
  readonly #subscribers = new Set<FeedSubscriber>();
  readonly #headWaiters = new Set<{ readonly id: StreamId; resolve(isReached: boolean): void }>();
  /** Events acknowledged to a publisher that the follower has not read back yet. */
  readonly #unconfirmed = new Map<string, PublishInput>();
  #epoch: string | undefined;
  #commandsEpoch: string | undefined;
  #isClosed = false;
  #following: Promise<void> | undefined;
  #lastProblem: string | undefined;
  /** Set while {@link RedisBroker.start} waits: fails it at once. */
  #failStart: ((error: Error) => void) | undefined;
  #published = 0;
  #delivered = 0;
  #gaps = 0;
  #isReloading = false;
  #canEval = true;

  /** @throws TypeError on a bad URL or key, or an unknown option; RangeError when a limit is out of range */
  constructor(options: RedisBrokerOptions) {
    checkKnownOptions(options, REDIS_BROKER_OPTIONS, 'RedisBroker');
    this.key = options.key ?? OPTIONS.redisKey.default;
    if (this.key === '' || /[\r\n]/.test(this.key)) throw new TypeError('The Redis key must be a non-empty string without CR or LF.');
    this.#epochKey = `${this.key}:epoch`;
    this.#maxEvents = checkInteger(options.historyEvents ?? OPTIONS.historyEvents.default, 'historyEvents');
    this.#maxEventBytes = checkInteger(options.maxEventBytes ?? OPTIONS.maxEventBytes.default, 'maxEventBytes');
    this.#retryMs = checkInteger(options.retryMs ?? OPTIONS.retryMs.default, 'retryMs', 0);
    this.#connectTimeoutMs = checkInteger(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs');
    this.#catchUpTimeoutMs = checkInteger(options.catchUpTimeoutMs ?? 2000, 'catchUpTimeoutMs');
    this.#publishTimeoutMs = checkInteger(options.publishTimeoutMs ?? OPTIONS.publishTimeoutMs.default, 'publishTimeoutMs');
    this.#window = new StreamWindow({ maxEvents: this.#maxEvents, maxBytes: checkInteger(options.historyBytes ?? OPTIONS.historyBytes.default, 'historyBytes') });
    const onState = (state: RedisState, cause?: Error): void => {
      if (state === 'down') this.#lastProblem = cause?.message;
    };
    this.#commands = new RedisClient({
      url: options.url,
      onState,
      onConnect: async (send) => {
        this.#commandsEpoch = await this.#readEpoch(send);
      },
    });
    this.#follower = new RedisClient({ url: options.url, onState, onConnect: (send) => this.#onFollowerConnect(send) });
  }

  /** The epoch of the ids this instance delivers now (undefined before Redis was first reached). */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  get stats(): Channel['stats'] {
    return { published: this.#published, delivered: this.#delivered, subscribers: this.#subscribers.size };
  }

  /** Times the follower found the stream trimmed past its position and sent its streams away. */
  get gaps(): number {
    return this.#gaps;
  }

  /** The ids held in memory for exact resume: `(floor, head]`, the oldest held first. */
  get window(): { readonly floor: string; readonly oldest: string; readonly head: string; readonly size: number } {
    const window = this.#window;
    return { floor: formatStreamId(window.floor), oldest: formatStreamId(window.oldest), head: formatStreamId(window.head), size: window.size };
  }

  /**
   * Resolves once both connections are up and the window is loaded.
   *
   * @throws {@link BrokerUnavailableError} when Redis is not reachable within `connectTimeoutMs`
   * @throws {@link RedisEpochError} at once when Redis answers but the epoch key holds something else
   */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrokerUnavailableError(`Redis at ${this.#where()} is not reachable${this.#lastProblem === undefined ? '' : ` (${this.#lastProblem})`}.`)),
        this.#connectTimeoutMs,
      );
      this.#failStart = reject;
    });
    try {
      await Promise.race([Promise.all([this.#commands.ready(), this.#follower.ready()]), failed]);
    } finally {
      clearTimeout(timer);
      this.#failStart = undefined;
    }
    this.#following ??= this.#follow();
  }

  /** Reads the epoch on a new connection; a key that holds no epoch fails a start at once, as what it is. */
  async #readEpoch(send: (args: readonly (string | Buffer)[]) => Promise<RespValue>): Promise<string> {
    try {
      return await readEpoch(send, this.#epochKey);
    } catch (error) {
      if (error instanceof RedisEpochError) this.#failStart?.(error);
      throw error;
    }
  }

  async publish(input: PublishInput): Promise<{ readonly id: string }> {
    if (this.#isClosed) throw new SseError('SSE_ERR_CLOSED', 'The broker is closed; no event can be published.');
    checkAppEventName(input.event);
    // Encoding with the longest id checks every field and the size before anything is stored.
    const size = encodeEvent({ event: input.event, id: LONGEST_ID, data: input.data }).length;
    if (size > this.#maxEventBytes) {
      throw new SseError('SSE_ERR_EVENT_TOO_LARGE', `The encoded event is about ${size} bytes; the limit is ${this.#maxEventBytes} (maxEventBytes).`);
    }
    // #region publish-timeout
    // The reply is still remembered if it comes late: the event was stored, and the follower
    // delivers it; only the publisher was told it might not have been.
    const adding = this.#add(input).then((id) => {
      this.#remember(id, input);
      return id;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `redis: no reply within ${this.#publishTimeoutMs} ms; the event may still be stored, so check before publishing it again.`;
        reject(new BrokerUnavailableError(message, { reason: 'timeout' }));
      }, this.#publishTimeoutMs);
    });
    adding.catch(() => {});
    try {
      const id = await Promise.race([adding, late]);
      return { id: formatStreamEventId(this.#commandsEpoch as string, id) };
    } finally {
      clearTimeout(timer);
    }
    // #endregion publish-timeout
  }

  subscribe(subscriber: FeedSubscriber, lastEventId: string | readonly string[] | undefined): Promise<FeedStart> {
    const cursor = parseStreamCursor(lastEventId);
    const epoch = this.#epoch;
    // Before Redis was first reached, or while the window is reloaded after a gap, the window
    // cannot prove anything: the client is asked to come back.
    if (epoch === undefined || this.#isReloading) return Promise.resolve(this.#sendAway(subscriber));
    // Redis unreachable: a stream here would deliver nothing while /health says 503, so the client
    // comes back later, perhaps to another instance. (A follower that is only reconnecting is
    // waited for instead: catch-up covers it.)
    if (this.#commands.state !== 'ready') return Promise.resolve(this.#sendAway(subscriber, 'redis: down'));
    // #region redis-resume
    switch (cursor.kind) {
      case 'none':
        // The cursor: a client that drops before its first event resumes from here.
        return Promise.resolve(this.#attach(subscriber, [encodeCursor(formatStreamEventId(epoch, this.#window.head))], { kind: 'fresh' }));
      case 'invalid':
        return Promise.resolve(this.#reset(subscriber, 'invalid'));
      case 'position': {
        if (cursor.epoch !== epoch) return Promise.resolve(this.#reset(subscriber, 'epoch'));
        const held = this.#window.after(cursor.id);
        if (held !== undefined) return Promise.resolve(this.#attach(subscriber, held, { kind: 'replay', replayed: held.length }));
        // Ahead of this instance: a faster one issued it; catch up before deciding.
        if (compareStreamIds(cursor.id, this.#window.head) > 0) return this.#catchUp(subscriber, epoch, cursor.id);
        // Inside the window's range but not in it: an id the stream never had.
        if (compareStreamIds(cursor.id, this.#window.floor) > 0) return Promise.resolve(this.#reset(subscriber, 'unknown'));
        return this.#replayFromRedis(subscriber, epoch, cursor.id);
      }
    }
    // #endregion redis-resume
  }

  unsubscribe(subscriber: FeedSubscriber): void {
    this.#subscribers.delete(subscriber);
  }

  /** Nothing to do: the follower writes each batch Redis returns to every stream at once. */
  flush(): void {}

  health(): BrokerHealth {
    if (this.#commands.state === 'ready' && this.#follower.state === 'ready') return { isUp: true, text: 'ok' };
    return { isUp: false, text: 'redis: down' };
  }

  describe(): string {
    return `history: redis stream ${this.key} at ${this.#where()}, epoch ${this.#epoch ?? '(not yet read)'}`;
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#commands.close();
    this.#follower.close();
    for (const waiter of this.#headWaiters) waiter.resolve(false);
    await this.#following;
  }

  #where(): string {
    return `${this.#commands.address.host}:${this.#commands.address.port}`;
  }

  async #add(input: PublishInput): Promise<StreamId> {
    const fields = entryFields(input);
    let reply: RespValue;
    try {
      reply = await this.#commands.command(['XADD', this.key, 'MAXLEN', '~', String(this.#maxEvents), '*', ...fields]);
    } catch (error) {
      if (error instanceof RedisUnavailableError) {
        throw new BrokerUnavailableError(`redis: down, the event was not stored: ${error.message}`, { cause: error });
      }
      throw error;
    }
    const id = Buffer.isBuffer(reply) ? parseStreamId(reply.toString('latin1')) : undefined;
    if (id === undefined) throw new Error('XADD answered something other than a stream id.');
    return id;
  }

  /** Keeps an acknowledged event until the follower reads it back, bounded by the history size. */
  #remember(id: StreamId, input: PublishInput): void {
    this.#unconfirmed.set(formatStreamId(id), input);
    if (this.#unconfirmed.size > this.#maxEvents) this.#unconfirmed.delete(this.#unconfirmed.keys().next().value as string);
  }

  /** Runs on every follower connection: reads the epoch; a new one means Redis lost the stream. */
  async #onFollowerConnect(send: (args: readonly (string | Buffer)[]) => Promise<RespValue>): Promise<void> {
    const epoch = await this.#readEpoch(send);
    if (this.#epoch === undefined) {
      await this.#loadWindow(send, epoch);
    } else if (epoch !== this.#epoch) {
      // Redis came back without the stream. Live streams go on with the new ids (the follower
      // reads the new stream from its start); acknowledged events it never read are added again.
      this.#window.reset(STREAM_START);
      const lost = [...this.#unconfirmed.values()];
      this.#unconfirmed.clear();
      void this.#republish(lost);
    }
    this.#epoch = epoch;
  }

  /** Fills the window with the newest entries; the oldest one read becomes the floor. */
  async #loadWindow(send: (args: readonly (string | Buffer)[]) => Promise<RespValue>, epoch: string): Promise<void> {
    const newest = parseEntries(await send(['XREVRANGE', this.key, '+', '-', 'COUNT', String(this.#maxEvents + 1)]), epoch).reverse();
    // Whether anything before the oldest entry read was trimmed is unknown, so it is not held.
    const oldest = newest.shift();
    this.#window.reset(oldest?.id ?? STREAM_START);
    for (const entry of newest) this.#window.append(entry.id, entry.bytes);
  }

  async #republish(inputs: readonly PublishInput[]): Promise<void> {
    for (const input of inputs) {
      for (;;) {
        if (this.#isClosed) return;
        try {
          await this.#commands.ready();
          this.#remember(await this.#add(input), input);
          break;
        } catch {
          // Down again: wait for the next connection and try the same event again.
        }
      }
    }
  }

  async #follow(): Promise<void> {
    while (!this.#isClosed) {
      try {
        await this.#follower.ready();
        const head = this.#window.head;
        // Trimming removes the oldest entries first, so while the head is still in the
        // stream, nothing after it was trimmed. Asked in the same pipeline, just before the read.
        const isHeadKept = compareStreamIds(head, STREAM_START) === 0 ? Promise.resolve(true) : this.#isKept(head);
        const read = this.#follower.command([
          'XREAD',
          'COUNT',
          String(PAGE),
          'BLOCK',
          String(BLOCK_MS),
          'STREAMS',
          this.key,
          formatStreamId(this.#window.head),
        ], BLOCK_MS + 5000);
        const [isKept, reply] = await Promise.all([isHeadKept, read]);
        if (!isKept) await this.#recoverFromGap();
        else if (Array.isArray(reply)) this.#receive(reply);
      } catch (error) {
        if (this.#isClosed) return;
        if (!(error instanceof RedisUnavailableError)) {
          this.#lastProblem = (error as Error).message;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
  }

  /** Whether the entry `id` is still in the stream: a tiny script, or `XRANGE` where scripts are not allowed. */
  #isKept(id: StreamId): Promise<boolean> {
    const text = formatStreamId(id);
    if (!this.#canEval) {
      return this.#follower.command(['XRANGE', this.key, text, text]).then((reply) => !Array.isArray(reply) || reply.length > 0);
    }
    return this.#follower.command(['EVAL', HAS_ENTRY, '1', this.key, text]).then(
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
    for (const subscriber of this.#subscribers) subscriber.end(this.#retryMs);
    this.#subscribers.clear();
    this.#gaps++;
    this.#isReloading = true;
    try {
      await this.#loadWindow((args) => this.#follower.command(args), this.#epoch as string);
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
      if (compareStreamIds(entry.id, this.#window.head) <= 0) continue;
      this.#window.append(entry.id, entry.bytes);
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
      if (compareStreamIds(this.#window.head, waiter.id) >= 0) waiter.resolve(true);
    }
  }

  #attach(subscriber: FeedSubscriber, initial: readonly Buffer[], start: FeedStart): FeedStart {
    if (subscriber.isClosed || this.#isClosed) return start;
    if (initial.length > 0) subscriber.write(initial.length === 1 ? (initial[0] as Buffer) : Buffer.concat(initial));
    this.#subscribers.add(subscriber);
    return start;
  }

  #reset(subscriber: FeedSubscriber, reason: ResetReason): FeedStart {
    const epoch = this.#epoch as string;
    const head = this.#window.head;
    const oldest = formatStreamId(this.#window.oldest);
    const reset = encodeReset(reason, { epoch, head: formatStreamId(head), oldest, headId: formatStreamEventId(epoch, head) });
    return this.#attach(subscriber, [reset], { kind: 'reset', reason });
  }

  #sendAway(subscriber: FeedSubscriber, why?: string): FeedStart {
    if (why !== undefined) subscriber.write(encodeComment(why));
    subscriber.end(this.#retryMs);
    return { kind: 'retry-later' };
  }

  /** A cursor ahead of the window: if Redis has it, wait until the follower has read past it. */
  async #catchUp(subscriber: FeedSubscriber, epoch: string, id: StreamId): Promise<FeedStart> {
    let exists: boolean;
    try {
      const reply = await this.#commands.command(['XRANGE', this.key, formatStreamId(id), formatStreamId(id)]);
      exists = Array.isArray(reply) && reply.length === 1;
    } catch {
      return this.#sendAway(subscriber);
    }
    if (this.#epoch !== epoch) return this.#reset(subscriber, 'epoch');
    if (!exists) return this.#reset(subscriber, 'unknown');
    const isReached = await new Promise<boolean>((resolve) => {
      const waiter = {
        id,
        resolve: (value: boolean) => {
          clearTimeout(timer);
          this.#headWaiters.delete(waiter);
          resolve(value);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), this.#catchUpTimeoutMs);
      this.#headWaiters.add(waiter);
      if (compareStreamIds(this.#window.head, id) >= 0) waiter.resolve(true);
    });
    if (!isReached || this.#isReloading) return this.#sendAway(subscriber);
    if (this.#epoch !== epoch) return this.#reset(subscriber, 'epoch');
    const held = this.#window.after(id);
    if (held !== undefined) return this.#attach(subscriber, held, { kind: 'replay', replayed: held.length });
    return this.#replayFromRedis(subscriber, epoch, id);
  }

  /** A cursor older than the window: read from Redis up to the window, then join it. */
  async #replayFromRedis(subscriber: FeedSubscriber, epoch: string, id: StreamId): Promise<FeedStart> {
    const collected: Entry[] = [];
    let last = id;
    try {
      const first = parseEntries(await this.#commands.command(['XRANGE', this.key, formatStreamId(id), '+', 'COUNT', String(PAGE + 1)]), epoch);
      if (first[0] === undefined || compareStreamIds(first[0].id, id) !== 0) {
        const oldest = parseEntries(await this.#commands.command(['XRANGE', this.key, '-', '+', 'COUNT', '1']), epoch)[0];
        if (this.#epoch !== epoch) return this.#reset(subscriber, 'epoch');
        return this.#reset(subscriber, oldest !== undefined && compareStreamIds(id, oldest.id) < 0 ? 'expired' : 'unknown');
      }
      collected.push(...first.slice(1));
      last = first.at(-1)?.id ?? id;
      // The window may move on while we read; read on until what we hold reaches its floor.
      for (let pages = 0; compareStreamIds(last, this.#window.floor) < 0; pages++) {
        if (pages > 100 || this.#epoch !== epoch) break;
        const more = parseEntries(await this.#commands.command(['XRANGE', this.key, `(${formatStreamId(last)}`, '+', 'COUNT', String(PAGE)]), epoch);
        if (more.length === 0) break;
        collected.push(...more);
        last = (more.at(-1) as Entry).id;
      }
    } catch {
      return this.#sendAway(subscriber);
    }
    if (this.#epoch !== epoch) return this.#reset(subscriber, 'epoch');
    if (compareStreamIds(last, this.#window.floor) < 0 || this.#isReloading) return this.#sendAway(subscriber);
    // #region redis-join
    // One synchronous step: what Redis gave up to the window's head, then the window after it,
    // then live. Entries Redis gave beyond the head come again live, so they are left out here.
    const head = this.#window.head;
    const initial = collected.filter((entry) => compareStreamIds(entry.id, head) <= 0).map((entry) => entry.bytes);
    initial.push(...this.#window.newerThan(last));
    return this.#attach(subscriber, initial, { kind: 'replay', replayed: initial.length });
    // #endregion redis-join
  }
}

import { encodeEvent } from '../protocol/encode.js';
import { SseError } from '../protocol/errors.js';
import { checkInteger, checkKnownOptions } from '../options/check.js';
import { RedisClient, RedisUnavailableError, type RedisState } from './client.js';
import type { RespValue } from './resp.js';
import { BrokerUnavailableError, type Broker, type BrokerHealth, type FeedStart } from '../history/broker.js';
import type { EventSink } from '../stream/sink.js';
import type { Channel, PublishInput } from '../hub/channel.js';
import { checkAppEventName } from '../hub/event-names.js';
import { formatStreamEventId, formatStreamId, parseStreamCursor, parseStreamId, type StreamId } from './stream-id.js';
import { entryFields, readEpoch, RedisEpochError } from './entries.js';
import { Follower, type Send } from './follower.js';
import { Replay } from './replay.js';
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

/**
 * A broker on a Redis stream, so several server instances share one history and any instance can
 * resume any client.
 *
 * Publishing is `XADD key MAXLEN ~ N * e <event> d <data>`, acknowledged only once Redis replied.
 * Every instance, the publishing one included, learns of events from its follower (`XREAD BLOCK`
 * on a connection of its own), keeps the newest in a `StreamWindow` for exact resume
 * without a round trip, and fans them out. A cursor older than the window is replayed with
 * `XRANGE`, and the subscriber joins the live fan-out in the same synchronous step as the rest of
 * its replay is taken from the window. An id is `<epoch>-<ms>-<seq>`: the epoch lives in Redis
 * (`SET <key>:epoch … NX`), so a Redis that lost its data gets a new one and old ids reset.
 *
 * This file is the wiring and the publish path; the follower loop, its window and the fan-out
 * are in `follower.ts`, the resume decision and the `XRANGE` paging in `replay.ts`.
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
  readonly #follower: Follower;
  readonly #replay: Replay;
  readonly #maxEvents: number;
  readonly #maxEventBytes: number;
  readonly #connectTimeoutMs: number;
  readonly #publishTimeoutMs: number;
  /** The epoch read on the command connection: the one the ids this instance acknowledges carry. */
  #commandsEpoch: string | undefined;
  #isClosed = false;
  #lastProblem: string | undefined;
  /** Set while {@link RedisBroker.start} waits: fails it at once. */
  #failStart: ((error: Error) => void) | undefined;

  /** @throws TypeError on a bad URL or key, or an unknown option; RangeError when a limit is out of range */
  constructor(options: RedisBrokerOptions) {
    checkKnownOptions(options, REDIS_BROKER_OPTIONS, 'RedisBroker');
    this.key = options.key ?? OPTIONS.redisKey.default;
    if (this.key === '' || /[\r\n]/.test(this.key)) throw new TypeError('The Redis key must be a non-empty string without CR or LF.');
    this.#epochKey = `${this.key}:epoch`;
    this.#maxEvents = checkInteger(options.historyEvents ?? OPTIONS.historyEvents.default, 'historyEvents');
    this.#maxEventBytes = checkInteger(options.maxEventBytes ?? OPTIONS.maxEventBytes.default, 'maxEventBytes');
    const retryMs = checkInteger(options.retryMs ?? OPTIONS.retryMs.default, 'retryMs', 0);
    this.#connectTimeoutMs = checkInteger(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs');
    const catchUpTimeoutMs = checkInteger(options.catchUpTimeoutMs ?? 2000, 'catchUpTimeoutMs');
    this.#publishTimeoutMs = checkInteger(options.publishTimeoutMs ?? OPTIONS.publishTimeoutMs.default, 'publishTimeoutMs');
    const maxBytes = checkInteger(options.historyBytes ?? OPTIONS.historyBytes.default, 'historyBytes');
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
    this.#follower = new Follower({
      url: options.url,
      key: this.key,
      maxEvents: this.#maxEvents,
      maxBytes,
      retryMs,
      onState,
      readEpoch: (send) => this.#readEpoch(send),
      onLost: (lost) => void this.#republish(lost),
      onProblem: (message) => (this.#lastProblem = message),
    });
    this.#replay = new Replay({ key: this.key, commands: this.#commands, follower: this.#follower, retryMs, catchUpTimeoutMs });
  }

  /** The epoch of the ids this instance delivers now (undefined before Redis was first reached). */
  get epoch(): string | undefined {
    return this.#follower.epoch;
  }

  get stats(): Channel['stats'] {
    return this.#follower.stats;
  }

  /** Times the follower found the stream trimmed past its position and sent its streams away. */
  get gaps(): number {
    return this.#follower.gaps;
  }

  /** The ids held in memory for exact resume: `(floor, head]`, the oldest held first. */
  get window(): { readonly floor: string; readonly oldest: string; readonly head: string; readonly size: number } {
    const window = this.#follower.window;
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
      await Promise.race([Promise.all([this.#commands.ready(), this.#follower.client.ready()]), failed]);
    } finally {
      clearTimeout(timer);
      this.#failStart = undefined;
    }
    this.#follower.start();
  }

  /** Reads the epoch on a new connection; a key that holds no epoch fails a start at once, as what it is. */
  async #readEpoch(send: Send): Promise<string> {
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
      this.#follower.remember(id, input);
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

  subscribe(subscriber: EventSink, lastEventId: string | readonly string[] | undefined): Promise<FeedStart> {
    return this.#replay.start(subscriber, parseStreamCursor(lastEventId));
  }

  unsubscribe(subscriber: EventSink): void {
    this.#follower.leave(subscriber);
  }

  /** Nothing to do: the follower writes each batch Redis returns to every stream at once. */
  flush(): void {}

  health(): BrokerHealth {
    if (this.#commands.state === 'ready' && this.#follower.client.state === 'ready') return { isUp: true, text: 'ok' };
    return { isUp: false, text: 'redis: down' };
  }

  describe(): string {
    return `history: redis stream ${this.key} at ${this.#where()}, epoch ${this.#follower.epoch ?? '(not yet read)'}`;
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#commands.close();
    await this.#follower.close();
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

  /** Adds again, in order, the acknowledged events a Redis that lost the stream never kept. */
  async #republish(inputs: readonly PublishInput[]): Promise<void> {
    for (const input of inputs) {
      for (;;) {
        if (this.#isClosed) return;
        try {
          await this.#commands.ready();
          this.#follower.remember(await this.#add(input), input);
          break;
        } catch {
          // Down again: wait for the next connection and try the same event again.
        }
      }
    }
  }
}

import type { Channel, PublishInput } from '../hub/channel.js';
import type { ResetReason } from '../hub/resume.js';
import type { EventSink } from '../stream/sink.js';

/** How a stream was started: as `planResume` decides, or sent away to come back later. */
export type FeedStart =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'replay'; readonly replayed: number }
  | { readonly kind: 'reset'; readonly reason: ResetReason }
  | { readonly kind: 'retry-later' };

/** Whether the broker can store events now; `/health` shows it. */
export interface BrokerHealth {
  readonly isUp: boolean;
  /** One line for `/health`: `ok`, or what is wrong (e.g. `redis: down`). */
  readonly text: string;
}

// The class lives with every other library error (one table of codes); it is exported from here too.
export { BrokerUnavailableError } from '../protocol/errors.js';

// #region broker
/**
 * Where `/feed`'s events live: append an event and learn its id, read everything after an id,
 * follow new events. The server's `/feed`, `/publish` and ticker talk only to this: a
 * `MemoryBroker` by default (over a `FileLog` with `historyFile`), a
 * `RedisBroker` with `redisUrl`.
 */
export interface Broker {
  /** `memory` (with an optional file log) or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** The epoch of the ids it assigns now; undefined while it cannot know (Redis not yet reached). */
  readonly epoch: string | undefined;
  /** Where the history is kept: `memory` only, a `file`, or `redis`; `/metrics` labels `sse_history_up` with it. */
  readonly store: 'memory' | 'file' | 'redis';
  /** Stores one event; resolves with its id once it is stored as the broker promises. */
  publish(input: PublishInput): Promise<{ readonly id: string }>;
  /**
   * Starts `subscriber` from the client's `Last-Event-ID`: writes the replay (or a `reset`), then
   * delivers live events, with no duplicate and no gap between the two.
   */
  subscribe(subscriber: EventSink, lastEventId: string | readonly string[] | undefined): Promise<FeedStart>;
  /** Stops delivery to `subscriber`. Idempotent. */
  unsubscribe(subscriber: EventSink): void;
  /** Writes every event it holds for its subscribers now; shutdown calls it before ending the streams. */
  flush(): void;
  health(): BrokerHealth;
  /** One line for the server's start-up message: where the history lives. */
  describe(): string;
  /** Events published, deliveries (events × subscribers), subscribers now. */
  readonly stats: Channel['stats'];
  /** Connects or loads what the broker needs before the server listens. */
  start(): Promise<void>;
  /** Delivers what is pending and releases files and connections. */
  close(): Promise<void>;
}
// #endregion broker

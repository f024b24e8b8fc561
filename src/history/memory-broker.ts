import { isEventRefusal } from '../protocol/errors.js';
import { BrokerUnavailableError, type Broker, type BrokerHealth, type FeedStart } from './broker.js';
import type { Channel, PublishInput } from '../hub/channel.js';
import { joinLive, type EventSink } from '../stream/sink.js';
import type { FileLog } from './file-log.js';

/**
 * The embedded broker: the channel's in-memory replay buffer, optionally backed by a
 * {@link FileLog} (the channel must have been created with that log). Subscribing is synchronous;
 * a publish resolves once the event is stored: at once in memory, after the turn's `fdatasync`
 * with a log. It does not wait for the fan-out, which may take several turns at 10,000 streams.
 */
export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  readonly store: 'memory' | 'file';
  readonly channel: Channel;
  readonly log: FileLog | undefined;
  readonly #unsubscribes = new Map<EventSink, () => void>();

  /**
   * @param channel - the channel that serves `/feed`
   * @param log - the file log the channel writes to, closed with the broker
   */
  constructor(channel: Channel, log?: FileLog) {
    this.channel = channel;
    this.log = log;
    this.store = log === undefined ? 'memory' : 'file';
  }

  get epoch(): string {
    return this.channel.epoch;
  }

  get stats(): Channel['stats'] {
    return this.channel.stats;
  }

  async publish(input: PublishInput): Promise<{ readonly id: string }> {
    let id: string;
    try {
      ({ id } = this.channel.publish(input));
    } catch (error) {
      // The event's own fault (or a closed channel) is the publisher's to hear as it is; a broken
      // file log (a FileLogError, an SseError too) is the store's, like any write that failed.
      if (isEventRefusal(error)) throw error;
      throw new BrokerUnavailableError(`The history file could not be written (${(error as Error).message}); the event was not stored.`, { cause: error });
    }
    await this.channel.stored();
    return { id };
  }

  subscribe(subscriber: EventSink, lastEventId: string | readonly string[] | undefined): Promise<FeedStart> {
    const subscription = this.channel.subscribe(subscriber, lastEventId);
    if (joinLive(subscriber, subscription)) this.#unsubscribes.set(subscriber, subscription.unsubscribe);
    const { plan } = subscription;
    return Promise.resolve(plan.kind === 'replay' ? { kind: 'replay', replayed: subscription.replayed } : plan);
  }

  flush(): void {
    this.channel.flush();
  }

  unsubscribe(subscriber: EventSink): void {
    this.#unsubscribes.get(subscriber)?.();
    this.#unsubscribes.delete(subscriber);
  }

  health(): BrokerHealth {
    // Down while the last append failed (a full disk): the next publish that fits clears it.
    const problem = this.log?.problem;
    if (problem !== undefined) return { isUp: false, text: `history file: ${problem}` };
    const compaction = this.log?.compactionProblem;
    return { isUp: true, text: compaction === undefined ? 'ok' : `ok (the history file could not be compacted: ${compaction}; it grows until it can)` };
  }

  describe(): string {
    const { head } = this.channel.history;
    if (this.log === undefined) return `history: in memory, epoch ${this.channel.epoch}`;
    const { truncatedBytes, cutWholeRecord } = this.log.recovery;
    const cut =
      truncatedBytes === 0
        ? ''
        : cutWholeRecord === true
          ? `, cut a damaged last record (${truncatedBytes} bytes): its number ${this.log.recovery.head} stays used, and clients resuming from before it are told to reset`
          : `, cut a torn last record (${truncatedBytes} bytes)`;
    return `history: ${this.log.path}, epoch ${this.channel.epoch}, head ${head}${cut}`;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.channel.close();
    this.log?.close();
    return Promise.resolve();
  }
}

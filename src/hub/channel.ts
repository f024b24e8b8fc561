import { encodeEvent } from '../protocol/encode.js';
import { SseError } from '../protocol/errors.js';
import { formatEventId, type LastEventIdResult } from '../protocol/last-event-id.js';
import { checkInteger } from '../options/check.js';
import { NumberedHistory } from './numbered-history.js';
import { checkEpoch, newEpoch } from './epoch.js';
import { encodeReset, planResume, type ResumePlan } from './resume.js';
import { OPTIONS } from '../options/table.js';

/** Something that receives a channel's encoded events: in the server, one SSE response. */
export interface Subscriber {
  /**
   * Receives the bytes of `count` whole events. The same Buffer goes to every subscriber, so it
   * must not be modified. Must not throw and must not block: a slow subscriber cuts itself.
   */
  deliver(chunk: Buffer, count: number): void;
}

/** What a publisher may set. The id is always the channel's to assign. */
export interface PublishInput {
  readonly data: string;
  readonly event?: string | undefined;
}

/** Options of {@link Channel}. */
export interface ChannelOptions {
  /** The epoch written in every id. @defaultValue 12 random hex digits */
  readonly epoch?: string;
  /** Events kept for resume. @defaultValue 1000 */
  readonly historyEvents?: number;
  /** Bytes kept for resume. @defaultValue 4 MiB (`OPTIONS.historyBytes`) */
  readonly historyBytes?: number;
  /** Largest encoded event accepted by {@link Channel.publish}. @defaultValue 256 KiB */
  readonly maxEventBytes?: number;
  /** Where history starts: the last stored sequence number and the events that end there (e.g. from a {@link FileLog}). @defaultValue empty */
  readonly history?: { readonly head: number; readonly events: readonly Buffer[] };
  /** Durable storage told of every event (e.g. a {@link FileLog}). @defaultValue none: memory only */
  readonly log?: ChannelLog;
}

/** Durable storage for a channel's events. */
export interface ChannelLog {
  /** Stores one encoded event, synchronously, before {@link Channel.publish} returns; throwing refuses the publish. */
  append(seq: number, bytes: Buffer): void;
  /** Makes everything appended durable; called once per pass, before the pass's events are delivered. */
  sync(): void;
}

/** What {@link Channel.subscribe} decided and what to write first. */
export interface Subscription {
  readonly plan: ResumePlan;
  /** Bytes to write before anything live: the replayed events, or the `reset` event. */
  readonly initial: Buffer | undefined;
  /** How many events `initial` replays. */
  readonly replayed: number;
  /** Stops delivery. Idempotent. */
  unsubscribe(): void;
}

/**
 * One broadcast channel with ids, a bounded replay buffer and exact resume.
 *
 * Each published event is encoded once; all events published in one pass of the event loop are
 * merged into one Buffer and written once per subscriber. The per-client JavaScript work, not the
 * syscall, is what fan-out costs, so this is the lever for throughput.
 */
export class Channel {
  /** The epoch of every id this channel assigns. */
  readonly epoch: string;
  readonly maxEventBytes: number;
  readonly #buffer: NumberedHistory;
  readonly #log: ChannelLog | undefined;
  #flushWaiters: (() => void)[] = [];
  readonly #subscribers = new Set<Subscriber>();
  #pending: Buffer[] = [];
  #flushScheduled = false;
  #isClosed = false;
  #published = 0;
  #delivered = 0;

  /** @throws RangeError / TypeError when an option is out of range */
  constructor(options: ChannelOptions = {}) {
    this.epoch = checkEpoch(options.epoch ?? newEpoch());
    this.#buffer = new NumberedHistory(
      {
        ...(options.historyEvents === undefined ? {} : { maxEvents: options.historyEvents }),
        ...(options.historyBytes === undefined ? {} : { maxBytes: options.historyBytes }),
      },
      options.history?.head,
      options.history?.events,
    );
    this.#log = options.log;
    this.maxEventBytes = checkInteger(options.maxEventBytes ?? OPTIONS.maxEventBytes.default, 'maxEventBytes');
  }

  /** Counters since creation. `delivered` counts events × subscribers. */
  get stats(): { readonly published: number; readonly delivered: number; readonly subscribers: number } {
    return { published: this.#published, delivered: this.#delivered, subscribers: this.#subscribers.size };
  }

  /** The newest and oldest retained sequence numbers. */
  get history(): { readonly head: number; readonly oldest: number } {
    return { head: this.#buffer.head, oldest: this.#buffer.oldest };
  }

  /**
   * Publishes an event to every subscriber and into the replay buffer.
   *
   * The event is validated and encoded before anything changes, so a refused event leaves no
   * trace. Delivery happens at the end of the current event-loop pass; the caller never waits.
   *
   * @returns the id the channel assigned
   * @throws {@link SseError} when the event is invalid, too large, or the channel is closed
   */
  publish(input: PublishInput): { readonly id: string; readonly seq: number } {
    if (this.#isClosed) throw new SseError('SSE_ERR_CLOSED', 'The channel is closed; no event can be published.');
    const seq = this.#buffer.head + 1;
    const id = formatEventId({ epoch: this.epoch, seq });
    const bytes = encodeEvent({ event: input.event, id, data: input.data });
    if (bytes.length > this.maxEventBytes) {
      throw new SseError(
        'SSE_ERR_EVENT_TOO_LARGE',
        `The encoded event is ${bytes.length} bytes; the limit is ${this.maxEventBytes} (maxEventBytes).`,
      );
    }
    // The log first: if it cannot store the event, the event does not exist.
    this.#log?.append(seq, bytes);
    this.#buffer.append(bytes);
    this.#published++;
    this.#pending.push(bytes);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return { id, seq };
  }

  /**
   * Adds a subscriber, resuming it from `cursor`. The replay and the live subscription happen in
   * one synchronous step, so no event can fall between them.
   *
   * @param subscriber - receives live events after `initial`
   * @param cursor - the client's parsed `Last-Event-ID`
   */
  subscribe(subscriber: Subscriber, cursor: LastEventIdResult): Subscription {
    // #region subscribe
    // Events still waiting for this pass's merged write are already in the buffer: send them to
    // the existing subscribers now, so the newcomer gets them once, from the replay.
    this.flush();
    const head = this.#buffer.head;
    const plan = planResume(cursor, { epoch: this.epoch, head, oldest: this.#buffer.oldest });
    let initial: Buffer | undefined;
    let replayed = 0;
    if (plan.kind === 'replay') {
      const events = this.#buffer.after(plan.afterSeq);
      replayed = events.length;
      if (replayed > 0) initial = Buffer.concat(events);
    } else if (plan.kind === 'reset') {
      const headId = formatEventId({ epoch: this.epoch, seq: head });
      initial = encodeReset(plan.reason, { epoch: this.epoch, head, oldest: this.#buffer.oldest, headId });
    }
    this.#subscribers.add(subscriber);
    // #endregion subscribe
    return {
      plan,
      initial,
      replayed,
      unsubscribe: () => {
        this.#subscribers.delete(subscriber);
      },
    };
  }

  /** Writes every pending event now. Called at the end of each pass; safe to call any time. */
  flush(): void {
    this.#flushScheduled = false;
    const count = this.#pending.length;
    if (count === 0) return;
    // Durable before anyone sees it: a client must never hold an id the disk could lose.
    this.#log?.sync();
    // #region fan-out
    const chunk = count === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending);
    this.#pending = [];
    for (const subscriber of this.#subscribers) subscriber.deliver(chunk, count);
    this.#delivered += count * this.#subscribers.size;
    // #endregion fan-out
    if (this.#flushWaiters.length > 0) for (const resolve of this.#flushWaiters.splice(0)) resolve();
  }

  /**
   * Resolves once every event published so far has been delivered (and, with a log, synced):
   * the moment a publish may be acknowledged.
   */
  flushed(): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  /** Refuses further publishes and delivers what is pending. Subscribers stay until they leave. */
  close(): void {
    this.flush();
    this.#isClosed = true;
  }
}

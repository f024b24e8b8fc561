// The portable channel: everything of a channel but Node's streams, with no `node:` import and no
// Buffer or process global in its import graph, so `sse-reference/web` runs on Bun, Deno and
// workerd as it is. The root entry's Channel (channel.ts) extends it with attach/attachReply and
// Node's Buffer as its bytes (the fan-out's fast path on node:http).
import { SseError } from '../protocol/errors.js';
import { formatCursor, formatEvent } from '../protocol/format.js';
import { formatEventId, lastEventIdOfRequest } from '../protocol/last-event-id.js';
import { serializeData } from '../protocol/serialize.js';
import { checkInteger, checkKnownOptions } from '../options/check.js';
import { OPTIONS } from '../options/table.js';
import { concatBytes } from '../protocol/web-encode.js';
import { joinLive, type EventSink } from '../stream/sink.js';
import { WEB_SSE_STREAM_OPTIONS, WebSseStream, webAnswerNonGet, type WebSseStreamOptions } from '../stream/web-stream.js';
import { checkEpoch, newEpoch } from './epoch.js';
import { EventIndex, readEventInfo, type EventInfo } from './event-index.js';
import { checkAppEventName, type ReservedEventName } from './event-names.js';
import type { IdPolicy } from './id-policy.js';
import { NumberedHistory } from './replay-buffer.js';
import {
  epochView,
  formatReset,
  planResume,
  readEpochCursor,
  readSuppliedCursor,
  settleResume,
  suppliedView,
  SUPPLIED_START,
  type ResumePlan,
} from './resume.js';

/**
 * What a channel's live fan-out uses of an {@link EventSink}: `deliver`, and `end` when
 * {@link Channel.close} ends the streams (a subscriber without it is left to leave by itself).
 */
type Subscriber = Pick<EventSink, 'deliver'> & Partial<Pick<EventSink, 'end'>>;

/** The broker's form of an event: text data, the id assigned by the channel. */
export interface PublishInput {
  readonly data: string;
  readonly event?: string | undefined;
}

/** Event names and the type of each one's data, e.g. `{ price: { eur: number } }`. */
export type EventMap = Record<string, unknown>;

interface EventExtras {
  /** The id, with a channel that takes supplied ids ({@link ChannelOptions.ids}); refused otherwise. */
  readonly id?: string | undefined;
  /** A topic for subscriber filters; never sent. */
  readonly topic?: string | undefined;
}

/**
 * What {@link Channel.publish} takes: `data` (a string is sent verbatim, anything else as JSON) and
 * an event name, typed by the channel's {@link EventMap} when it has one (where the reserved
 * names, `reset`, `error` and `open`, do not compile).
 */
export type ChannelEvent<E extends object = EventMap> = string extends keyof E
  ? EventExtras & { readonly event?: string | undefined; readonly data: unknown }
  : {
      [K in Exclude<keyof E & string, ReservedEventName>]: EventExtras &
        (K extends 'message' ? { readonly event?: K | undefined } : { readonly event: K }) & { readonly data: E[K] };
    }[Exclude<keyof E & string, ReservedEventName>];

/**
 * Decides, per subscriber, which events it gets (replayed ones included); `reset` always passes.
 * Runs inside the fan-out, so it must be quick and must not throw.
 */
export type EventFilter = (event: EventInfo) => boolean;

/** Options of {@link Channel.subscribe}. */
export interface SubscribeOptions {
  /** Only events this returns true for reach the subscriber. @defaultValue every event */
  readonly filter?: EventFilter | undefined;
}

/** Options of {@link Channel.response}. */
export interface ResponseOptions extends Omit<WebSseStreamOptions, 'signal'>, SubscribeOptions {
  /** Resume from this id instead of the request's `Last-Event-ID` header or `?lastEventId=`. */
  readonly lastEventId?: string | undefined;
}

/** Options of {@link Channel}. */
export interface ChannelOptions {
  /** The epoch written in every id. @defaultValue 12 random hex digits */
  readonly epoch?: string;
  /**
   * Ids the publisher supplies, and their order ({@link numericIds}, {@link lexicalIds} or your
   * own). Each publish must carry an id after the previous one; resume from one is exact.
   * @defaultValue none: the channel assigns `<epoch>-<seq>`
   */
  readonly ids?: IdPolicy | undefined;
  /** Events kept for resume. @defaultValue 1000 */
  readonly historyEvents?: number;
  /** Bytes kept for resume. @defaultValue 4 MiB (`OPTIONS.historyBytes`) */
  readonly historyBytes?: number;
  /** Largest encoded event accepted by {@link Channel.publish}. @defaultValue 256 KiB */
  readonly maxEventBytes?: number;
  /** Where history starts: the last stored sequence number and the events that end there (e.g. from a {@link FileLog}). @defaultValue empty */
  readonly history?: { readonly head: number; readonly events: readonly Uint8Array[] };
  /** Durable storage told of every event (e.g. a {@link FileLog}). @defaultValue none: memory only */
  readonly log?: ChannelLog;
  /**
   * Subscribers written in one slice of a pass. A pass to more subscribers is written in slices,
   * one per turn of the event loop (`setImmediate` between them), so publishes and new streams are
   * served during a large fan-out; each subscriber still gets every event once, in order.
   * @defaultValue 100 (`OPTIONS.fanOutSlice`)
   */
  readonly fanOutSlice?: number;
}

const CHANNEL_OPTIONS = {
  epoch: true,
  ids: true,
  historyEvents: true,
  historyBytes: true,
  maxEventBytes: true,
  history: true,
  log: true,
  fanOutSlice: true,
} as const satisfies Record<keyof ChannelOptions, true>;
const { signal: _, ...WEB_OPTIONS } = WEB_SSE_STREAM_OPTIONS;
const RESPONSE_OPTIONS = { ...WEB_OPTIONS, filter: true, lastEventId: true } as const satisfies Record<keyof ResponseOptions, true>;

const UTF8 = new TextEncoder();

/**
 * The next turn of the event loop: Node's, Bun's and Deno's setImmediate; a 0 ms timer where
 * there is none (workerd, browsers). Publishes of one turn are merged into one pass either way.
 */
const nextTurn: (callback: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (callback) => void globalThis.setImmediate(callback) : (callback) => void setTimeout(callback, 0);

/** Durable storage for a channel's events. */
export interface ChannelLog {
  /** Stores one encoded event, synchronously, before {@link Channel.publish} returns; throwing refuses the publish. */
  append(seq: number, bytes: Uint8Array): void;
  /** Makes everything appended durable; called once per turn of the event loop that published, before those events are delivered. */
  sync(): void;
}

/** What {@link Channel.subscribe} decided and what to write first. */
export interface Subscription {
  readonly plan: ResumePlan;
  /**
   * Bytes to write before anything live: the replayed events, or the `reset` event, then, unless
   * their last id already names the head, an id-only block that does (the client's cursor).
   * Undefined when there is nothing to write (a client already at the head).
   */
  readonly initial: Uint8Array | undefined;
  /** How many events `initial` replays. */
  readonly replayed: number;
  /** Stops delivery. Idempotent. */
  unsubscribe(): void;
}

/** A pass being written in slices: its merged events, the subscribers it goes to, how far it got. */
interface Pass {
  readonly chunk: Uint8Array;
  readonly events: readonly Uint8Array[];
  readonly count: number;
  /** The sequence number of the pass's last event. */
  readonly lastSeq: number;
  readonly subscribers: readonly Subscriber[];
  next: number;
}

/**
 * One broadcast channel with ids, a bounded replay buffer and exact resume.
 *
 * Each published event is encoded once; all events published in one pass of the event loop are
 * merged into one chunk and written once per subscriber. The per-client JavaScript work, not the
 * syscall, is what fan-out costs, so this is the lever for throughput. A pass to more than
 * `fanOutSlice` subscribers is written in slices, one per turn of the event loop; events published
 * meanwhile wait for the next pass, merged.
 *
 * This is the portable channel of `sse-reference/web` (streams as Web `Response`s); the root
 * entry's `Channel` extends it with `attach` for `node:http`.
 *
 * @example
 * ```ts
 * const channel = new Channel<{ price: { eur: number } }>();
 * Bun.serve({ fetch: (request) => channel.response(request) });
 * channel.publish({ event: 'price', data: { eur: 1.08 } });
 * ```
 */
export class Channel<E extends object = EventMap> {
  /** The epoch of every id this channel assigns. */
  readonly epoch: string;
  readonly maxEventBytes: number;
  readonly #buffer: NumberedHistory;
  readonly #index: EventIndex;
  readonly #ids: IdPolicy | undefined;
  readonly #log: ChannelLog | undefined;
  readonly #slice: number;
  #flushWaiters: (() => void)[] = [];
  #storedWaiters: (() => void)[] = [];
  /** Events appended to the log since its last sync. */
  #unsynced = 0;
  /** The pass being written in slices, if one is. */
  #pass: Pass | undefined;
  /**
   * Subscribers that joined while events were waiting for a pass, with the sequence number their
   * replay reached: a later pass must not give them those events again.
   */
  readonly #joinedAt = new Map<Subscriber, number>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #filtered = new Map<Subscriber, EventFilter>();
  #pending: Uint8Array[] = [];
  /** What filters see of `#pending`, kept always: a filtered stream may join while events wait for a pass. */
  #pendingInfos: EventInfo[] = [];
  #flushScheduled = false;
  #isClosed = false;
  #closeRetryMs: number | undefined;
  #lastId: string | undefined;
  /** The id-only block naming the head, made once per head. */
  #cursor: { readonly head: number; readonly bytes: Uint8Array } | undefined;
  #published = 0;
  #delivered = 0;

  /** @throws RangeError when an option is out of range; TypeError for a bad epoch, an unknown option, or ids with history */
  constructor(options: ChannelOptions = {}) {
    checkKnownOptions(options, CHANNEL_OPTIONS, 'Channel');
    this.epoch = checkEpoch(options.epoch ?? newEpoch());
    this.#ids = options.ids;
    if (this.#ids !== undefined && (options.history !== undefined || options.log !== undefined)) {
      // A log stores bytes by sequence number; the ids' order would not survive a restart.
      throw new TypeError('Supplied ids (ids) cannot be combined with history or log: keep durable history with the epoch ids.');
    }
    // Checked here, so the sentence names the options as the caller wrote them.
    const maxEvents = checkInteger(options.historyEvents ?? OPTIONS.historyEvents.default, 'historyEvents');
    const maxBytes = checkInteger(options.historyBytes ?? OPTIONS.historyBytes.default, 'historyBytes');
    this.#buffer = new NumberedHistory({ maxEvents, maxBytes }, options.history?.head, options.history?.events);
    this.#index = new EventIndex(this.#buffer.oldest, this.#ids !== undefined);
    // Restored events were never published here: their type and id are read from their bytes.
    const restored = options.history?.events ?? [];
    const retained = this.#buffer.head - this.#buffer.oldest + 1;
    for (const bytes of retained > 0 ? restored.slice(restored.length - retained) : []) this.#index.append(readEventInfo(bytes));
    this.#log = options.log;
    this.maxEventBytes = checkInteger(options.maxEventBytes ?? OPTIONS.maxEventBytes.default, 'maxEventBytes');
    this.#slice = checkInteger(options.fanOutSlice ?? OPTIONS.fanOutSlice.default, 'fanOutSlice');
  }

  /** Counters since creation. `delivered` counts events × subscribers. */
  get stats(): { readonly published: number; readonly delivered: number; readonly subscribers: number } {
    return { published: this.#published, delivered: this.#delivered, subscribers: this.#subscribers.size + this.#filtered.size };
  }

  /** The newest and oldest retained sequence numbers. */
  get history(): { readonly head: number; readonly oldest: number } {
    return { head: this.#buffer.head, oldest: this.#buffer.oldest };
  }

  /**
   * Publishes an event to every subscriber and into the replay buffer.
   *
   * The event is serialized, validated and encoded before anything changes, so a refused event
   * leaves no trace. It is stored when this returns (with a log: appended, and synced at the end
   * of this turn of the event loop, see {@link Channel.stored}). Delivery starts at the end of this
   * turn, or after the pass being written; the caller never waits.
   *
   * @returns the event's id (assigned, or the one supplied) and its sequence number
   * @throws {@link SseError} when the event is invalid, too large, named `reset`, `error` or
   *   `open`, its id is missing, refused or out of order, or the channel is closed
   */
  publish(input: ChannelEvent<E>): { readonly id: string; readonly seq: number } {
    if (this.#isClosed) throw new SseError('SSE_ERR_CLOSED', 'The channel is closed; no event can be published.');
    checkAppEventName(input.event);
    const seq = this.#buffer.head + 1;
    const id = this.#ids === undefined ? this.#assignId(input.id, seq) : this.#checkSuppliedId(input.id, this.#ids);
    const { data } = input;
    const bytes = this.encodeText(formatEvent({ event: input.event, id, data: typeof data === 'string' ? data : serializeData(data) }));
    if (bytes.length > this.maxEventBytes) {
      throw new SseError(
        'SSE_ERR_EVENT_TOO_LARGE',
        `The encoded event is ${bytes.length} bytes; the limit is ${this.maxEventBytes} (maxEventBytes).`,
      );
    }
    // The log first: if it cannot store the event, the event does not exist.
    if (this.#log !== undefined) {
      this.#log.append(seq, bytes);
      this.#unsynced++;
    }
    this.#buffer.append(bytes);
    const info: EventInfo = { event: input.event ?? 'message', id, topic: input.topic };
    this.#index.append(info);
    this.#index.trim(this.#buffer.oldest);
    this.#lastId = id;
    this.#published++;
    this.#pending.push(bytes);
    this.#pendingInfos.push(info);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      nextTurn(() => this.#endOfTurn());
    }
    return { id, seq };
  }

  /**
   * Adds a subscriber, resuming it from `cursor`. The replay and the live subscription happen in
   * one synchronous step, so no event can fall between them.
   *
   * @param subscriber - receives live events after `initial` (an {@link EventSink}'s `deliver`, and its `end` on close)
   * @param cursor - the client's `Last-Event-ID`, as sent (header or `?lastEventId=`)
   * @param options - a filter
   */
  subscribe(subscriber: Pick<EventSink, 'deliver'> & Partial<Pick<EventSink, 'end'>>, cursor: string | readonly string[] | undefined, options: SubscribeOptions = {}): Subscription {
    const { filter } = options;
    // #region subscribe
    // Events still waiting for this pass's merged write are already in the buffer: send them to
    // the existing subscribers now, so the newcomer gets them once, from the replay. A pass still
    // being written in slices keeps them waiting: the newcomer's replay reaches the head, and the
    // passes that carry them skip it up to there.
    this.#beginPass(this.#slice);
    const plan = this.#plan(cursor);
    const blocks = plan.kind === 'replay' ? this.#replay(plan.afterSeq, filter) : plan.kind === 'reset' ? [this.#reset(plan.reason)] : [];
    const replayed = plan.kind === 'replay' ? blocks.length : 0;
    // Every stream starts with a cursor: a client that drops before its first event resumes
    // from where it joined, not from nowhere (live only: a silent gap).
    if (!this.#endsAtHead(plan, filter)) blocks.push(this.#cursorBlock());
    const initial = blocks.length <= 1 ? blocks[0] : this.concat(blocks);
    if (filter === undefined) this.#subscribers.add(subscriber);
    else this.#filtered.set(subscriber, filter);
    if (this.#pending.length > 0) this.#joinedAt.set(subscriber, this.#buffer.head);
    // #endregion subscribe
    return {
      plan,
      initial,
      replayed,
      unsubscribe: () => {
        this.#subscribers.delete(subscriber);
        this.#filtered.delete(subscriber);
        this.#joinedAt.delete(subscriber);
      },
    };
  }

  /**
   * Streams this channel to one request, as a Web-standard `Response` (Hono, Bun, Deno; workerd
   * within one request, or with the channel in a Durable Object: see docs/frameworks.md), in one
   * call: starts the stream (with a comment heartbeat every 15 s of silence unless `heartbeat`
   * says otherwise), resumes it from the request's `Last-Event-ID` header (or `?lastEventId=`),
   * subscribes, and unsubscribes when it closes. The stream closes when the request's signal aborts or the body is cancelled. `HEAD` gets the
   * headers with no body; any other method but `GET` gets `405` with `Allow: GET, HEAD`.
   *
   * @example
   * ```ts
   * app.get('/feed', (c) => channel.response(c.req.raw));
   * ```
   */
  response(request: Request, options: ResponseOptions = {}): Response {
    checkKnownOptions(options, RESPONSE_OPTIONS, 'Channel.response');
    const { filter, lastEventId, ...streamOptions } = options;
    const answer = webAnswerNonGet(request, streamOptions.headers);
    if (answer !== undefined) return answer;
    const stream = new WebSseStream({ ...streamOptions, signal: request.signal });
    this.serve(stream, lastEventId ?? lastEventIdOfRequest(request), filter);
    return stream.response;
  }

  /**
   * Writes every event published so far to every subscriber now, the pass being written in
   * slices included, in one go. Safe to call any time; shutdown calls it before ending streams.
   */
  flush(): void {
    this.#flushScheduled = false;
    this.#syncLog();
    if (this.#pass !== undefined) this.#continuePass(Infinity);
    this.#beginPass(Infinity);
  }

  /**
   * Resolves once every event published so far has been delivered (and, with a log, synced).
   */
  flushed(): Promise<void> {
    if (this.#pending.length === 0 && this.#pass === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  /**
   * Resolves once every event published so far is stored as the channel promises: at once in
   * memory, after the log's sync at the end of this turn of the event loop with a log. The moment
   * a publish may be acknowledged; it does not wait for the fan-out.
   */
  stored(): Promise<void> {
    if (this.#unsynced === 0) return Promise.resolve();
    return new Promise((resolve) => this.#storedWaiters.push(resolve));
  }

  /** The end of a turn that published: sync what was appended, then start a pass unless one is being written. */
  #endOfTurn(): void {
    this.#flushScheduled = false;
    this.#syncLog();
    this.#beginPass(this.#slice);
  }

  #syncLog(): void {
    if (this.#unsynced === 0) return;
    // Durable before anyone sees it: a client must never hold an id the disk could lose.
    this.#log?.sync();
    this.#unsynced = 0;
    if (this.#storedWaiters.length > 0) for (const resolve of this.#storedWaiters.splice(0)) resolve();
  }

  /**
   * Starts a pass with every pending event, unless one is being written (it starts the next one
   * when it ends), and writes its first `slice` subscribers now.
   */
  #beginPass(slice: number): void {
    if (this.#pass !== undefined) return;
    const count = this.#pending.length;
    if (count === 0) {
      if (this.#flushWaiters.length > 0) for (const resolve of this.#flushWaiters.splice(0)) resolve();
      return;
    }
    this.#syncLog();
    const events = this.#pending;
    const infos = this.#pendingInfos;
    this.#pending = [];
    this.#pendingInfos = [];
    const lastSeq = this.#buffer.head;
    // #region fan-out
    const chunk = count === 1 ? (events[0] as Uint8Array) : this.concat(events);
    if (this.#subscribers.size <= slice && this.#joinedAt.size === 0) {
      for (const subscriber of this.#subscribers) subscriber.deliver(chunk, count);
      this.#delivered += count * this.#subscribers.size;
    } else {
      // A copy: streams that join while the slices are written got these events in their replay.
      this.#pass = { chunk, events, count, lastSeq, subscribers: [...this.#subscribers], next: 0 };
    }
    // #endregion fan-out
    if (this.#filtered.size > 0) this.#deliverFiltered(events, chunk, infos, lastSeq);
    if (this.#pass !== undefined) this.#continuePass(slice);
    else this.#beginPass(slice);
  }

  /** Writes the next `slice` subscribers of the pass; schedules the rest, or ends the pass and starts the next. */
  #continuePass(slice: number): void {
    const pass = this.#pass;
    if (pass === undefined) return;
    const { subscribers, chunk, count } = pass;
    const end = Math.min(subscribers.length, pass.next + slice);
    for (let i = pass.next; i < end; i++) {
      const subscriber = subscribers[i] as Subscriber;
      // Gone since the pass began: unsubscribed, or cut as slow.
      if (!this.#subscribers.has(subscriber)) continue;
      if (this.#joinedAt.size > 0 && this.#joinedAt.has(subscriber)) this.#deliverAfterJoin(subscriber, pass);
      else {
        subscriber.deliver(chunk, count);
        this.#delivered += count;
      }
    }
    pass.next = end;
    if (end < subscribers.length) {
      // Unless flush() has written the rest meanwhile.
      nextTurn(() => this.#pass === pass && this.#continuePass(this.#slice));
      return;
    }
    this.#pass = undefined;
    this.#beginPass(slice);
  }

  /** Delivers the part of `pass` after the sequence number `subscriber`'s replay reached. */
  #deliverAfterJoin(subscriber: Subscriber, pass: Pass): void {
    const joined = this.#joinedAt.get(subscriber) as number;
    const firstSeq = pass.lastSeq - pass.count + 1;
    if (joined >= pass.lastSeq) return;
    this.#joinedAt.delete(subscriber);
    const skip = Math.max(0, joined - firstSeq + 1);
    const events = pass.events.slice(skip);
    subscriber.deliver(skip === 0 ? pass.chunk : this.concat(events), events.length);
    this.#delivered += events.length;
  }

  /**
   * Refuses further publishes and delivers what is pending. With `retryMs`, also ends every
   * stream (and every one attached later) with that reconnection hint, jittered per stream, so a
   * shutdown does not bring every client back in the same millisecond; without it, subscribers
   * stay until they leave.
   */
  close(options: { readonly retryMs?: number } = {}): void {
    // Every event published, the slices not yet written included, reaches every stream first.
    this.flush();
    this.#isClosed = true;
    if (options.retryMs === undefined) return;
    this.#closeRetryMs = options.retryMs;
    for (const subscriber of [...this.#subscribers, ...this.#filtered.keys()]) subscriber.end?.(options.retryMs);
  }

  /**
   * Subscribes an open stream, resumed from `cursor`, and unsubscribes it when it closes (ends it
   * at once after a {@link Channel.close} with `retryMs`): `response` here, `attach` on Node.
   */
  protected serve(stream: EventSink, cursor: string | readonly string[] | undefined, filter: EventFilter | undefined): void {
    if (this.#closeRetryMs !== undefined) {
      stream.end(this.#closeRetryMs);
      return;
    }
    const subscription = this.subscribe(stream, cursor, { filter });
    if (joinLive(stream, subscription)) stream.onClose(subscription.unsubscribe);
  }

  #deliverFiltered(pending: readonly Uint8Array[], chunk: Uint8Array, infos: readonly EventInfo[], lastSeq: number): void {
    const newest = pending.at(-1);
    const firstSeq = lastSeq - pending.length + 1;
    for (const [subscriber, filter] of this.#filtered) {
      // A stream that joined while these events waited has them from its replay.
      const joined = this.#joinedAt.get(subscriber);
      if (joined !== undefined) {
        if (joined >= lastSeq) continue;
        this.#joinedAt.delete(subscriber);
      }
      const from = joined === undefined ? 0 : Math.max(0, joined - firstSeq + 1);
      const picked = pending.filter((_, i) => i >= from && filter(infos[i] as EventInfo));
      const count = picked.length;
      this.#delivered += count;
      if (count === pending.length) {
        subscriber.deliver(chunk, count);
        continue;
      }
      // The cursor moves past the events it does not want, or a reconnect after enough of them
      // would find it expired: a reset although it missed nothing (one small block per pass).
      if (picked.at(-1) !== newest) picked.push(this.#cursorBlock());
      subscriber.deliver(picked.length === 1 ? (picked[0] as Uint8Array) : this.concat(picked), count);
    }
  }

  /** The retained events after `afterSeq` that pass `filter`. */
  #replay(afterSeq: number, filter: EventFilter | undefined): Uint8Array[] {
    const events = this.#buffer.after(afterSeq);
    return filter === undefined ? events : events.filter((_, i) => filter(this.#index.at(afterSeq + 1 + i) as EventInfo));
  }

  /** Whether what `plan` writes first ends with the head's id: a replay or a reset does, unless a filter left the newest event out. */
  #endsAtHead(plan: ResumePlan, filter: EventFilter | undefined): boolean {
    if (plan.kind === 'fresh') return false;
    if (plan.kind === 'reset' || filter === undefined) return true;
    const head = this.#buffer.head;
    return plan.afterSeq === head || filter(this.#index.at(head) as EventInfo);
  }

  /** The one resume decision, with this channel's id scheme: its own `<epoch>-<seq>`, or the supplied ids' policy. */
  #plan(cursor: string | readonly string[] | undefined): ResumePlan {
    const { head, oldest } = this.#buffer;
    if (this.#ids === undefined) return settleResume(planResume(readEpochCursor(cursor), epochView({ epoch: this.epoch, head, oldest })), (seq) => seq);
    const index = this.#index;
    const view = suppliedView({ policy: this.#ids, seqOf: (id) => index.seqOf(id), headId: this.#lastId, floorId: index.at(oldest - 1)?.id });
    // A held id has a sequence number; the start id is before the first event.
    return settleResume(planResume(readSuppliedCursor(cursor, this.#ids, this.#startId()), view), (id) => (id === SUPPLIED_START ? 0 : (index.seqOf(id) as number)));
  }

  /**
   * The id that names the head. With supplied ids and nothing published yet it is the channel's
   * `<epoch>-0`: no id of the application's can name "before the first event".
   */
  #headId(): string {
    if (this.#ids === undefined || this.#lastId === undefined) return formatEventId({ epoch: this.epoch, seq: this.#buffer.head });
    return this.#lastId;
  }

  #startId(): string {
    return formatEventId({ epoch: this.epoch, seq: 0 });
  }

  #cursorBlock(): Uint8Array {
    const head = this.#buffer.head;
    if (this.#cursor?.head !== head) this.#cursor = { head, bytes: this.encodeText(formatCursor(this.#headId())) };
    return this.#cursor.bytes;
  }

  #reset(reason: Parameters<typeof formatReset>[0]): Uint8Array {
    const { head, oldest } = this.#buffer;
    // With supplied ids the positions are the ids ('' for none).
    const isSupplied = this.#ids !== undefined;
    return this.encodeText(formatReset(reason, {
      epoch: this.epoch,
      head: isSupplied ? (this.#lastId ?? '') : head,
      oldest: isSupplied ? (this.#index.at(oldest)?.id ?? '') : oldest,
      headId: this.#headId(),
    }));
  }

  /**
   * How this channel turns text into bytes: UTF-8 through TextEncoder here; Node's `Channel`
   * makes Buffers (its sockets' fast path). Every event, cursor and reset goes through it.
   */
  protected encodeText(text: string): Uint8Array {
    return UTF8.encode(text);
  }

  /** How this channel joins the events of one pass (and a replay) into one chunk: Node's `Channel` uses `Buffer.concat`. */
  protected concat(chunks: readonly Uint8Array[]): Uint8Array {
    return concatBytes(chunks);
  }

  #assignId(supplied: string | undefined, seq: number): string {
    if (supplied !== undefined) {
      throw new SseError('SSE_ERR_ID_UNEXPECTED', 'This channel assigns ids; create it with { ids: numericIds } (or another IdPolicy) to supply your own.');
    }
    return formatEventId({ epoch: this.epoch, seq });
  }

  #checkSuppliedId(id: string | undefined, policy: IdPolicy): string {
    if (id === undefined) throw new SseError('SSE_ERR_ID_MISSING', `This channel takes supplied ids (${policy.name}); every publish needs an id.`);
    if (!policy.accepts(id)) throw new SseError('SSE_ERR_ID_INVALID', `Id ${JSON.stringify(id).slice(0, 80)} is not a ${policy.name} id.`);
    if (this.#lastId !== undefined && policy.compare(id, this.#lastId) <= 0) {
      throw new SseError('SSE_ERR_ID_NOT_INCREASING', `Id ${JSON.stringify(id)} does not come after the last one, ${JSON.stringify(this.#lastId)}: resume needs ids in order.`);
    }
    return id;
  }
}

import type { SseRequest, SseResponse } from '../http/types.js';
import { checkKnownOptions } from '../options/check.js';
import { lastEventIdOf } from '../protocol/last-event-id.js';
import { STREAM_HEADERS, type StreamHeaders } from '../stream/headers.js';
import { answerNonGet } from '../stream/method.js';
import { SSE_STREAM_OPTIONS, SseStream, type SseStreamOptions } from '../stream/sse-stream.js';
import {
  Channel as PortableChannel,
  type ChannelLog as PortableChannelLog,
  type ChannelOptions as PortableChannelOptions,
  type EventMap,
  type SubscribeOptions,
  type Subscription as PortableSubscription,
} from './portable-channel.js';
import type { EventSink } from '../stream/sink.js';

export type {
  ChannelEvent,
  EventFilter,
  EventMap,
  PublishInput,
  ResponseOptions,
  SubscribeOptions,
} from './portable-channel.js';

/** Options of {@link Channel.attach}: the stream's, a filter, and a cursor that overrides the request's. */
export interface AttachOptions extends SseStreamOptions, SubscribeOptions {
  /** Resume from this id instead of the request's `Last-Event-ID` header or `?lastEventId=`. */
  readonly lastEventId?: string | undefined;
}

/** Durable storage for a channel's events (on Node, each event's bytes are a Buffer). */
export interface ChannelLog extends PortableChannelLog {
  /** Stores one encoded event, synchronously, before {@link Channel.publish} returns; throwing refuses the publish. */
  append(seq: number, bytes: Buffer): void;
}

/** Options of {@link Channel}. */
export interface ChannelOptions extends Omit<PortableChannelOptions, 'history' | 'log'> {
  /** Where history starts: the last stored sequence number and the events that end there (e.g. from a {@link FileLog}). @defaultValue empty */
  readonly history?: { readonly head: number; readonly events: readonly Buffer[] };
  /** Durable storage told of every event (e.g. a {@link FileLog}). @defaultValue none: memory only */
  readonly log?: ChannelLog;
}

/** What {@link Channel.subscribe} decided and what to write first. */
export interface Subscription extends PortableSubscription {
  /**
   * Bytes to write before anything live: the replayed events, or the `reset` event, then, unless
   * their last id already names the head, an id-only block that does (the client's cursor).
   * Undefined when there is nothing to write (a client already at the head).
   */
  readonly initial: Buffer | undefined;
}

/** The headers a stream sets or forbids itself: another plugin's value for one would break it. */
const STREAM_OWN_HEADERS: ReadonlySet<string> = new Set([...Object.keys(STREAM_HEADERS), 'connection', 'content-length', 'transfer-encoding', 'content-encoding']);

/** What {@link Channel.attachReply} reads of a framework's request (Fastify's `request`): Node's own. */
export interface FrameworkRequest {
  readonly raw: SseRequest;
}

/**
 * What {@link Channel.attachReply} uses of a framework's reply (Fastify's `reply`): Node's own
 * response, the headers set on the reply so far, and the call that hands the response over.
 */
export interface FrameworkReply {
  readonly raw: SseResponse;
  getHeaders(): StreamHeaders;
  hijack(): unknown;
}

const ATTACH_OPTIONS = { ...SSE_STREAM_OPTIONS, filter: true, lastEventId: true } as const satisfies Record<keyof AttachOptions, true>;

/**
 * One broadcast channel with ids, a bounded replay buffer and exact resume, for `node:http`: the
 * portable channel of `sse-reference/web` (publish, subscribe, `response`), plus {@link Channel.attach}
 * and {@link Channel.attachReply}, and Node's Buffers as its bytes.
 *
 * Each published event is encoded once; all events published in one pass of the event loop are
 * merged into one Buffer and written once per subscriber. The per-client JavaScript work, not the
 * syscall, is what fan-out costs, so this is the lever for throughput. A pass to more than
 * `fanOutSlice` subscribers is written in slices, one per turn of the event loop; events published
 * meanwhile wait for the next pass, merged.
 *
 * @example
 * ```ts
 * const channel = new Channel<{ price: { eur: number } }>();
 * createServer((req, res) => channel.attach(req, res)).listen(8080);
 * channel.publish({ event: 'price', data: { eur: 1.08 } });
 * process.on('SIGTERM', () => channel.close({ retryMs: 5000 }));
 * ```
 */
export class Channel<E extends object = EventMap> extends PortableChannel<E> {
  /** @throws RangeError when an option is out of range; TypeError for a bad epoch, an unknown option, or ids with history */
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- narrows the option types to Node's Buffers
  constructor(options: ChannelOptions = {}) {
    super(options);
  }

  /**
   * Adds a subscriber, resuming it from `cursor`. The replay and the live subscription happen in
   * one synchronous step, so no event can fall between them.
   *
   * @param subscriber - receives live events after `initial` (an {@link EventSink}'s `deliver`, and its `end` on close)
   * @param cursor - the client's `Last-Event-ID`, as sent (header or `?lastEventId=`)
   * @param options - a filter
   */
  override subscribe(subscriber: Pick<EventSink, 'deliver'> & Partial<Pick<EventSink, 'end'>>, cursor: string | readonly string[] | undefined, options: SubscribeOptions = {}): Subscription {
    // encodeText and concat below make every chunk a Buffer.
    return super.subscribe(subscriber, cursor, options) as Subscription;
  }

  /**
   * Streams this channel to one `node:http` (or `node:http2`) request, in one call: starts the
   * stream (with a comment heartbeat every 15 s of silence unless `heartbeat` says otherwise),
   * resumes it from the request's `Last-Event-ID` header (or `?lastEventId=`), subscribes, and
   * unsubscribes when it closes. `HEAD` gets the stream's headers and ends; any other method but
   * `GET` gets `405` with `Allow: GET, HEAD`.
   *
   * @returns the open stream, e.g. for `onClose`; undefined when the method was not `GET`
   * @example
   * ```ts
   * createServer((req, res) => channel.attach(req, res)).listen(8080);
   * ```
   */
  attach(req: SseRequest, res: SseResponse, options: AttachOptions = {}): SseStream | undefined {
    checkKnownOptions(options, ATTACH_OPTIONS, 'Channel.attach');
    const { filter, lastEventId, ...streamOptions } = options;
    if (answerNonGet(req, res, streamOptions.headers)) return undefined;
    const stream = new SseStream(req, res, streamOptions);
    this.serve(stream, lastEventId ?? lastEventIdOf(req), filter);
    return stream;
  }

  /**
   * {@link Channel.attach} for a framework that wraps Node's request and response, as Fastify
   * does: hands the raw response to the stream (`reply.hijack()`), and keeps the headers other
   * plugins set on the reply (`@fastify/cors`'s `Access-Control-Allow-Origin`, `Vary`…), which the
   * framework writes only when it answers itself and a hijacked reply never does. The stream's own
   * headers win over theirs (a plugin's `Content-Type` or `Content-Length` would break the
   * stream), and `options.headers` over both.
   *
   * @returns the open stream; undefined when the method was not `GET` (answered as `attach` does)
   * @example
   * ```ts
   * await app.register(cors, { origin: 'https://app.example' });
   * app.all('/feed', (request, reply) => channel.attachReply(request, reply));
   * ```
   */
  attachReply(request: FrameworkRequest, reply: FrameworkReply, options: AttachOptions = {}): SseStream | undefined {
    checkKnownOptions(options, ATTACH_OPTIONS, 'Channel.attachReply');
    const headers: Record<string, string | number | readonly string[] | undefined> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (!STREAM_OWN_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    reply.hijack();
    return this.attach(request.raw, reply.raw, { ...options, headers: { ...headers, ...options.headers } });
  }

  // Node's bytes: Buffer.from and Buffer.concat are the fan-out's fast path, and what the file
  // log and node:http take; the portable channel's TextEncoder gives the same bytes.
  protected override encodeText(text: string): Buffer {
    return Buffer.from(text, 'utf8');
  }

  protected override concat(chunks: readonly Uint8Array[]): Buffer {
    return Buffer.concat(chunks);
  }
}

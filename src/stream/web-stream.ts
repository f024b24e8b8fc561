import type { SseEvent } from '../protocol/format.js';
import { encodeComment, encodeEvent, encodeRetry } from '../protocol/web-encode.js';
import { checkKnownOptions } from '../options/check.js';
import { OPTIONS } from '../options/table.js';
import { heartbeatOf, type Beating, type Heartbeat } from './heartbeat.js';
import { jitter, STREAM_HEADERS, type StreamHeaders } from './headers.js';
import { sendFrom, type SendFromOptions, type SourceItem } from './iterate.js';
import type { EventSink } from './sink.js';

/** Why a Web stream closed: the client cancelled it, it fell too far behind, or the server ended it. */
export type WebCloseReason = 'client' | 'slow' | 'server';

/** Options of {@link WebSseStream}. */
export interface WebSseStreamOptions {
  /** The reconnection hint sent first, jittered ±20 % per connection. @defaultValue 3000 */
  readonly retryMs?: number;
  /** Once more than this many bytes wait unread in the body, the stream is cut. @defaultValue 1 MiB */
  readonly maxPendingBytes?: number;
  /**
   * The longest idle gap before a comment heartbeat, in ms (0: none; streams with one interval
   * share a timer), or a {@link Heartbeat} of your own.
   * @defaultValue 15000
   */
  readonly heartbeat?: Heartbeat | number | undefined;
  /** Extra response headers (e.g. CORS): strings, or Node's `OutgoingHttpHeaders`. */
  readonly headers?: StreamHeaders | undefined;
  /** The request's signal: its abort closes the stream (some runtimes signal a gone client only so). */
  readonly signal?: AbortSignal | undefined;
}

/** The names of {@link WebSseStreamOptions}, for refusing one it does not have. */
export const WEB_SSE_STREAM_OPTIONS = {
  retryMs: true,
  maxPendingBytes: true,
  heartbeat: true,
  headers: true,
  signal: true,
} as const satisfies Record<keyof WebSseStreamOptions, true>;

const HEARTBEAT = encodeComment('heartbeat');
// Past this, the body's consumer is behind and `drain()` waits.
const HIGH_WATER_BYTES = 64 * 1024;

/**
 * One event stream as a Web-standard `Response` whose body is a `ReadableStream`: for Hono, Bun
 * and Deno, where there is no `node:http` response to write to (workerd: see docs/frameworks.md).
 *
 * The body queues what the consumer has not read yet; past `maxPendingBytes` the stream errors,
 * which drops the connection, and the client resumes from its `Last-Event-ID`. On `node:http`,
 * {@link SseStream} is the faster path: it writes shared, pre-framed chunks to the socket.
 *
 * @example
 * ```ts
 * const stream = new WebSseStream({ retryMs: 3000, signal: request.signal });
 * stream.send({ data: 'hello' });
 * return stream.response;
 * ```
 */
export class WebSseStream implements EventSink, Beating {
  wroteSinceTick = false;
  /** The response to return from a fetch handler. */
  readonly response: Response;
  readonly #maxPendingBytes: number;
  readonly #heartbeat: Heartbeat | undefined;
  readonly #closeHandlers: ((reason: WebCloseReason) => void)[] = [];
  #drainWaiters: ((isOpen: boolean) => void)[] = [];
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closeReason: WebCloseReason | undefined;

  constructor(options: WebSseStreamOptions = {}) {
    checkKnownOptions(options, WEB_SSE_STREAM_OPTIONS, 'WebSseStream');
    this.#maxPendingBytes = options.maxPendingBytes ?? OPTIONS.maxPendingBytes.default;
    this.#heartbeat = heartbeatOf(options.heartbeat);
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#wake(true),
        cancel: () => this.#finish('client'),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER_BYTES }),
    );
    this.response = new Response(body, { status: 200, headers: webStreamHeaders(options.headers) });
    this.#enqueue(encodeRetry(jitter(options.retryMs ?? OPTIONS.retryMs.default)));
    options.signal?.addEventListener('abort', () => this.#finish('client'), { once: true });
    this.#heartbeat?.add(this);
  }

  /** Whether the stream has closed. */
  get isClosed(): boolean {
    return this.#closeReason !== undefined;
  }

  /** Runs `handler` once when the stream closes, for whatever reason: the one cleanup path. */
  onClose(handler: (reason: WebCloseReason) => void): void {
    if (this.#closeReason !== undefined) handler(this.#closeReason);
    else this.#closeHandlers.push(handler);
  }

  /**
   * Encodes and queues one event.
   *
   * @returns false when the stream is closed or was cut for being slow
   * @throws {@link SseError} when the event is invalid (nothing is queued)
   */
  send(event: SseEvent): boolean {
    return this.write(encodeEvent(event));
  }

  /** {@link EventSink.deliver}: a channel's merged events. */
  deliver(chunk: Uint8Array): void {
    this.write(chunk);
  }

  /** A comment line that keeps proxies from closing an idle stream. */
  beat(): void {
    this.write(HEARTBEAT);
  }

  /**
   * Queues bytes that already form whole events or comments.
   *
   * @returns false when the stream is closed or was cut
   */
  write(chunk: Uint8Array): boolean {
    if (this.isClosed) return false;
    // The check is on what is already queued, as on node:http: one chunk always goes out.
    const queued = HIGH_WATER_BYTES - (this.#controller.desiredSize ?? 0);
    if (queued > this.#maxPendingBytes) {
      this.#finish('slow');
      this.#controller.error(new Error('The client fell behind by more than maxPendingBytes.'));
      return false;
    }
    this.wroteSinceTick = true;
    this.#enqueue(chunk);
    return true;
  }

  /** Resolves true once the consumer has room again (at once if it has), false if the stream closed first. */
  drain(): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(false);
    if ((this.#controller.desiredSize ?? 0) > 0) return Promise.resolve(true);
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Writes every item of `source` as the body's consumer takes them. See {@link sendFrom}. */
  sendFrom(source: AsyncIterable<SourceItem> | Iterable<SourceItem>, options?: SendFromOptions): Promise<'done' | 'closed'> {
    return sendFrom(this, source, options);
  }

  /** Ends the stream cleanly, telling the client when to come back. @param retryMs - the hint, jittered; none sends none */
  end(retryMs?: number): void {
    if (this.isClosed) return;
    if (retryMs !== undefined) this.#enqueue(encodeRetry(jitter(retryMs)));
    this.#finish('server');
    this.#controller.close();
  }

  #enqueue(chunk: Uint8Array): void {
    // A copy: a channel's chunk is shared by every subscriber and small Node Buffers share a pool,
    // and a consumer may transfer (detach) what it reads.
    if (chunk.length > 0) this.#controller.enqueue(new Uint8Array(chunk));
  }

  #wake(isOpen: boolean): void {
    if (this.#drainWaiters.length > 0) for (const resolve of this.#drainWaiters.splice(0)) resolve(isOpen);
  }

  #finish(reason: WebCloseReason): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#heartbeat?.delete(this);
    this.#wake(false);
    for (const handler of this.#closeHandlers.splice(0)) handler(reason);
  }
}

/** The headers of a Web event stream, with the caller's extra ones (Node's `OutgoingHttpHeaders` too). */
export function webStreamHeaders(extra: StreamHeaders | undefined): Headers {
  const headers = new Headers(STREAM_HEADERS);
  if (extra === undefined) return headers;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    if (typeof value === 'object') {
      headers.delete(name);
      for (const item of value) headers.append(name, item);
    } else headers.set(name, String(value));
  }
  return headers;
}

/** The methods an event stream answers: `GET` streams, `HEAD` gets the headers alone. */
export const STREAM_METHODS = 'GET, HEAD';

/** The body of the `405` a stream path answers to any other method. */
export const NOT_ALLOWED = { error: { code: 'method_not_allowed', message: `Use ${STREAM_METHODS}.` } } as const;

/**
 * Answers a Web `Request` that must not open a stream (as `answerNonGet` does on `node:http`):
 * `HEAD` gets the stream's headers with no body, any method but `GET` gets `405` with `Allow`.
 *
 * @returns the answer, or undefined for a `GET`
 */
export function webAnswerNonGet(request: Request, headers?: StreamHeaders): Response | undefined {
  if (request.method === 'GET') return undefined;
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: webStreamHeaders(headers) });
  return new Response(JSON.stringify(NOT_ALLOWED), {
    status: 405,
    headers: { allow: STREAM_METHODS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

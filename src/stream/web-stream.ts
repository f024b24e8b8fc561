import { encodeComment, encodeEvent, encodeRetry, type SseEvent } from '../protocol/encode.js';
import type { Beating, Heartbeat } from './heartbeat.js';
import { jitter } from './headers.js';
import { sendFrom, type SendFromOptions, type SourceItem } from './iterate.js';

/** Why a Web stream closed: the client cancelled it, it fell too far behind, or the server ended it. */
export type WebCloseReason = 'client' | 'slow' | 'server';

/** Options of {@link WebSseStream}. */
export interface WebSseStreamOptions {
  /** The reconnection hint sent first, jittered ±20 % per connection. @defaultValue 3000 */
  readonly retryMs?: number;
  /** Once more than this many bytes wait unread in the body, the stream is cut. @defaultValue 1 MiB */
  readonly maxPendingBytes?: number;
  /** The shared heartbeat; none means no heartbeats. */
  readonly heartbeat?: Heartbeat | undefined;
  /** Extra response headers (e.g. CORS). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request's signal: its abort closes the stream (some runtimes signal a gone client only so). */
  readonly signal?: AbortSignal | undefined;
}

const HEARTBEAT = encodeComment('heartbeat');
// Past this, the body's consumer is behind and `drain()` waits.
const HIGH_WATER_BYTES = 64 * 1024;

/**
 * One event stream as a Web-standard `Response` whose body is a `ReadableStream`: for Hono, Bun,
 * Deno and Workers, where there is no `node:http` response to write to.
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
export class WebSseStream implements Beating {
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
    this.#maxPendingBytes = options.maxPendingBytes ?? 1024 * 1024;
    this.#heartbeat = options.heartbeat;
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
    this.response = new Response(body, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        ...options.headers,
      },
    });
    this.#enqueue(encodeRetry(jitter(options.retryMs ?? 3000)));
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

  /** A channel's merged events. */
  deliver(chunk: Buffer): void {
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
    // A copy: a channel's chunk is shared by every subscriber and small Buffers share Node's pool,
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

import type { Socket } from 'node:net';
import { encodeComment, encodeEvent, encodeRetry, type SseEvent } from '../protocol/encode.js';
import { frameChunk, frameShared, startChunkedBody } from './chunked.js';
import { heartbeatOf, type Beating, type Heartbeat } from './heartbeat.js';
import { jitter, streamHeaders, withHeaders, type StreamHeaders } from './headers.js';
import type { ChunkWriter, SseRequest, SseResponse } from '../http/types.js';
import { checkKnownOptions } from '../options/check.js';
import { OPTIONS } from '../options/table.js';
import { sendFrom, type SendFromOptions, type SourceItem } from './iterate.js';
import type { EventSink } from './sink.js';

/** Why a stream closed. */
export type CloseReason = 'client' | 'slow' | 'stalled' | 'server';

/** Options of {@link SseStream}. */
export interface SseStreamOptions {
  /** The reconnection hint sent first, jittered ±20 % per connection. @defaultValue 3000 */
  readonly retryMs?: number;
  /** Once more than this many bytes wait in user space, the next write cuts the client. @defaultValue 1 MiB */
  readonly maxPendingBytes?: number;
  /** How long a backpressured stream may go without `'drain'` before it is cut. @defaultValue 30000 */
  readonly stallTimeoutMs?: number;
  /**
   * The longest idle gap before a comment heartbeat, in ms (0: none; streams with one interval
   * share a timer), or a {@link Heartbeat} of your own.
   * @defaultValue 15000
   */
  readonly heartbeat?: Heartbeat | number | undefined;
  /** Extra response headers (e.g. CORS): strings, or Node's `OutgoingHttpHeaders` (`reply.getHeaders()`). */
  readonly headers?: StreamHeaders | undefined;
}

/** The names of {@link SseStreamOptions}, for refusing one it does not have. */
export const SSE_STREAM_OPTIONS = {
  retryMs: true,
  maxPendingBytes: true,
  stallTimeoutMs: true,
  heartbeat: true,
  headers: true,
} as const satisfies Record<keyof SseStreamOptions, true>;

const HEARTBEAT = encodeComment('heartbeat');
const HEARTBEAT_CHUNK = frameChunk(HEARTBEAT);

// Every new stream starts with a jittered `retry:` line, and a jittered range holds a few hundred
// values: each is encoded and framed once, then shared, so a reconnect storm allocates nothing here.
const RETRY_CHUNKS = new Map<number, readonly [line: Buffer, framed: Buffer]>();
const MAX_RETRY_CHUNKS = 4096;

function retryChunk(retryMs: number): readonly [line: Buffer, framed: Buffer] {
  let chunk = RETRY_CHUNKS.get(retryMs);
  if (chunk === undefined) {
    const line = encodeRetry(retryMs);
    chunk = [line, frameChunk(line)];
    // Streams given many different hints (library use) must not grow this without bound.
    if (RETRY_CHUNKS.size >= MAX_RETRY_CHUNKS) RETRY_CHUNKS.clear();
    RETRY_CHUNKS.set(retryMs, chunk);
  }
  return chunk;
}

/**
 * One open event stream on a `node:http` response: sends the headers and a first byte at once,
 * guards every write against a client that does not read, and closes through one path.
 *
 * @example
 * ```ts
 * http.createServer((req, res) => {
 *   const stream = new SseStream(req, res, { retryMs: 3000 });
 *   const timer = setInterval(() => stream.send({ data: new Date().toISOString() }), 1000);
 *   stream.onClose(() => clearInterval(timer));
 * });
 * ```
 */
export class SseStream implements EventSink, Beating {
  wroteSinceTick = false;
  readonly #res: SseResponse;
  readonly #out: ChunkWriter;
  /** Where HTTP/1.1 body chunks go, framed here, bypassing `res.write()` (see {@link startChunkedBody}). */
  readonly #socket: Socket | undefined;
  readonly #maxPendingBytes: number;
  readonly #stallTimeoutMs: number;
  readonly #heartbeat: Heartbeat | undefined;
  readonly #closeHandlers: ((reason: CloseReason) => void)[] = [];
  #stallTimer: NodeJS.Timeout | undefined;
  #drainWaiters: ((isOpen: boolean) => void)[] = [];
  #closeReason: CloseReason | undefined;
  #isFinished = false;

  /**
   * Starts the stream: status 200, the event-stream headers, and a jittered `retry:` hint as the
   * first byte, flushed at once (Node would otherwise hold the headers until the first write).
   */
  constructor(req: SseRequest, res: SseResponse, options: SseStreamOptions = {}) {
    checkKnownOptions(options, SSE_STREAM_OPTIONS, 'SseStream');
    this.#res = res;
    this.#out = res;
    this.#maxPendingBytes = options.maxPendingBytes ?? OPTIONS.maxPendingBytes.default;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? OPTIONS.stallTimeoutMs.default;
    this.#heartbeat = heartbeatOf(options.heartbeat);
    // #region stream-start
    // Small event writes must not wait for Nagle's algorithm.
    req.socket.setNoDelay(true);
    res.writeHead(200, withHeaders(streamHeaders(req), options.headers));
    this.#socket = startChunkedBody(req, res);
    this.#put(...retryChunk(jitter(options.retryMs ?? OPTIONS.retryMs.default)));
    res.on('close', () => this.#finish(this.#closeReason ?? 'client'));
    this.#heartbeat?.add(this);
    // #endregion stream-start
  }

  /** Whether the stream has closed (the client left, or it was cut or ended). */
  get isClosed(): boolean {
    return this.#closeReason !== undefined || this.#res.destroyed;
  }

  /** Bytes written but not yet taken by the kernel. */
  get pendingBytes(): number {
    return this.#res.writableLength;
  }

  /**
   * Runs `handler` once when the stream closes, for whatever reason. Use it to stop timers and
   * unsubscribe: it is the one cleanup path.
   */
  onClose(handler: (reason: CloseReason) => void): void {
    if (this.#isFinished) handler(this.#closeReason as CloseReason);
    else this.#closeHandlers.push(handler);
  }

  /**
   * Encodes and writes one event.
   *
   * @returns false when the stream is closed or was cut for being slow
   * @throws {@link SseError} when the event is invalid (nothing is written)
   */
  send(event: SseEvent): boolean {
    return this.write(encodeEvent(event));
  }

  /**
   * Resolves once the stream may be written again without growing Node's queue: at once unless a
   * write found the socket full (the kernel and Node's high-water mark), else on `'drain'`.
   *
   * @returns true when drained, false when the stream closed first
   */
  drain(): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(false);
    if (this.#stallTimer === undefined) return Promise.resolve(true);
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * {@link SseStream.send}, then {@link SseStream.drain}: for a producer that should wait for a
   * slow client instead of being cut.
   *
   * @returns true once the socket can take more, false when the stream closed
   * @throws {@link SseError} when the event is invalid (nothing is written)
   */
  async sendAndDrain(event: SseEvent): Promise<boolean> {
    return this.send(event) && (await this.drain());
  }

  /**
   * Writes every item of `source` as it comes, pausing it while the socket is full: the
   * single-client stream (an LLM's tokens, a job's progress). See {@link sendFrom}.
   */
  sendFrom(source: AsyncIterable<SourceItem> | Iterable<SourceItem>, options?: SendFromOptions): Promise<'done' | 'closed'> {
    return sendFrom(this, source, options);
  }

  /** {@link EventSink.deliver}: writes a channel's merged events, framed once for every HTTP/1.1 subscriber. */
  deliver(chunk: Uint8Array): void {
    const bytes = asBuffer(chunk);
    this.#write(bytes, this.#socket === undefined ? undefined : frameShared(bytes));
  }

  /** {@link Beating.beat}: a comment line that keeps proxies from closing an idle stream. */
  beat(): void {
    this.#write(HEARTBEAT, HEARTBEAT_CHUNK);
  }

  /**
   * Writes bytes that already form whole events or comments.
   *
   * A client that does not read is cut rather than buffered without bound: Node queues every
   * byte after `write()` returns false, so the budget is checked here, before queuing more.
   *
   * @returns false when the stream is closed or was cut
   */
  write(chunk: Uint8Array): boolean {
    return this.#write(asBuffer(chunk), undefined);
  }

  #write(chunk: Buffer, framed: Buffer | undefined): boolean {
    if (this.isClosed) return false;
    // The check is on what is already queued, so one chunk (a replay larger than the budget, say)
    // always goes out; what a client can hold is bounded by the budget plus one chunk.
    // #region backpressure
    if (this.#res.writableLength > this.#maxPendingBytes) {
      this.#cut('slow');
      return false;
    }
    this.wroteSinceTick = true;
    const backpressured = this.#put(chunk, framed);
    if (backpressured !== undefined && this.#stallTimer === undefined) {
      this.#stallTimer = setTimeout(() => this.#cut('stalled'), this.#stallTimeoutMs);
      // Listening only while backpressured spares every stream that never is a listener.
      backpressured.once('drain', () => this.#clearStall());
    }
    return true;
    // #endregion backpressure
  }

  /**
   * Hands bytes to the response, or on HTTP/1.1 straight to the socket as one chunk: the same
   * bytes on the wire, without `res.write()`'s four pieces, cork and deferred uncork per write,
   * which cost more than the rest of a fan-out's JavaScript. `framed` is `chunk` already framed,
   * when the caller has it.
   *
   * @returns undefined when more may be written now; else what will emit `'drain'`
   */
  #put(chunk: Buffer, framed: Buffer | undefined): NodeJS.EventEmitter | undefined {
    const socket = this.#socket;
    // Once the socket no longer takes writes (the client half-closed) or the response was ended
    // from outside, res.write() decides what becomes of the bytes, as it did before.
    if (socket === undefined || !socket.writable || this.#res.writableEnded) {
      return this.#out.write(chunk) ? undefined : this.#res;
    }
    // A chunk of size 0 would end the body.
    if (chunk.length === 0) return undefined;
    return socket.write(framed ?? frameChunk(chunk)) ? undefined : socket;
  }

  /**
   * Ends the stream cleanly, telling the client when to come back.
   *
   * @param retryMs - the reconnection hint, sent jittered; none sends no hint
   */
  end(retryMs?: number): void {
    if (this.isClosed) return;
    this.#closeReason = 'server';
    if (retryMs !== undefined) this.#put(...retryChunk(jitter(retryMs)));
    this.#res.end();
  }

  #cut(reason: CloseReason): void {
    this.#closeReason = reason;
    this.#res.destroy();
  }

  #clearStall(): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    this.#wake(!this.isClosed);
  }

  #wake(isOpen: boolean): void {
    if (this.#drainWaiters.length > 0) for (const resolve of this.#drainWaiters.splice(0)) resolve(isOpen);
  }

  #finish(reason: CloseReason): void {
    this.#closeReason = reason;
    this.#isFinished = true;
    this.#clearStall();
    this.#heartbeat?.delete(this);
    const handlers = this.#closeHandlers.splice(0);
    for (const handler of handlers) handler(reason);
  }
}

/**
 * A Buffer view of `chunk`, without a copy: the portable encoders (sendFrom's, the portable
 * channel's) make plain Uint8Arrays, and the chunked framing here copies with Buffer methods.
 * A Buffer (Node's channel, the fast path) passes as it is.
 */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, constants as zlib } from 'node:zlib';
import { Changes } from './changes.js';
import { ChunkedDecoder, FramingError, headerValue, parseHead, type ResponseHead } from './framing.js';

/** One request, described byte for byte. */
export interface ProbeRequest {
  readonly url: string | URL;
  /** @defaultValue 'GET' */
  readonly method?: string;
  /** Header lines in order; a Buffer value is written exactly (hostile bytes), a string as latin1. */
  readonly headers?: readonly (readonly [string, string | Buffer])[];
  readonly body?: string | Buffer;
  /** Accept any TLS certificate (self-signed test servers). */
  readonly insecure?: boolean;
  /** ALPN protocols to offer over TLS. @defaultValue ['http/1.1'] */
  readonly alpn?: readonly string[];
  /** The whole exchange is cut after this long: no read waits forever. */
  readonly timeoutMs: number;
  /** Reading stops after this many body bytes. @defaultValue 16 MiB */
  readonly maxBodyBytes?: number;
  /**
   * Read what follows a HEAD's head as a body until the connection closes, instead of ending there:
   * a HEAD answer carries no content (RFC 9110 §9.3.2), so any byte recorded is a defect.
   */
  readonly readsAfterHead?: boolean;
}

/** How the response ended, as far as the probe could see. */
export type ProbeEnd =
  | 'complete' // the framing said the body was over (terminating chunk, Content-Length reached, no body)
  | 'closed' // the server closed the connection without a framing end (the only end of a close-delimited body)
  | 'reset' // ECONNRESET
  | 'timeout' // the probe's own deadline
  | 'stopped' // the probe was closed by its caller
  | 'error' // connect or TLS failure, or another socket error
  | 'bad-framing' // the bytes were not HTTP/1.x
  | 'too-large'; // maxBodyBytes reached

/** When some body bytes arrived: `offset`/`length` index the decoded body. */
export interface Arrival {
  readonly atMs: number;
  readonly offset: number;
  readonly length: number;
}

/** Everything a probe saw; times are milliseconds since the request was written. */
export interface ProbeRecord {
  head: ResponseHead | undefined;
  headAtMs: number | undefined;
  /** `chunked`, `length` (Content-Length), `close` (until the server closes) or `none` (no body by rule). */
  framing: 'chunked' | 'length' | 'close' | 'none' | undefined;
  /** The size of every chunk, terminating zero included when it came. */
  readonly chunkSizes: number[];
  /** Arrivals of body bytes on the wire (after de-chunking, before content decoding). */
  readonly wireArrivals: { readonly atMs: number; readonly length: number }[];
  /** The body after content decoding (gzip, deflate, br), as a client would parse it. */
  body: Buffer;
  readonly arrivals: Arrival[];
  end: ProbeEnd | undefined;
  endAtMs: number | undefined;
  error: string | undefined;
  /** The protocol TLS negotiated, for https targets. */
  alpnProtocol: string | false | undefined;
}

/**
 * A raw HTTP/1.1 (or HTTPS) client on `node:net`/`node:tls` that records what a browser would be
 * handed, byte for byte: the status line, the headers in order, every body byte with its arrival
 * time, the chunk framing and how the response ended. It never retries and never follows
 * redirects; every wait on it is bounded.
 *
 * @example
 * ```ts
 * const probe = new Probe({ url: 'http://127.0.0.1:8080/feed', headers: [['Accept', 'text/event-stream']], timeoutMs: 5000 });
 * await probe.waitFor((p) => p.body.includes('\n\n'), 2000);
 * const record = await probe.close(); // status, headers, body, arrivals, chunk sizes, how it ended
 * ```
 */
export class Probe {
  readonly record: ProbeRecord = {
    head: undefined,
    headAtMs: undefined,
    framing: undefined,
    chunkSizes: [],
    wireArrivals: [],
    body: Buffer.alloc(0),
    arrivals: [],
    end: undefined,
    endAtMs: undefined,
    error: undefined,
    alpnProtocol: undefined,
  };
  /** Resolves once the response has ended, for whatever reason; never rejects. */
  readonly done: Promise<ProbeRecord>;
  readonly #socket: Socket | TLSSocket;
  readonly #startedAt: number;
  readonly #maxBodyBytes: number;
  readonly #changes = new Changes();
  readonly #isHead: boolean;
  readonly #readsAfterHead: boolean;
  #resolve!: (record: ProbeRecord) => void;
  #headBytes: Buffer | undefined = Buffer.alloc(0);
  #chunked: ChunkedDecoder | undefined;
  #lengthLeft = 0;
  #decoder: Transform | undefined;
  #bodyParts: Buffer[] = [];
  #bodyLength = 0;
  #timer: NodeJS.Timeout;

  /** Opens the connection and writes the request at once. */
  constructor(request: ProbeRequest) {
    const url = new URL(request.url);
    const method = request.method ?? 'GET';
    this.#isHead = method === 'HEAD';
    this.#readsAfterHead = request.readsAfterHead === true;
    this.#maxBodyBytes = request.maxBodyBytes ?? 16 * 1024 * 1024;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    const isTls = url.protocol === 'https:';
    const port = Number(url.port || (isTls ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.#socket = isTls
      ? tlsConnect({
          host,
          port,
          servername: /^[\d.]+$|:/.test(host) ? '' : host,
          rejectUnauthorized: request.insecure !== true,
          ALPNProtocols: [...(request.alpn ?? ['http/1.1'])],
        })
      : netConnect({ host, port });
    this.#socket.setNoDelay(true);
    this.#startedAt = performance.now();
    this.#timer = setTimeout(() => this.#finish('timeout'), request.timeoutMs);
    if (isTls) {
      (this.#socket as TLSSocket).once('secureConnect', () => {
        this.record.alpnProtocol = (this.#socket as TLSSocket).alpnProtocol ?? false;
      });
    }
    this.#socket.write(serializeRequest(url, method, request.headers ?? [], request.body));
    this.#socket.on('data', (bytes: Buffer) => this.#onData(bytes));
    this.#socket.on('error', (error: NodeJS.ErrnoException) => {
      this.record.error = error.message;
      this.#finish(error.code === 'ECONNRESET' ? 'reset' : 'error');
    });
    this.#socket.on('close', () => this.#finish('closed'));
  }

  /** Milliseconds since the request was written. */
  get elapsedMs(): number {
    return performance.now() - this.#startedAt;
  }

  /** The decoded body so far, as one Buffer. */
  get body(): Buffer {
    // Parts are joined only when asked for: joining on every arrival would be O(N²).
    if (this.#bodyParts.length !== 1 || this.#bodyParts[0] !== this.record.body) {
      this.record.body = this.#bodyParts.length === 1 ? (this.#bodyParts[0] as Buffer) : Buffer.concat(this.#bodyParts, this.#bodyLength);
      this.#bodyParts = [this.record.body];
    }
    return this.record.body;
  }

  /** Whether the response has ended. */
  get isEnded(): boolean {
    return this.record.end !== undefined;
  }

  /** Stops reading from the socket (a client that does not read), or resumes. */
  setReading(isReading: boolean): void {
    if (isReading) this.#socket.resume();
    else this.#socket.pause();
  }

  /**
   * Waits until `condition` holds (checked on every arrival and at the end), for at most `timeoutMs`.
   *
   * @returns whether the condition held
   */
  waitFor(condition: (probe: Probe) => boolean, timeoutMs: number): Promise<boolean> {
    return this.#changes.waitFor(() => condition(this) || undefined, () => this.isEnded, timeoutMs).then((holds) => holds === true);
  }

  /**
   * Calls `listener` after every change (head, body bytes, end) until the returned function is called.
   */
  onUpdate(listener: () => void): () => void {
    return this.#changes.listen(listener);
  }

  /** Closes the connection (if still open) and resolves with the record. */
  close(): Promise<ProbeRecord> {
    this.#finish('stopped');
    return this.done;
  }

  #onData(bytes: Buffer): void {
    const atMs = this.elapsedMs;
    if (this.#headBytes !== undefined) {
      const all = Buffer.concat([this.#headBytes, bytes]);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) {
        if (all.length > 64 * 1024) return this.#fail('response head over 64 KiB');
        this.#headBytes = all;
        return;
      }
      let head: ResponseHead;
      try {
        head = parseHead(all.subarray(0, end));
      } catch (error) {
        return this.#fail((error as Error).message);
      }
      const rest = all.subarray(end + 4);
      // An interim 1xx answer (100 Continue) precedes the real one.
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        this.#headBytes = Buffer.alloc(0);
        if (rest.length > 0) this.#onData(rest);
        return;
      }
      this.#headBytes = undefined;
      this.#startBody(head, atMs);
      if (this.record.framing === 'none') {
        this.#changes.notify();
        return this.#finish('complete');
      }
      if (rest.length > 0) this.#onBodyBytes(rest, atMs);
      this.#changes.notify();
      return;
    }
    this.#onBodyBytes(bytes, atMs);
  }

  #startBody(head: ResponseHead, atMs: number): void {
    this.record.head = head;
    this.record.headAtMs = atMs;
    const transferEncoding = headerValue(head.headers, 'transfer-encoding')?.toLowerCase() ?? '';
    const length = headerValue(head.headers, 'content-length');
    if (this.#isHead && this.#readsAfterHead) this.record.framing = 'close';
    else if (this.#isHead || head.status === 204 || head.status === 304) this.record.framing = 'none';
    else if (transferEncoding.includes('chunked')) {
      this.record.framing = 'chunked';
      this.#chunked = new ChunkedDecoder();
    } else if (length !== undefined && /^\d+$/.test(length)) {
      this.record.framing = 'length';
      this.#lengthLeft = Number(length);
      if (this.#lengthLeft === 0) this.record.framing = 'none';
    } else this.record.framing = 'close';
    const coding = headerValue(head.headers, 'content-encoding')?.toLowerCase().trim();
    const decoder = coding === 'gzip' || coding === 'x-gzip' ? createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH })
      : coding === 'deflate' ? createInflate({ finishFlush: zlib.Z_SYNC_FLUSH })
      : coding === 'br' ? createBrotliDecompress({ finishFlush: zlib.BROTLI_OPERATION_FLUSH })
      : undefined;
    if (decoder !== undefined) {
      this.#decoder = decoder;
      decoder.on('data', (bytes: Buffer) => {
        this.#appendBody(bytes, this.elapsedMs);
        this.#changes.notify();
      });
      // A corrupt compressed stream: keep what decoded, record why the rest did not.
      decoder.on('error', (error: Error) => (this.record.error = `content decoding: ${error.message}`));
    }
  }

  #onBodyBytes(bytes: Buffer, atMs: number): void {
    let payload = bytes;
    let isOver = false;
    if (this.#chunked !== undefined) {
      try {
        payload = this.#chunked.push(bytes);
      } catch (error) {
        if (error instanceof FramingError) return this.#fail(error.message);
        throw error;
      }
      this.record.chunkSizes.splice(0, Infinity, ...this.#chunked.sizes);
      isOver = this.#chunked.isDone;
    } else if (this.record.framing === 'length') {
      payload = bytes.subarray(0, this.#lengthLeft);
      this.#lengthLeft -= payload.length;
      isOver = this.#lengthLeft === 0;
    }
    if (payload.length > 0) {
      this.record.wireArrivals.push({ atMs, length: payload.length });
      if (this.#decoder !== undefined) this.#decoder.write(payload);
      else this.#appendBody(payload, atMs);
    }
    this.#changes.notify();
    if (isOver) this.#finish('complete');
    else if (this.#bodyLength >= this.#maxBodyBytes) this.#finish('too-large');
  }

  #appendBody(bytes: Buffer, atMs: number): void {
    this.record.arrivals.push({ atMs, offset: this.#bodyLength, length: bytes.length });
    this.#bodyParts.push(bytes);
    this.#bodyLength += bytes.length;
  }

  #fail(message: string): void {
    this.record.error = message;
    this.#finish('bad-framing');
  }

  #finish(end: ProbeEnd): void {
    if (this.record.end !== undefined) return;
    this.record.end = end;
    this.record.endAtMs = this.elapsedMs;
    clearTimeout(this.#timer);
    this.#socket.destroy();
    const settle = (): void => {
      this.record.body = this.body;
      this.#changes.notify();
      this.#resolve(this.record);
    };
    const decoder = this.#decoder;
    if (decoder === undefined) return settle();
    // Let the decompressor hand over what it holds before the record is final.
    decoder.once('end', settle);
    decoder.once('error', settle);
    decoder.end();
  }
}

/** Opens a probe and waits for the whole response (or its deadline). */
export function fetchRaw(request: ProbeRequest): Promise<ProbeRecord> {
  return new Probe(request).done;
}

function serializeRequest(
  url: URL,
  method: string,
  headers: readonly (readonly [string, string | Buffer])[],
  body: string | Buffer | undefined,
): Buffer {
  const lines: Buffer[] = [Buffer.from(`${method} ${url.pathname}${url.search} HTTP/1.1\r\n`, 'latin1')];
  const names = new Set(headers.map(([name]) => name.toLowerCase()));
  if (!names.has('host')) lines.push(Buffer.from(`Host: ${url.host}\r\n`, 'latin1'));
  for (const [name, value] of headers) {
    lines.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n'));
  }
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (payload !== undefined && !names.has('content-length')) lines.push(Buffer.from(`Content-Length: ${payload.length}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (payload !== undefined) lines.push(payload);
  return Buffer.concat(lines);
}

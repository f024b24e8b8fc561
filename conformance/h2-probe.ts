import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import { Changes } from './changes.js';

/** One GET over HTTP/2. */
export interface H2ProbeRequest {
  /** An `https:` URL; the probe offers only `h2` in ALPN. */
  readonly url: string;
  /** Request header fields (lowercase names; connection-specific ones are refused by Node). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Accept any TLS certificate (self-signed test servers). */
  readonly insecure?: boolean;
  /** The whole exchange is cut after this long. */
  readonly timeoutMs: number;
}

/** How an HTTP/2 probe ended. */
export type H2ProbeEnd =
  | 'complete' // END_STREAM
  | 'reset' // RST_STREAM, from either side (see rstCode)
  | 'timeout' // the probe's own deadline
  | 'stopped' // closed by its caller
  | 'error'; // no session: connect, TLS or ALPN failure, or a session error

/** Everything an HTTP/2 probe saw; times are milliseconds since the request was sent. */
export interface H2ProbeRecord {
  status: number | undefined;
  /** The response header fields as the HTTP/2 client accepted them, in order, pseudo-headers included. */
  headers: [string, string][];
  headAtMs: number | undefined;
  body: Buffer;
  /** When body bytes arrived: `offset`/`length` index {@link H2ProbeRecord.body}. */
  readonly arrivals: { readonly atMs: number; readonly offset: number; readonly length: number }[];
  end: H2ProbeEnd | undefined;
  endAtMs: number | undefined;
  /** The RST_STREAM error code when the stream was reset (`1` is PROTOCOL_ERROR). */
  rstCode: number | undefined;
  error: string | undefined;
}

/**
 * An HTTP/2 client for one stream, on `node:http2`, that records what a browser's HTTP/2 stack would
 * hand to `EventSource`: the status, the header fields, and every DATA byte with its arrival time.
 *
 * Why `node:http2` and not a raw frame reader: the client under it, nghttp2, checks every response
 * as RFC 9113 §8.1.1 requires, and resets a malformed one (a connection-specific field, §8.2.2) with
 * RST_STREAM PROTOCOL_ERROR before any header is handed over, as Chrome does
 * (`ERR_HTTP2_PROTOCOL_ERROR`). That reset is the very failure a browser user sees, so the probe
 * reports it as it comes. Naming the offending field would need a full HPACK decoder (Huffman
 * table, dynamic table): a lot of code to say what the reset already proves.
 *
 * @example
 * ```ts
 * const probe = new H2Probe({ url: 'https://127.0.0.1:8443/feed', headers: { accept: 'text/event-stream' }, insecure: true, timeoutMs: 5000 });
 * await probe.waitFor((p) => p.record.status !== undefined, 2000);
 * const record = await probe.close(); // status, header fields, body and arrivals, or the reset code
 * ```
 */
export class H2Probe {
  readonly record: H2ProbeRecord = {
    status: undefined,
    headers: [],
    headAtMs: undefined,
    body: Buffer.alloc(0),
    arrivals: [],
    end: undefined,
    endAtMs: undefined,
    rstCode: undefined,
    error: undefined,
  };
  /** Resolves once the stream has ended, for whatever reason; never rejects. */
  readonly done: Promise<H2ProbeRecord>;
  readonly #session: ClientHttp2Session;
  /** `performance.now()` when the request was sent: arrival times count from it. */
  readonly startedAt = performance.now();
  readonly #changes = new Changes();
  readonly #timer: NodeJS.Timeout;
  #stream: ClientHttp2Stream | undefined;
  #parts: Buffer[] = [];
  #bodyLength = 0;
  #resolve!: (record: H2ProbeRecord) => void;

  /** Connects and sends the request at once. */
  constructor(request: H2ProbeRequest) {
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    const url = new URL(request.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.#timer = setTimeout(() => this.#finish('timeout'), request.timeoutMs);
    // SNI carries host names only (RFC 6066 §3).
    this.#session = connect(url.origin, { rejectUnauthorized: request.insecure !== true, ...(isIP(host) === 0 ? { servername: host } : {}) });
    this.#session.on('error', (error: Error) => {
      this.record.error = error.message;
      this.#finish('error');
    });
    let stream: ClientHttp2Stream;
    try {
      stream = this.#session.request({ ':method': 'GET', ':path': `${url.pathname}${url.search}`, ...request.headers }, { endStream: true });
    } catch (error) {
      // Node refuses to send some request fields (a connection-specific one in --header).
      this.record.error = (error as Error).message;
      this.#finish('error');
      return;
    }
    this.#stream = stream;
    stream.on('response', (headers: IncomingHttpHeaders) => {
      this.record.headAtMs = this.elapsedMs;
      this.record.status = Number(headers[':status']);
      for (const [name, value] of Object.entries(headers)) {
        for (const one of Array.isArray(value) ? value : [value]) this.record.headers.push([name, String(one)]);
      }
      this.#changes.notify();
    });
    stream.on('data', (bytes: Buffer) => {
      this.record.arrivals.push({ atMs: this.elapsedMs, offset: this.#bodyLength, length: bytes.length });
      this.#parts.push(bytes);
      this.#bodyLength += bytes.length;
      this.#changes.notify();
    });
    // The reset code is read on 'close'; the 'error' that comes before it says the same.
    stream.on('error', (error: Error) => (this.record.error = error.message));
    // A session that fails (TLS, ALPN) first closes its streams with a local INTERNAL_ERROR and
    // then emits its own error: judging the close one turn later lets that error name the end.
    stream.on('close', () =>
      setImmediate(() => {
        if (stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR) {
          this.record.rstCode = stream.rstCode;
          this.#finish('reset');
        } else this.#finish('complete');
      }),
    );
  }

  /** Milliseconds since the request was sent. */
  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** The body so far, as one Buffer. */
  get body(): Buffer {
    // Joined only when asked for: joining on every arrival would be O(N²).
    if (this.#parts.length > 1) this.#parts = [Buffer.concat(this.#parts, this.#bodyLength)];
    this.record.body = this.#parts[0] ?? Buffer.alloc(0);
    return this.record.body;
  }

  /** Whether the stream has ended. */
  get isEnded(): boolean {
    return this.record.end !== undefined;
  }

  /**
   * Waits until `condition` holds (checked on every change and at the end), for at most `timeoutMs`.
   *
   * @returns whether the condition held
   */
  waitFor(condition: (probe: H2Probe) => boolean, timeoutMs: number): Promise<boolean> {
    return this.#changes.waitFor(() => condition(this) || undefined, () => this.isEnded, timeoutMs).then((holds) => holds === true);
  }

  /** Closes the stream and the session (if still open) and resolves with the record. */
  close(): Promise<H2ProbeRecord> {
    this.#finish('stopped');
    return this.done;
  }

  #finish(end: H2ProbeEnd): void {
    if (this.record.end !== undefined) return;
    this.record.end = end;
    this.record.endAtMs = this.elapsedMs;
    clearTimeout(this.#timer);
    this.#stream?.close();
    this.#session.destroy();
    this.record.body = this.body;
    this.#changes.notify();
    this.#resolve(this.record);
  }
}

import { connect, type Socket } from 'node:net';

/**
 * A raw HTTP/1.1 exchange over node:net, written apart from the conformance suite's own probe so
 * the survey's evidence does not share its bugs: the request bytes go out as given, every byte that
 * comes back is kept with its arrival time, and the body is de-chunked here.
 *
 * Deliberately not `scripts/lib` nor the suite's `ChunkedDecoder`: the survey's evidence is a
 * second opinion on the suite's verdicts (an N-version check of the judge), so it reads the wire
 * with code of its own. Every other tool of `scripts/` reads through the suite's framing.
 */

/** One request, byte for byte. A Buffer header value is written exactly (hostile bytes). */
export interface RawRequest {
  readonly url: string;
  /** @defaultValue 'GET' */
  readonly method?: string;
  readonly headers?: readonly (readonly [string, string | Buffer])[];
  /** The exchange is cut after this long (a stream never ends by itself). */
  readonly durationMs: number;
  /** Stop early once this holds (checked after each arrival). */
  readonly stopWhen?: (exchange: RawExchange) => boolean;
}

/** A response head as it came. */
export interface RawHead {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly (readonly [string, string])[];
}

/** How an exchange ended. */
export type RawEnd = 'complete' | 'closed' | 'reset' | 'error' | 'cut';

/** Everything one exchange saw; times are ms since the request was written. */
export interface RawExchange {
  readonly request: Buffer;
  /** Every read from the socket, as it came. */
  readonly wire: { readonly atMs: number; readonly bytes: Buffer }[];
  head: RawHead | undefined;
  headAtMs: number | undefined;
  /** The body after de-chunking, with the arrival time of each piece. */
  readonly body: { readonly atMs: number; readonly bytes: Buffer }[];
  end: RawEnd | undefined;
  endAtMs: number | undefined;
  error: string | undefined;
}

/** The bytes of a request line and its headers. */
export function requestBytes(url: URL, method: string, headers: readonly (readonly [string, string | Buffer])[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`, 'latin1')];
  for (const [name, value] of headers) {
    parts.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('\r\n', 'latin1'));
  return Buffer.concat(parts);
}

/** Parses a response head from the bytes before the blank line; undefined when not HTTP/1.x. */
export function parseHead(text: string): RawHead | undefined {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (status === null) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(status[1]), reason: status[2] ?? '', headers };
}

/** The first value of a header, by case-insensitive name. */
export function header(head: RawHead | undefined, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head?.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** A de-chunker fed piece by piece; `done` once the zero chunk came. */
export class Dechunker {
  private pending = Buffer.alloc(0);
  private left = 0;
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';

  get done(): boolean {
    return this.state === 'done';
  }

  /** Returns the body bytes the piece completes; throws on a malformed size line. */
  push(piece: Buffer): Buffer {
    this.pending = Buffer.concat([this.pending, piece]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.state === 'size' || this.state === 'trailer') {
        const eol = this.pending.indexOf('\r\n');
        if (eol < 0) break;
        const line = this.pending.subarray(0, eol).toString('latin1');
        this.pending = this.pending.subarray(eol + 2);
        if (this.state === 'trailer') {
          if (line === '') this.state = 'done';
          continue;
        }
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!/^[0-9a-fA-F]+/.test(line) || !Number.isFinite(size)) throw new Error(`bad chunk size line ${JSON.stringify(line)}`);
        this.left = size;
        this.state = size === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data') {
        if (this.pending.length === 0) break;
        const take = Math.min(this.left, this.pending.length);
        out.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        this.left -= take;
        if (this.left === 0) this.state = 'data-crlf';
      } else if (this.state === 'data-crlf') {
        if (this.pending.length < 2) break;
        this.pending = this.pending.subarray(2);
        this.state = 'size';
      } else {
        break;
      }
    }
    return Buffer.concat(out);
  }
}

/** A running exchange; `done` settles when it ends or is cut. */
export interface RawHandle {
  readonly exchange: RawExchange;
  readonly done: Promise<RawExchange>;
  /** Cuts the exchange now (the client goes away). */
  cut(): void;
}

/** Starts one exchange; it never rejects: failures are recorded in `end`/`error`. */
export function open(request: RawRequest): RawHandle {
  const url = new URL(request.url);
  const bytes = requestBytes(url, request.method ?? 'GET', request.headers ?? []);
  const exchange: RawExchange = { request: bytes, wire: [], head: undefined, headAtMs: undefined, body: [], end: undefined, endAtMs: undefined, error: undefined };
  const started = performance.now();
  const now = (): number => Math.round(performance.now() - started);
  let socket: Socket | undefined;
  let settle: () => void = () => {};
  const done = new Promise<RawExchange>((resolve) => {
    settle = () => resolve(exchange);
  });
  const finish = (end: RawEnd, error?: string): void => {
    if (exchange.end !== undefined) return;
    exchange.end = end;
    exchange.endAtMs = now();
    if (error !== undefined) exchange.error = error;
    clearTimeout(timer);
    socket?.destroy();
    settle();
  };
  const timer = setTimeout(() => finish('cut'), request.durationMs);
  let headBuffer = Buffer.alloc(0);
  // A HEAD's answer has no body (RFC 9110 §9.3.2): the exchange stays open to see whether bytes come anyway.
  let framing: 'chunked' | 'length' | 'close' | 'none' | 'head' = 'close';
  let remaining = 0;
  const dechunker = new Dechunker();
  const onBody = (piece: Buffer): void => {
    let body = piece;
    if (framing === 'chunked') {
      try {
        body = dechunker.push(piece);
      } catch (error) {
        finish('error', (error as Error).message);
        return;
      }
    } else if (framing === 'length') {
      body = piece.subarray(0, remaining);
      remaining -= body.length;
    }
    if (body.length > 0) exchange.body.push({ atMs: now(), bytes: body });
    if ((framing === 'chunked' && dechunker.done) || (framing === 'length' && remaining <= 0) || framing === 'none') finish('complete');
  };
  socket = connect({ host: url.hostname, port: Number(url.port || 80) });
  socket.on('connect', () => socket?.write(bytes));
  socket.on('data', (data: Buffer) => {
    exchange.wire.push({ atMs: now(), bytes: data });
    if (exchange.head === undefined) {
      headBuffer = Buffer.concat([headBuffer, data]);
      const end = headBuffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = parseHead(headBuffer.subarray(0, end).toString('latin1'));
      if (head === undefined) {
        finish('error', 'not an HTTP/1.x response');
        return;
      }
      exchange.head = head;
      exchange.headAtMs = now();
      const te = header(head, 'transfer-encoding')?.toLowerCase() ?? '';
      const length = header(head, 'content-length');
      if (request.method === 'HEAD') framing = 'head';
      else if (head.status === 204 || head.status === 304) framing = 'none';
      else if (te.includes('chunked')) framing = 'chunked';
      else if (length !== undefined) {
        framing = 'length';
        remaining = Number(length);
      }
      onBody(headBuffer.subarray(end + 4));
    } else {
      onBody(data);
    }
    if (exchange.end === undefined && request.stopWhen?.(exchange) === true) finish('cut');
  });
  socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNRESET' ? 'reset' : 'error', error.code ?? error.message));
  socket.on('close', () => finish('closed'));
  return { exchange, done, cut: () => finish('cut') };
}

/** Runs one exchange to its end (or its duration). */
export function exchange(request: RawRequest): Promise<RawExchange> {
  return open(request).done;
}

/** The de-chunked body as text (UTF-8). */
export function bodyText(exchange: RawExchange): string {
  return Buffer.concat(exchange.body.map((b) => b.bytes)).toString('utf8');
}

/** Headers a browser's EventSource sends, plus any extra. */
export function browserHeaders(extra: readonly (readonly [string, string | Buffer])[] = []): [string, string | Buffer][] {
  return [['Accept', 'text/event-stream'], ['Cache-Control', 'no-cache'], ...extra.map(([n, v]): [string, string | Buffer] => [n, v])];
}

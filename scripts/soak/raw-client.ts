import { connect, type Socket } from 'node:net';
import { ChunkedDecoder } from 'sse-reference/conformance';
import { createStrictReader, type StrictReader } from '../lib/sse-reader.js';

/** Where and how a raw client connects. */
export interface RawTarget {
  readonly port: number;
  /** A loopback address to send from (127.0.0.2 … spreads clients over more source ports). */
  readonly localAddress?: string | undefined;
}

/** A response read byte by byte off a plain socket. */
export interface RawResponse {
  /** 0 until the status line arrived. */
  status: number;
  readonly headers: Map<string, string>;
  /** The de-chunked body, read by the suite's reader made strict (`scripts/lib/sse-reader.ts`). */
  readonly parser: StrictReader;
  /** How many body bytes came, de-chunked. */
  bodyBytes: number;
  /** The first 64 KiB of the body as text (for short answers like `/health`). */
  readonly text: () => string;
  /** The response ended as HTTP says it should (last chunk, full length, or close for a close-delimited body). */
  isComplete: boolean;
  /** The socket closed (for whatever reason). */
  isClosed: boolean;
  /** A socket error, if any (ECONNRESET when the server cut the stream). */
  error: string | undefined;
  /** When the socket connected, the head arrived, and the first body byte and event came. */
  readonly times: { start: number; head?: number; firstEvent?: number; closed?: number };
  readonly socket: Socket;
  /** Resolves when `predicate` holds, or with false after `timeoutMs` or when the socket closes first. */
  waitFor(predicate: (res: RawResponse) => boolean, timeoutMs: number): Promise<boolean>;
  /** Destroys the socket. */
  destroy(): void;
}

/** A plain GET for `path` with extra header lines (raw, so any byte can be sent). */
export function getRequest(path: string, headers: readonly string[] = []): Buffer {
  const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Accept: text/event-stream', ...headers, '', ''];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/**
 * Sends `request` on a fresh socket and reads the answer incrementally: status, headers, a
 * chunked, sized or close-delimited body, fed to the independent strict parser.
 *
 * Nothing here throws on a bad answer: every fact is recorded for the scenario to judge.
 */
export function rawRequest(target: RawTarget, request: Buffer | string | undefined, tap?: (body: Buffer) => void): RawResponse {
  const socket = connect({
    port: target.port,
    host: '127.0.0.1',
    ...(target.localAddress === undefined ? {} : { localAddress: target.localAddress }),
  });
  const waiters = new Set<() => void>();
  const res: RawResponse = {
    status: 0,
    headers: new Map(),
    parser: createStrictReader(() => {
      res.times.firstEvent ??= performance.now();
    }),
    bodyBytes: 0,
    text: () => Buffer.concat(kept).toString('utf8'),
    isComplete: false,
    isClosed: false,
    error: undefined,
    times: { start: performance.now() },
    socket,
    waitFor(predicate, timeoutMs) {
      if (predicate(res)) return Promise.resolve(true);
      if (res.isClosed) return Promise.resolve(false);
      return new Promise((resolve) => {
        const check = (): void => {
          if (predicate(res)) finish(true);
          else if (res.isClosed) finish(false);
        };
        const finish = (value: boolean): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        waiters.add(check);
      });
    },
    destroy: () => socket.destroy(),
  };
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let head: Buffer = Buffer.alloc(0);
  let isHeadDone = false;
  let mode: 'chunked' | 'length' | 'close' | 'none' = 'close';
  let remaining = 0;
  // The suite's decoder (RFC 9112 §7.1): it hands over a chunk's bytes as they come, so a large
  // event never waits for its whole chunk; a malformed size line is recorded, not thrown.
  const chunks = new ChunkedDecoder();

  const body = (bytes: Buffer): void => {
    if (bytes.length === 0) return;
    res.bodyBytes += bytes.length;
    if (keptBytes < 65_536) {
      kept.push(bytes);
      keptBytes += bytes.length;
    }
    res.parser.feed(bytes);
    tap?.(bytes);
  };

  const dechunk = (bytes: Buffer): void => {
    if (res.isComplete || res.error !== undefined) return;
    try {
      body(chunks.push(bytes));
    } catch (error) {
      res.error = `bad chunking: ${(error as Error).message}`;
      return;
    }
    if (chunks.isDone) res.isComplete = true;
  };

  const onHead = (text: string): void => {
    const [statusLine = '', ...lines] = text.split('\r\n');
    res.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) res.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    res.times.head = performance.now();
    if (res.headers.get('transfer-encoding') === 'chunked') mode = 'chunked';
    else if (res.headers.has('content-length')) {
      mode = 'length';
      remaining = Number(res.headers.get('content-length'));
      if (remaining === 0) res.isComplete = true;
    }
    if ((request?.toString('latin1') ?? '').startsWith('HEAD ') || res.status === 304 || res.status === 204) {
      mode = 'none';
      res.isComplete = true;
    }
  };

  socket.on('connect', () => {
    if (request !== undefined) socket.write(request);
  });
  socket.on('data', (data: Buffer) => {
    if (!isHeadDone) {
      head = Buffer.concat([head, data]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return notify();
      isHeadDone = true;
      onHead(head.subarray(0, end).toString('latin1'));
      data = head.subarray(end + 4);
    }
    if (mode === 'chunked') dechunk(data);
    else if (mode === 'length') {
      const part = data.subarray(0, remaining);
      remaining -= part.length;
      body(part);
      if (remaining === 0) res.isComplete = true;
    } else if (mode === 'close') body(data);
    notify();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    res.error = error.code ?? error.message;
  });
  socket.on('close', () => {
    res.isClosed = true;
    res.times.closed = performance.now();
    if (isHeadDone && mode === 'close' && res.error === undefined) res.isComplete = true;
    notify();
  });

  function notify(): void {
    for (const waiter of [...waiters]) waiter();
  }
  return res;
}

/** A GET of a short path (like `/health`) on its own connection; resolves with the status and body. */
export async function simpleGet(target: RawTarget, path: string, timeoutMs = 5000): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const res = rawRequest(target, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  await res.waitFor((r) => r.isComplete || r.isClosed, timeoutMs);
  res.destroy();
  return { status: res.status, body: res.text(), ms: performance.now() - started };
}

/**
 * Sends `request` (all at once, or byte by byte every `dribbleMs`) and collects every byte until
 * the server closes, `until` holds, or `timeoutMs` passes. For answers the incremental reader
 * does not model: pipelined responses, error pages, a connection the server drops.
 */
export function exchange(
  target: RawTarget,
  request: Buffer | string,
  options: { readonly timeoutMs?: number; readonly until?: (text: string) => boolean; readonly dribbleMs?: number } = {},
): Promise<{ text: string; isClosedByServer: boolean; ms: number; error: string | undefined }> {
  const started = performance.now();
  const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
  return new Promise((resolve) => {
    const socket = connect({
      port: target.port,
      host: '127.0.0.1',
      ...(target.localAddress === undefined ? {} : { localAddress: target.localAddress }),
    });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let dribble: NodeJS.Timeout | undefined;
    const finish = (isClosedByServer: boolean): void => {
      clearTimeout(timer);
      clearInterval(dribble);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), isClosedByServer, ms: performance.now() - started, error });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 3000);
    socket.on('connect', () => {
      if (options.dribbleMs === undefined) {
        socket.write(bytes);
        return;
      }
      let at = 0;
      dribble = setInterval(() => {
        if (at < bytes.length && !socket.destroyed) socket.write(bytes.subarray(at, ++at));
      }, options.dribbleMs);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.until?.(Buffer.concat(chunks).toString('latin1')) === true) finish(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => finish(true));
  });
}

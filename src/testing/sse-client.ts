import { request, type IncomingHttpHeaders } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createParser, type ParsedEvent } from '../protocol/parse.js';

/** A stream opened by {@link openStream}: everything received so far, parsed as a browser would. */
export interface TestStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as received, decoded as UTF-8. */
  readonly raw: () => string;
  readonly events: ParsedEvent[];
  readonly comments: string[];
  readonly retries: number[];
  /** The last event ID a browser would hold now (an id-only block moves it too): what it sends back. */
  readonly lastEventId: () => string;
  /** Resolves once the response has ended (server closed it). */
  readonly ended: Promise<void>;
  /** Resolves when `predicate` holds, rejects after `timeoutMs`. */
  waitFor(predicate: (stream: TestStream) => boolean, timeoutMs?: number): Promise<void>;
  /** Destroys the connection. */
  close(): void;
}

/**
 * Opens an event stream with `node:http` (or `node:https`, for an `https:` URL) over a real
 * socket, for tests. Not part of the public API.
 *
 * @param url - the stream URL
 * @param headers - extra request headers (e.g. `last-event-id`)
 * @param tls - for `https:`: the certificate authority to trust
 */
export function openStream(url: string, headers: Record<string, string> = {}, tls?: { ca: Buffer }): Promise<TestStream> {
  return new Promise((resolve, reject) => {
    const options = { headers: { accept: 'text/event-stream', ...headers }, agent: false, ...(tls === undefined ? {} : { ca: tls.ca }) };
    const req = (url.startsWith('https:') ? httpsRequest : request)(url, options, (res) => {
      // close() aborts the response on purpose; `ended` is how tests observe the end.
      res.on('error', () => {});
      resolve(collect(res, res.statusCode ?? 0, res.headers, () => req.destroy()));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens an event stream on an HTTP/2 session, for tests.
 *
 * @param session - a connected client session
 * @param path - the stream path
 * @param headers - extra request headers
 */
export function openH2Stream(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}): Promise<TestStream> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, accept: 'text/event-stream', ...headers });
    req.on('response', (responseHeaders) => {
      resolve(collect(req, Number(responseHeaders[':status']), responseHeaders as IncomingHttpHeaders, () => req.close()));
    });
    req.on('error', reject);
  });
}

function collect(body: Readable, status: number, headers: IncomingHttpHeaders, close: () => void): TestStream {
  const chunks: Buffer[] = [];
  const waiters = new Set<() => void>();
  const events: ParsedEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createParser({
    onEvent: (event) => events.push(event),
    onComment: (text) => comments.push(text),
    onRetry: (ms) => retries.push(ms),
  });
  const ended = new Promise<void>((done) => body.once('close', done));
  const stream: TestStream = {
    status,
    headers,
    raw: () => Buffer.concat(chunks).toString('utf8'),
    events,
    comments,
    retries,
    lastEventId: () => parser.lastEventId,
    ended,
    waitFor(predicate, timeoutMs = 3000) {
      if (predicate(stream)) return Promise.resolve();
      return new Promise((done, fail) => {
        const check = (): void => {
          if (!predicate(stream)) return;
          clearTimeout(timer);
          waiters.delete(check);
          done();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`condition not met in ${timeoutMs} ms; received: ${JSON.stringify(stream.raw().slice(-500))}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close,
  };
  body.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    parser.feed(chunk);
    for (const waiter of [...waiters]) waiter();
  });
  return stream;
}

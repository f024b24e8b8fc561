import { request, type IncomingHttpHeaders } from 'node:http';
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
  /** Resolves once the response has ended (server closed it). */
  readonly ended: Promise<void>;
  /** Resolves when `predicate` holds, rejects after `timeoutMs`. */
  waitFor(predicate: (stream: TestStream) => boolean, timeoutMs?: number): Promise<void>;
  /** Destroys the connection. */
  close(): void;
}

/**
 * Opens an event stream with `node:http` over a real socket, for tests. Not part of the public API.
 *
 * @param url - the stream URL
 * @param headers - extra request headers (e.g. `last-event-id`)
 */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<TestStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
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
      const ended = new Promise<void>((done) => res.once('close', done));
      const stream: TestStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => Buffer.concat(chunks).toString('utf8'),
        events,
        comments,
        retries,
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
        close: () => req.destroy(),
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        parser.feed(chunk);
        for (const waiter of [...waiters]) waiter();
      });
      // close() aborts the response on purpose; `ended` is how tests observe the end.
      res.on('error', () => {});
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

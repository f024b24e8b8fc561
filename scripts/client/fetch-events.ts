import { createParser, type ParsedEvent } from 'sse-reference';

/** What {@link fetchEvents} needs: where to send events, and how to stop. */
export interface FetchEventsOptions {
  /** Every dispatched event, as an `EventSource` listener would get it. */
  readonly onEvent: (event: ParsedEvent) => void;
  /** Aborting it ends the stream and the reconnect loop; `fetchEvents` then resolves. */
  readonly signal: AbortSignal;
  /**
   * Headers of your own: what an `EventSource` cannot send (an `Authorization`, say). A function
   * is called before every request, so each reconnect can carry a token refreshed meanwhile.
   */
  readonly headers?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);
  /** A position to resume from on the first request, e.g. one saved across page loads. */
  readonly lastEventId?: string;
  /** The wait before a reconnect until the server sends `retry:`. @defaultValue 3000 */
  readonly retryMs?: number;
  /** Called before each reconnect with the delay, for logs or a status line. */
  readonly onReconnect?: (delayMs: number) => void;
}

/** The server answered something that is not an event stream: a reconnect would not help. */
export class StreamRefusedError extends Error {
  override readonly name = 'StreamRefusedError';
  constructor(
    readonly status: number,
    readonly contentType: string,
  ) {
    super(`not an event stream: ${status} ${contentType === '' ? '(no Content-Type)' : contentType}`);
  }
}

/**
 * Reads an event stream with `fetch()` and reconnects the way `EventSource` does: after the
 * server's `retry:` delay, with `Last-Event-ID`, until the signal aborts. Unlike `EventSource` it
 * can send headers. Runs in browsers and in Node (global `fetch`).
 *
 * @returns when the signal aborts or the server answers `204` (its way of saying stop)
 * @throws {@link StreamRefusedError} on any other non-200 answer or a wrong media type, as
 *   `EventSource` then fails for good; whatever a `headers` function throws, unchanged
 */
export async function fetchEvents(url: string, options: FetchEventsOptions): Promise<void> {
  const { signal } = options;
  let lastEventId = options.lastEventId ?? '';
  let retryMs = options.retryMs ?? 3000;
  while (!signal.aborted) {
    // #region fetch-events
    const own = typeof options.headers === 'function' ? await options.headers() : options.headers;
    const headers: Record<string, string> = { accept: 'text/event-stream', ...own };
    if (lastEventId !== '') headers['last-event-id'] = lastEventId;
    let res: Response | undefined;
    try {
      res = await fetch(url, { headers, signal });
    } catch {
      // A network error (or the abort): EventSource would wait and try again.
    }
    if (res !== undefined) {
      const type = res.headers.get('content-type') ?? '';
      if (res.status === 204) return;
      if (res.status !== 200 || !/^text\/event-stream\s*(;|$)/i.test(type)) {
        await res.body?.cancel();
        throw new StreamRefusedError(res.status, type);
      }
      // The parser starts from the id we hold: a stream that sends none keeps it, as browsers do.
      const parser = createParser({ onEvent: options.onEvent, onRetry: (ms) => (retryMs = ms) }, lastEventId);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      try {
        for (let read = await reader.read(); !read.done; read = await reader.read()) parser.feed(read.value);
      } catch {
        // The connection dropped mid-stream: the same as an end, below.
      }
      parser.end();
      lastEventId = parser.lastEventId;
    }
    if (signal.aborted) return;
    options.onReconnect?.(retryMs);
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, retryMs);
      signal.addEventListener('abort', wake);
    });
    // #endregion fetch-events
  }
}

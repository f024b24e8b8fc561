import { createParser } from '../protocol/parse.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

// This module runs in browsers as well as Node: no `node:` import, no Buffer, no process.

/** One event from the server, as a listener receives it. */
export interface ClientMessage<T = unknown> {
  /** The event type: the `event:` field, or `message`. */
  readonly type: string;
  /** The data lines joined with LF, as the server's encoder split them. */
  readonly data: string;
  /** The client's cursor after this event: what it sends back as `Last-Event-ID`. */
  readonly id: string;
  /** `JSON.parse(data)`, for events the server serialized from an object. */
  json(): T;
}

/** What the server's `reset` event says: the client could not be resumed exactly. */
export interface ResetMessage extends ClientMessage {
  /** Why: `invalid`, `epoch`, `expired` or `unknown` (from this server), `''` when the data does not say. */
  readonly reason: string;
}

/** A connection that failed or ended; the client tries again unless it was closed. */
export interface ClientFailure {
  /** The HTTP status when the server answered with something other than an event stream. */
  readonly status?: number;
  /** What went wrong, in one sentence. */
  readonly message: string;
  /** When the next attempt starts; undefined when the browser's `EventSource` retries on its own schedule. */
  readonly retryInMs: number | undefined;
}

/** The part of the browser's `EventSource` the client uses. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: string, listener: (event: { readonly data: string; readonly lastEventId: string }) => void): void;
  close(): void;
}

/** A constructor like the browser's `EventSource`. */
export type EventSourceConstructor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;

/** Options of {@link SseClient}. */
export interface SseClientOptions {
  /**
   * `eventsource` uses the runtime's `EventSource`; `fetch` reads the stream with `fetch()` and this
   * package's parser, and is the only way to send custom headers.
   * @defaultValue `eventsource` where `EventSource` exists and no `headers` are given, else `fetch`
   */
  readonly transport?: 'eventsource' | 'fetch';
  /** Request headers, e.g. `Authorization` (fetch transport only). @defaultValue none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send cookies cross-origin. @defaultValue false */
  readonly withCredentials?: boolean;
  /** The cursor to start from, e.g. one stored across page loads. @defaultValue none */
  readonly lastEventId?: string;
  /** The reconnection delay after a stream ends, until the server's `retry:` says otherwise (fetch transport). @defaultValue 3000 */
  readonly retryMs?: number;
  /** The delays after failed connections (a status other than 200, a wrong media type, a network error). */
  readonly backoff?: BackoffOptions;
  /** The `EventSource` to use. @defaultValue globalThis.EventSource */
  readonly EventSource?: EventSourceConstructor;
  /** The `fetch` to use. @defaultValue globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** A source in [0, 1) for the backoff's jitter. @defaultValue Math.random */
  readonly random?: () => number;
}

/** Where the client is: connecting (or waiting to), reading an open stream, or closed for good. */
export type ClientState = 'connecting' | 'open' | 'closed';

const CLOSED = 2;
const runtime = globalThis as { EventSource?: EventSourceConstructor; location?: { href: string } };
const EVENT_STREAM = /^text\/event-stream(\s*;|\s*$)/i;

/**
 * A client for an SSE endpoint that resumes instead of giving up.
 *
 * - It keeps the cursor (the last event id) itself, and a source that must be re-created starts
 *   from it through `?lastEventId=`, which this package's server reads when no header is sent.
 * - A browser `EventSource` that went `CLOSED` (a 5xx during a deploy, a proxy's error page) never
 *   comes back by itself; this client re-creates it after a jittered, doubling delay.
 * - The server's `reset` event reaches `on('reset')` with its reason: the app must refetch state.
 *
 * @example
 * ```ts
 * import { SseClient } from 'sse-reference/client';
 *
 * const client = new SseClient<{ price: { eur: number } }>('/feed');
 * client.on('price', (message) => show(message.json().eur));
 * client.on('reset', ({ reason }) => reloadEverything(reason));
 * ```
 */
export class SseClient<Events extends Record<string, unknown> = Record<string, unknown>> {
  readonly url: string;
  readonly #options: SseClientOptions;
  readonly #transport: 'eventsource' | 'fetch';
  readonly #listeners = new Map<string, Set<(message: never) => void>>();
  readonly #openListeners = new Set<() => void>();
  readonly #errorListeners = new Set<(failure: ClientFailure) => void>();
  #cursor: string;
  #state: ClientState = 'connecting';
  #failures = 0;
  #retryMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #source: EventSourceLike | undefined;
  readonly #sourceTypes = new Set<string>();
  #abort: AbortController | undefined;

  /**
   * Connects at once.
   *
   * @param url - the stream's URL; relative URLs resolve against the page in a browser
   * @throws TypeError when the chosen transport does not exist here, or headers are given to `EventSource`
   */
  constructor(url: string | URL, options: SseClientOptions = {}) {
    this.url = new URL(url, runtime.location?.href).href;
    this.#options = options;
    this.#cursor = options.lastEventId ?? '';
    this.#retryMs = options.retryMs ?? 3000;
    const hasEventSource = (options.EventSource ?? runtime.EventSource) !== undefined;
    this.#transport = options.transport ?? (hasEventSource && options.headers === undefined ? 'eventsource' : 'fetch');
    if (this.#transport === 'eventsource') {
      if (!hasEventSource) throw new TypeError('No EventSource here: pass { transport: "fetch" } or an EventSource implementation.');
      if (options.headers !== undefined) throw new TypeError('EventSource cannot send headers: use { transport: "fetch" } with headers.');
      this.#openSource();
    } else {
      if ((options.fetch ?? globalThis.fetch) === undefined) throw new TypeError('No fetch here: pass a fetch implementation.');
      void this.#runFetch();
    }
  }

  /** The last event id received: sent back on every reconnect. */
  get lastEventId(): string {
    return this.#cursor;
  }

  /** `connecting`, `open` or `closed`. */
  get state(): ClientState {
    return this.#state;
  }

  /**
   * Listens to one event type (`message` for events without a name). `reset` listeners get the
   * reason too.
   *
   * @returns a function that removes the listener
   */
  on(type: 'reset', listener: (message: ResetMessage) => void): () => void;
  on<K extends keyof Events & string>(type: K, listener: (message: ClientMessage<Events[K]>) => void): () => void;
  on(type: string, listener: (message: ClientMessage) => void): () => void;
  on(type: string, listener: (message: never) => void): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    this.#listenOnSource(type);
    return () => set.delete(listener);
  }

  // A method, not a comparison inline: listeners may close the client between two awaits.
  get #isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** Runs `listener` each time a stream opens. @returns a function that removes it */
  onOpen(listener: () => void): () => void {
    this.#openListeners.add(listener);
    return () => this.#openListeners.delete(listener);
  }

  /** Runs `listener` each time a connection fails or ends. @returns a function that removes it */
  onError(listener: (failure: ClientFailure) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /** Closes the stream for good: no more events, no reconnect. Idempotent. */
  close(): void {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#source?.close();
    this.#source = undefined;
    this.#abort?.abort();
  }

  /** The URL of a new connection: with the cursor, since a new `EventSource` cannot send the header. */
  #connectUrl(): string {
    const url = new URL(this.url);
    if (this.#cursor !== '') url.searchParams.set('lastEventId', this.#cursor);
    return url.href;
  }

  #openSource(): void {
    const Source = (this.#options.EventSource ?? runtime.EventSource) as EventSourceConstructor;
    const source = new Source(this.#connectUrl(), { withCredentials: this.#options.withCredentials ?? false });
    this.#source = source;
    this.#sourceTypes.clear();
    for (const type of ['message', 'reset', ...this.#listeners.keys()]) this.#listenOnSource(type);
    source.onopen = () => this.#opened();
    source.onerror = () => {
      if (this.#source !== source) return;
      // [spec] CONNECTING: the browser reconnects by itself, with the Last-Event-ID header.
      // CLOSED: it gave up for good (a status other than 200, a wrong media type); only a new
      // EventSource tries again, and it starts from the cursor through the query.
      if (source.readyState !== CLOSED) {
        this.#state = 'connecting';
        this.#failed({ message: 'The stream was interrupted; the EventSource reconnects.', retryInMs: undefined });
        return;
      }
      source.close();
      this.#state = 'connecting';
      const retryInMs = this.#backoff();
      this.#failed({ message: 'The EventSource gave up (a status other than 200, or not an event stream).', retryInMs });
      if (!this.#isClosed) this.#timer = setTimeout(() => this.#openSource(), retryInMs);
    };
  }

  #listenOnSource(type: string): void {
    const source = this.#source;
    if (source === undefined || this.#sourceTypes.has(type)) return;
    this.#sourceTypes.add(type);
    source.addEventListener(type, (event) => {
      if (this.#source !== source) return;
      this.#cursor = event.lastEventId;
      this.#dispatch(type, event.data);
    });
  }

  async #runFetch(): Promise<void> {
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    while (!this.#isClosed) {
      const abort = new AbortController();
      this.#abort = abort;
      let delayMs: number;
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream', ...this.#options.headers };
        if (this.#cursor !== '') headers['last-event-id'] = this.#cursor;
        // [spec] EventSource fetches with cache mode no-store; Node's RequestInit type lacks `cache`.
        const init = {
          headers,
          signal: abort.signal,
          cache: 'no-store',
          credentials: this.#options.withCredentials === true ? 'include' : 'same-origin',
        } as RequestInit;
        const response = await fetchImpl(this.url, init);
        // [spec] 204 No Content: the server asks the client not to reconnect.
        if (response.status === 204) {
          this.close();
          return;
        }
        const type = response.headers.get('content-type') ?? '';
        if (response.status !== 200 || !EVENT_STREAM.test(type) || response.body === null) {
          await response.body?.cancel();
          delayMs = this.#backoff();
          this.#failed({ status: response.status, message: `Answered ${response.status} ${type || 'without a Content-Type'}, not an event stream.`, retryInMs: delayMs });
        } else {
          this.#opened();
          await this.#read(response.body);
          if (this.#isClosed) return;
          this.#state = 'connecting';
          // [spec] a stream that ended is reestablished after the reconnection time.
          delayMs = this.#retryMs;
          this.#failed({ message: 'The stream ended.', retryInMs: delayMs });
        }
      } catch (error) {
        if (this.#isClosed) return;
        this.#state = 'connecting';
        // A network error before or during the stream: back off, but never below the server's hint.
        delayMs = Math.max(this.#retryMs, this.#backoff());
        this.#failed({ message: `Network error: ${(error as Error).message}`, retryInMs: delayMs });
      }
      if (this.#isClosed) return;
      await new Promise<void>((resolve) => (this.#timer = setTimeout(resolve, delayMs)));
    }
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    let parserCursor = '';
    const parser = createParser({
      onEvent: (event) => {
        parserCursor = event.lastEventId;
        this.#cursor = event.lastEventId;
        this.#dispatch(event.type, event.data);
      },
      onRetry: (retryMs) => {
        this.#retryMs = retryMs;
      },
    });
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
        // A block with an id and no data moves the cursor without dispatching an event.
        if (parser.lastEventId !== parserCursor) this.#cursor = parserCursor = parser.lastEventId;
      }
    } finally {
      reader.releaseLock();
    }
    parser.end();
  }

  #opened(): void {
    this.#state = 'open';
    this.#failures = 0;
    for (const listener of this.#openListeners) listener();
  }

  #backoff(): number {
    return backoffDelay(this.#failures++, this.#options.backoff, this.#options.random);
  }

  #failed(failure: ClientFailure): void {
    for (const listener of this.#errorListeners) listener(failure);
  }

  #dispatch(type: string, data: string): void {
    const listeners = this.#listeners.get(type);
    if (listeners === undefined || listeners.size === 0) return;
    const id = this.#cursor;
    const message: ClientMessage & { reason?: string } = { type, data, id, json: () => JSON.parse(data) as unknown };
    if (type === 'reset') message.reason = resetReason(data);
    for (const listener of listeners) {
      try {
        (listener as (message: ClientMessage) => void)(message);
      } catch (error) {
        // One listener's bug must neither stop the others nor the stream; it is reported, not swallowed.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** The `reason` of a `reset` event's JSON data, or `''` when it has none. */
function resetReason(data: string): string {
  try {
    const parsed = JSON.parse(data) as { reason?: unknown } | null;
    return typeof parsed?.reason === 'string' ? parsed.reason : '';
  } catch {
    // Another server's reset may carry plain text: the event still reaches the app.
    return '';
  }
}

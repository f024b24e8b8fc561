import { createParser } from '../protocol/parse.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { ClientFailure, ClientMessage, ClientState, JsonMessage, ResetMessage } from './messages.js';
import { TabLeader, type TabMessage } from './tab-leader.js';
import { Watchdog } from './watchdog.js';

// This module runs in browsers as well as Node: no `node:` import, no Buffer, no process.

/**
 * The part of an `EventSource` the client uses: the browser's, Node's, or the `eventsource`
 * package's. It listens to `open` and `error` with `addEventListener` too, so no `onopen` type has
 * to match: each implementation's handlers take its own `Event` type.
 */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { readonly data: string; readonly lastEventId: string }) => void): void;
  close(): void;
}

/** A constructor like the browser's `EventSource`. */
export type EventSourceConstructor = new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike;

/** Options of {@link SseClient}. */
export interface SseClientOptions {
  /**
   * `eventsource` uses the runtime's `EventSource`; `fetch` reads the stream with `fetch()` and this
   * package's parser. `headers`, `heartbeatMs` and `shared` need `fetch`: each needs what an
   * `EventSource` does not give (a header, the heartbeat comments, every event type).
   * @defaultValue `eventsource` where `EventSource` exists and none of those is given, else `fetch`
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
  /**
   * The server's heartbeat interval, which turns on the watchdog: a stream that brings no byte (no
   * event, no heartbeat comment) for twice as long is taken for dead, closed and reconnected from
   * the last id. No browser does this by itself. Fetch transport only. @defaultValue 0, no watchdog
   */
  readonly heartbeatMs?: number;
  /**
   * One stream for every tab of this browser that opens this URL with `shared`: one tab (elected
   * with Web Locks) reads it and passes it to the others over BroadcastChannel; when its tab
   * closes, another resumes from the last id. A tab that joins gets the events from then on. Where
   * either API is missing (Node 20, a page not served over HTTPS or from localhost), each client
   * reads its own stream. Fetch transport only. @defaultValue false
   */
  readonly shared?: boolean;
  /** The `EventSource` to use. @defaultValue globalThis.EventSource */
  readonly EventSource?: EventSourceConstructor;
  /** The `fetch` to use. @defaultValue globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** A source in [0, 1) for the backoff's jitter. @defaultValue Math.random */
  readonly random?: () => number;
}

const CLOSED = 2;
const runtime = globalThis as { EventSource?: EventSourceConstructor; location?: { href: string } };
const EVENT_STREAM = /^text\/event-stream(\s*;|\s*$)/i;

// Why each of these options cannot work on an EventSource.
const NEEDS_FETCH = {
  headers: 'EventSource cannot send headers: use { transport: "fetch" } with headers.',
  heartbeatMs: 'EventSource hides the heartbeat comments, so its watchdog would close every quiet stream: use { transport: "fetch" } with heartbeatMs.',
  shared: 'A shared stream passes on every event type, and EventSource delivers only the types listened to: use { transport: "fetch" } with shared.',
} as const;

/**
 * A client for an SSE endpoint that resumes instead of giving up.
 *
 * - It keeps the cursor (the last event id) itself, and a source that must be re-created starts
 *   from it through `?lastEventId=`, which this package's server reads when no header is sent.
 * - A browser `EventSource` that went `CLOSED` (a 5xx during a deploy, a proxy's error page) never
 *   comes back by itself; this client re-creates it after a jittered, doubling delay.
 * - The server's `reset` event reaches `on('reset')` with its reason: the app must refetch state.
 * - With `heartbeatMs`, a silent stream is reconnected; with `shared`, the tabs share one stream.
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
export class SseClient<Events extends object = Record<string, unknown>> {
  readonly url: string;
  readonly #options: SseClientOptions;
  readonly #transport: 'eventsource' | 'fetch';
  readonly #silenceMs: number;
  readonly #tabs: TabLeader | undefined;
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
   * Connects at once (with `shared`, once this tab leads; until then it follows the tab that does).
   *
   * @param url - the stream's URL; relative URLs resolve against the page in a browser
   * @throws TypeError when the chosen transport does not exist here, or cannot do what an option asks
   * @throws RangeError when `heartbeatMs` is not a whole number of milliseconds
   */
  constructor(url: string | URL, options: SseClientOptions = {}) {
    this.url = new URL(url, runtime.location?.href).href;
    this.#options = options;
    this.#cursor = options.lastEventId ?? '';
    this.#retryMs = options.retryMs ?? 3000;
    const heartbeatMs = options.heartbeatMs ?? 0;
    if (!Number.isInteger(heartbeatMs) || heartbeatMs < 0) {
      throw new RangeError(`heartbeatMs must be a whole number of milliseconds (0 for no watchdog), got ${heartbeatMs}.`);
    }
    this.#silenceMs = 2 * heartbeatMs;
    const needsFetch = options.headers !== undefined ? 'headers' : heartbeatMs > 0 ? 'heartbeatMs' : options.shared === true ? 'shared' : undefined;
    const hasEventSource = (options.EventSource ?? runtime.EventSource) !== undefined;
    this.#transport = options.transport ?? (hasEventSource && needsFetch === undefined ? 'eventsource' : 'fetch');
    if (this.#transport === 'eventsource') {
      if (!hasEventSource) throw new TypeError('No EventSource here: pass { transport: "fetch" } or an EventSource implementation.');
      if (needsFetch !== undefined) throw new TypeError(NEEDS_FETCH[needsFetch]);
    } else if ((options.fetch ?? globalThis.fetch) === undefined) {
      throw new TypeError('No fetch here: pass a fetch implementation.');
    }
    if (options.shared === true && TabLeader.isAvailable()) {
      // Tabs share a stream only when they ask for the same one: the same URL and headers.
      const name = `sse-reference ${this.url} ${JSON.stringify(options.headers ?? {})}`;
      this.#tabs = new TabLeader(name, () => this.#lead(), (message) => this.#receive(message));
      this.#tabs.post({ kind: 'hello' });
    } else {
      this.#connect();
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
   * Listens to one event type (`message` for events without a name): with an event map, one of
   * its names. `reset` listeners get the reason too.
   *
   * @returns a function that removes the listener
   */
  on(type: 'reset', listener: (message: ResetMessage) => void): () => void;
  on<K extends keyof Events & string>(type: K, listener: (message: ClientMessage<Events[K]>) => void): () => void;
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

  /** Closes the stream for good: no more events, no reconnect; a shared stream passes to another tab. Idempotent. */
  close(): void {
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#source?.close();
    this.#source = undefined;
    this.#abort?.abort();
    this.#tabs?.close();
  }

  #connect(): void {
    if (this.#transport === 'eventsource') this.#openSource();
    else void this.#runFetch();
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
    source.addEventListener('open', () => {
      if (this.#source === source) this.#opened();
    });
    source.addEventListener('error', () => {
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
    });
  }

  #listenOnSource(type: string): void {
    const source = this.#source;
    if (source === undefined || this.#sourceTypes.has(type)) return;
    this.#sourceTypes.add(type);
    source.addEventListener(type, (event) => {
      if (this.#source === source) this.#deliver(event.lastEventId, { type, data: event.data });
    });
  }

  async #runFetch(): Promise<void> {
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    while (!this.#isClosed) {
      // #region watchdog-use
      const abort = new AbortController();
      this.#abort = abort;
      const watchdog = this.#silenceMs > 0 ? new Watchdog(this.#silenceMs, () => abort.abort()) : undefined;
      // #endregion watchdog-use
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
        watchdog?.kick();
        // [spec] 204 No Content: the server asks the client not to reconnect.
        if (response.status === 204) {
          this.#post({ kind: 'closed' });
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
          await this.#read(response.body, watchdog);
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
        const message =
          watchdog?.hasFired === true
            ? `No byte for ${this.#silenceMs} ms, twice the heartbeat: the connection is taken for dead.`
            : `Network error: ${(error as Error).message}`;
        this.#failed({ message, retryInMs: delayMs });
      } finally {
        watchdog?.stop();
      }
      if (this.#isClosed) return;
      await new Promise<void>((resolve) => (this.#timer = setTimeout(resolve, delayMs)));
    }
  }

  async #read(body: ReadableStream<Uint8Array>, watchdog: Watchdog | undefined): Promise<void> {
    // [spec] the last event id belongs to the client, not to one connection.
    const parser = createParser(
      {
        onEvent: (event) => this.#deliver(event.lastEventId, event),
        onRetry: (retryMs) => {
          this.#retryMs = retryMs;
        },
      },
      this.#cursor,
    );
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        watchdog?.kick();
        parser.feed(value);
        // A block with an id and no data moves the cursor without dispatching an event.
        if (parser.lastEventId !== this.#cursor && !this.#isClosed) this.#deliver(parser.lastEventId);
      }
    } finally {
      reader.releaseLock();
    }
    parser.end();
  }

  /** Starts to read the stream for the other tabs, from the cursor they all hold. */
  #lead(): void {
    this.#state = 'connecting';
    this.#post({ kind: 'state', state: 'connecting', cursor: this.#cursor });
    this.#connect();
  }

  // #region follow
  /** What the other tabs post: a follower takes the leader's stream as its own; the leader answers a newcomer. */
  #receive(message: TabMessage): void {
    if (this.#isClosed) return;
    if (this.#tabs?.isLeader === true) {
      if (message.kind === 'hello') this.#post({ kind: 'state', state: this.#state, cursor: this.#cursor });
      return;
    }
    switch (message.kind) {
      case 'event':
        this.#deliver(message.id, message.event);
        break;
      case 'state':
        this.#cursor = message.cursor;
        if (message.state === 'open') this.#becomeOpen();
        else this.#state = message.state;
        break;
      case 'failure':
        this.#state = 'connecting';
        this.#failed(message.failure);
        break;
      case 'closed':
        this.close();
        break;
      case 'hello':
        // Another newcomer: the leader answers it.
        break;
    }
  }

  /** Posts to the other tabs, when this one leads. */
  #post(message: TabMessage): void {
    if (this.#tabs?.isLeader === true && !this.#isClosed) this.#tabs.post(message);
  }

  /** The cursor moves to `id`, with an event or without one; the other tabs hear of it first. */
  #deliver(id: string, event?: { readonly type: string; readonly data: string }): void {
    this.#cursor = id;
    this.#post(event === undefined ? { kind: 'event', id } : { kind: 'event', id, event: { type: event.type, data: event.data } });
    if (event !== undefined) this.#dispatch(event.type, event.data);
  }
  // #endregion follow

  #opened(): void {
    this.#failures = 0;
    this.#becomeOpen();
    this.#post({ kind: 'state', state: 'open', cursor: this.#cursor });
  }

  #becomeOpen(): void {
    if (this.#state === 'open') return;
    this.#state = 'open';
    for (const listener of this.#openListeners) listener();
  }

  #backoff(): number {
    return backoffDelay(this.#failures++, this.#options.backoff, this.#options.random);
  }

  #failed(failure: ClientFailure): void {
    this.#post({ kind: 'failure', failure });
    for (const listener of this.#errorListeners) listener(failure);
  }

  #dispatch(type: string, data: string): void {
    const listeners = this.#listeners.get(type);
    if (listeners === undefined || listeners.size === 0) return;
    const message: JsonMessage & { reason?: string } = { type, data, id: this.#cursor, json: () => JSON.parse(data) as unknown };
    if (type === 'reset') message.reason = resetReason(data);
    for (const listener of listeners) {
      try {
        (listener as (message: JsonMessage) => void)(message);
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

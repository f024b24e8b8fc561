import type { ClientFailure, ClientState } from './messages.js';

// This module runs in browsers: Web Locks elect one tab, BroadcastChannel carries its stream to the
// others. Both are reached through globalThis, so it compiles and loads where they do not exist.

/** What the tabs sharing one stream tell each other, in the order the leader posts it. */
export type TabMessage =
  /** A tab joined: the leader answers with its state. */
  | { readonly kind: 'hello' }
  | { readonly kind: 'state'; readonly state: ClientState; readonly cursor: string }
  /** The cursor moved to `id`, with an event, or without one (a block with an id and no data). */
  | { readonly kind: 'event'; readonly id: string; readonly event?: { readonly type: string; readonly data: string } }
  | { readonly kind: 'failure'; readonly failure: ClientFailure }
  /** The server answered 204: every tab stops. */
  | { readonly kind: 'closed' };

/** The marker a new leader sends itself, see {@link TabLeader}. */
interface Marker {
  readonly kind: 'drained';
  readonly token: string;
}

interface LockManagerLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

interface ChannelLike {
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  postMessage(message: unknown): void;
  close(): void;
}

// Through unknown: lib.dom and @types/node each type these globals their own way.
const runtime = globalThis as unknown as {
  navigator?: { locks?: LockManagerLike };
  BroadcastChannel?: new (name: string) => ChannelLike;
};

/**
 * One tab of those that share a stream. Each asks for the same Web Lock; the lock's holder leads
 * (reads the stream and posts what it reads), the others wait in the lock's queue and follow. When
 * the leader's tab closes, the browser releases its lock and the tab that waited longest leads.
 *
 * Before it leads, a new leader drains what the old one posted: it sends a marker from a second
 * channel object, which arrives behind every message already queued here (a channel's messages
 * reach each tab in the order they were posted). Its cursor is then the last one relayed, the same
 * as every follower's, and the server's replay from it repeats nothing and skips nothing.
 */
export class TabLeader {
  readonly #channel: ChannelLike;
  readonly #abort = new AbortController();
  readonly #token = Math.random().toString(36).slice(2);
  readonly #closed: Promise<void>;
  #close: () => void = () => {};
  #isLeader = false;

  /** Whether this runtime has Web Locks and BroadcastChannel (a browser's secure context). */
  static isAvailable(): boolean {
    return runtime.navigator?.locks !== undefined && runtime.BroadcastChannel !== undefined;
  }

  /**
   * Joins the tabs that share `name` and queues for the lead at once.
   *
   * @param lead - called once, when this tab starts to lead
   * @param receive - every message another tab (or another client in this one) posts
   */
  constructor(name: string, lead: () => void, receive: (message: TabMessage) => void) {
    const Channel = runtime.BroadcastChannel as new (name: string) => ChannelLike;
    this.#channel = new Channel(name);
    this.#closed = new Promise((resolve) => (this.#close = resolve));
    const startLeading = (): void => {
      this.#isLeader = true;
      lead();
    };
    // #region lead
    let drained: () => void = () => {};
    const isDrained = new Promise<void>((resolve) => (drained = resolve));
    this.#channel.addEventListener('message', ({ data }) => {
      const message = data as TabMessage | Marker;
      if (message.kind !== 'drained') receive(message);
      else if (message.token === this.#token) drained();
    });
    (runtime.navigator?.locks as LockManagerLike)
      .request(name, { signal: this.#abort.signal }, async () => {
        const marker = new Channel(name);
        marker.postMessage({ kind: 'drained', token: this.#token } satisfies Marker);
        marker.close();
        await Promise.race([isDrained, this.#closed]);
        if (this.#abort.signal.aborted) return;
        startLeading();
        // The lock is held while this promise is pending: until close(), or the tab goes away.
        await this.#closed;
      })
      .catch((error: unknown) => {
        // close() before this tab led takes it out of the queue: that is no failure.
        if (this.#abort.signal.aborted) return;
        // Any other refusal (a sandboxed frame): read the stream alone, and say why.
        startLeading();
        throw error;
      });
    // #endregion lead
  }

  /** Whether this tab reads the stream for the others. */
  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** Posts to every other tab (and every other client in this one) sharing the stream. */
  post(message: TabMessage): void {
    this.#channel.postMessage(message);
  }

  /** Leaves: gives up the lead, or the place in the queue. Idempotent. */
  close(): void {
    this.#abort.abort();
    this.#close();
    this.#channel.close();
  }
}

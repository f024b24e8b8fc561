// What an SseClient hands to the app: messages typed by the event map, failures, its state.

/** An event whose data was sent as text: `data` is the value itself. */
export interface TextMessage<T extends string = string> {
  /** The event type: the `event:` field, or `message`. */
  readonly type: string;
  /** The data lines joined with LF: the string the server published. */
  readonly data: T;
  /** The client's cursor after this event: what it sends back as `Last-Event-ID`. */
  readonly id: string;
}

/** An event whose data was sent as JSON: `json()` reads the value back. */
export interface JsonMessage<T = unknown> {
  /** The event type: the `event:` field, or `message`. */
  readonly type: string;
  /** The data lines joined with LF, as the server's encoder split them. */
  readonly data: string;
  /** The client's cursor after this event: what it sends back as `Last-Event-ID`. */
  readonly id: string;
  /** `JSON.parse(data)`. @throws SyntaxError when the data is not JSON */
  json(): T;
}

/**
 * One event from the server, typed by what its event map says was published. `Channel` writes a
 * string as it is and any other value as JSON, so the message mirrors that:
 *
 * - a string type (`string`, `'on' | 'off'`): a {@link TextMessage}, whose `data` is the value;
 * - a type with no string in it (`{ eur: number }`, `number[]`): a {@link JsonMessage} whose
 *   `json()` returns it;
 * - `unknown` (no map), or a union of strings and other values: `json()` returns `unknown`, since
 *   the wire cannot tell the string `"5"` from the number `5`.
 */
export type ClientMessage<T = unknown> = unknown extends T
  ? JsonMessage<unknown>
  : [T] extends [string]
    ? TextMessage<T & string>
    : [Extract<T, string>] extends [never]
      ? JsonMessage<T>
      : JsonMessage<unknown>;

/** What the server's `reset` event says: the client could not be resumed exactly. */
export interface ResetMessage extends JsonMessage<unknown> {
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

/** Where the client is: connecting (or waiting to), reading an open stream, or closed for good. */
export type ClientState = 'connecting' | 'open' | 'closed';

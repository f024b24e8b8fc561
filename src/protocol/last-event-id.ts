/**
 * A position in a channel's history: the epoch the server was started with and a sequence
 * number inside it. On the wire it is `<epoch>-<seq>`, e.g. `3f9a0c1b2d4e-42`.
 */
export interface EventPosition {
  readonly epoch: string;
  readonly seq: number;
}

/** What a `Last-Event-ID` header says, after strict parsing. Never thrown: always returned. */
export type LastEventIdResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly detail: string }
  | ({ readonly kind: 'position' } & EventPosition);

/**
 * Ids are at most this long. An EventSource never preflights its reconnect; a fetch()-based
 * client that sends Last-Event-ID is preflighted today, and the pending Fetch change that would
 * spare it (whatwg/fetch#1788) covers only values of at most 128 bytes without CORS-unsafe bytes.
 */
export const MAX_LAST_EVENT_ID_LENGTH = 128;

// #region grammar
// The whole grammar, anchored: 12 lowercase hex digits, a dash, a canonical decimal (no sign, no
// leading zero, no exponent, no separator). parseInt("1e3") is 1 and Number("0x10") is 16, so
// neither is used on untrusted input.
const ID_GRAMMAR = /^([0-9a-f]{12})-(0|[1-9][0-9]{0,15})$/;
// #endregion grammar

// [spec] RFC 9110 §5.6.3: optional whitespace is space and horizontal tab, nothing else.
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * Formats a position as the id written on the wire.
 *
 * @param position - epoch and sequence number
 * @returns `<epoch>-<seq>`
 */
export function formatEventId(position: EventPosition): string {
  return `${position.epoch}-${position.seq}`;
}

/** A `Last-Event-ID` value as read, before any id scheme looks at it. Never thrown: always returned. */
export type LastEventIdText =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'text'; readonly text: string };

/**
 * Reads a `Last-Event-ID` header (or `?lastEventId=` value): the one place that decides absent,
 * repeated, empty and too long, for every id scheme (`<epoch>-<seq>` here, the Redis ids,
 * supplied ids), which then only parse the text.
 *
 * Absent and empty both mean a fresh connection: a browser never sends an empty header, and an
 * `id:` with an empty value is how a server clears the cursor. More than one value, or one longer
 * than `maxLength`, is `invalid`, with a short reason that is safe to echo (the raw value never is).
 *
 * @param value - the header as Node gives it (duplicates arrive as an array, or joined with `, `)
 * @param maxLength - the longest value accepted (supplied ids leave the length to their policy)
 * @returns a typed result; this function never throws
 */
export function readLastEventId(value: string | readonly string[] | undefined | null, maxLength = MAX_LAST_EVENT_ID_LENGTH): LastEventIdText {
  if (value === undefined || value === null) return { kind: 'none' };
  if (typeof value !== 'string') return { kind: 'invalid', detail: 'more than one Last-Event-ID value' };
  // Node already strips optional whitespace around header values; a query value is trimmed here,
  // by the same rule. Not String#trim: it also strips U+00A0, which a latin1 header byte 0xA0
  // decodes to, and would turn `<id>\xA0` into a valid id.
  const text = value.replace(OWS, '');
  if (text === '') return { kind: 'none' };
  if (text.length > maxLength) return { kind: 'invalid', detail: `longer than ${maxLength} characters` };
  return { kind: 'text', text };
}

/**
 * Parses a `Last-Event-ID` header (or `?lastEventId=` value) strictly.
 *
 * What {@link readLastEventId} reads as absent or empty is a fresh connection (`none`).
 * Everything that is not exactly `<12 hex>-<canonical decimal ≤ 2^53 − 1>` is `invalid`, with a
 * short reason that is safe to echo (the raw value never is).
 *
 * @param value - the header as Node gives it (duplicates arrive joined with `, `)
 * @returns a typed result; this function never throws
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#the-last-event-id-header
 */
export function parseLastEventId(value: string | readonly string[] | undefined | null): LastEventIdResult {
  const read = readLastEventId(value);
  if (read.kind !== 'text') return read;
  const match = ID_GRAMMAR.exec(read.text);
  if (match === null) return { kind: 'invalid', detail: 'not of the form <12 hex digits>-<decimal>' };
  const seq = Number(match[2]);
  if (!Number.isSafeInteger(seq)) return { kind: 'invalid', detail: 'sequence number above 2^53 - 1' };
  return { kind: 'position', epoch: match[1] as string, seq };
}

/** What {@link lastEventIdOf} reads of a `node:http` or `node:http2` request: its headers and target. */
export interface CursorRequest {
  readonly headers: NodeJS.Dict<string | string[]>;
  readonly url?: string | undefined;
}

/**
 * The cursor a request carries: its `Last-Event-ID` header, or else its `?lastEventId=` query
 * parameter, which serves first connects and clients that cannot set headers (a re-created
 * `EventSource`). The header wins: a browser's own reconnect sends the newer id there.
 *
 * @param req - a `node:http` or `node:http2` request
 * @returns the raw value, for a strict parser; undefined when there is none
 */
export function lastEventIdOf(req: CursorRequest): string | readonly string[] | undefined {
  // #region cursor
  const header = req.headers['last-event-id'];
  // An empty header carries no cursor, as if absent: the query may still hold one.
  if (header !== undefined && header !== '') return header;
  return queryCursor(req.url) ?? undefined;
  // #endregion cursor
}

/** {@link lastEventIdOf} for a Web-standard `Request`. */
export function lastEventIdOfRequest(request: Request): string | undefined {
  const header = request.headers.get('last-event-id');
  if (header !== null && header !== '') return header;
  return queryCursor(request.url) ?? undefined;
}

/**
 * The `?lastEventId=` parameter of a request target, or null. Most streams have no query, and
 * parsing a URL is a fifth of what a new stream costs in JavaScript, so it is parsed only when
 * there is one.
 *
 * @param url - the request target, as `req.url` holds it (or a whole URL)
 */
export function queryCursor(url: string | undefined): string | null {
  if (url === undefined || !url.includes('?')) return null;
  return new URL(url, 'http://localhost').searchParams.get('lastEventId');
}

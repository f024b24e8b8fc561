// The wire format as text, portable (no Buffer): `encode.ts` (Node, Buffer) and `web-encode.ts`
// (any runtime, TextEncoder) turn it into bytes, so both entries write the same bytes.
import { SseError } from './errors.js';

/** One event as a publisher describes it. */
export interface SseEvent {
  /** The payload. CR, LF and CRLF inside it become separate `data:` lines. */
  readonly data: string;
  /** The event type; absent means `message`. No CR, LF or empty string. */
  readonly event?: string | undefined;
  /** The id the client stores and sends back as `Last-Event-ID`. No CR, LF or NULL. */
  readonly id?: string | undefined;
  /** Reconnection time hint in milliseconds: a non-negative integer. */
  readonly retry?: number | undefined;
}

// #region line-break
// [spec] §9.2.5: a line ends at CRLF, a lone LF or a lone CR. Splitting on LF only lets a CR
// through, and the client then sees a line break the publisher never meant as a field boundary.
const LINE_BREAK = /\r\n|\r|\n/;
const NEWLINE = /[\r\n]/;
// #endregion line-break

/**
 * Formats one event as the exact text of the wire format; {@link encodeEvent} gives its bytes.
 *
 * Every field is checked before any text is produced, so a bad event is refused whole.
 *
 * @throws {@link SseError} when a field would break the stream (see `docs/reference/errors.md`)
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function formatEvent(event: SseEvent): string {
  const { data, event: type, id, retry } = event;
  if (typeof data !== 'string') {
    throw new SseError('SSE_ERR_DATA_NOT_STRING', `Event data must be a string, got ${typeof data}.`);
  }
  if (!isWellFormed(data)) {
    // UTF-8 encoding would silently turn a lone surrogate into U+FFFD: refuse instead of altering data.
    throw new SseError(
      'SSE_ERR_DATA_NOT_WELL_FORMED',
      'Event data holds a lone UTF-16 surrogate; call toWellFormed() on it first if U+FFFD is acceptable.',
    );
  }
  // #region format
  let out = '';
  if (type !== undefined) out += `event: ${checkEventName(type)}\n`;
  if (id !== undefined) out += `id: ${checkId(id)}\n`;
  if (retry !== undefined) out += `retry: ${checkRetry(retry)}\n`;
  // [spec] the client strips one space after the colon, so it is always written: a payload that
  // starts with a space keeps it. A trailing line break yields a final empty `data:` line.
  for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return out + '\n';
  // #endregion format
}

/**
 * Formats a comment block (`: text` then a blank line). Clients ignore it; proxies see traffic.
 *
 * @param text - the comment; no CR or LF
 * @throws {@link SseError} `SSE_ERR_COMMENT_HAS_NEWLINE`
 */
export function formatComment(text: string): string {
  if (NEWLINE.test(text)) {
    throw new SseError('SSE_ERR_COMMENT_HAS_NEWLINE', 'A comment must not contain CR or LF: it would end the comment line early.');
  }
  return text === '' ? ':\n\n' : `: ${text}\n\n`;
}

/**
 * Formats a `retry:` hint on its own, as a block with no data (so it dispatches nothing).
 *
 * @param retryMs - reconnection delay in milliseconds
 * @throws {@link SseError} `SSE_ERR_RETRY_INVALID`
 */
export function formatRetry(retryMs: number): string {
  return `retry: ${checkRetry(retryMs)}\n\n`;
}

/**
 * Formats an id on its own, as a block with no data: the client's cursor without an event.
 *
 * @param id - the id the client should send back as `Last-Event-ID`
 * @throws {@link SseError} `SSE_ERR_ID_HAS_NEWLINE`, `SSE_ERR_ID_HAS_NULL`
 */
export function formatCursor(id: string): string {
  // [spec] §9.2.6 dispatch step 1: the id buffer becomes the last event ID even when the empty
  // data buffer then dispatches nothing.
  return `id: ${checkId(id)}\n\n`;
}

function checkEventName(type: string): string {
  if (typeof type !== 'string' || type === '') {
    throw new SseError('SSE_ERR_EVENT_EMPTY', 'An event name must be a non-empty string; omit it to send a `message` event.');
  }
  if (NEWLINE.test(type)) {
    throw new SseError('SSE_ERR_EVENT_HAS_NEWLINE', `Event name ${JSON.stringify(type)} contains CR or LF, which would inject fields.`);
  }
  if (!isWellFormed(type)) {
    // As for data: UTF-8 encoding would turn the lone surrogate into U+FFFD, and a listener
    // registered for the name as published would never fire.
    throw new SseError('SSE_ERR_EVENT_NOT_WELL_FORMED', `Event name ${JSON.stringify(type)} holds a lone UTF-16 surrogate.`);
  }
  return type;
}

function checkId(id: string): string {
  if (typeof id !== 'string' || NEWLINE.test(id)) {
    throw new SseError('SSE_ERR_ID_HAS_NEWLINE', `Event id ${JSON.stringify(id)} contains CR or LF, which would inject fields.`);
  }
  // [spec] §9.2.6: an id field holding U+0000 is ignored, so the client's cursor would not move.
  if (id.includes('\0')) {
    throw new SseError('SSE_ERR_ID_HAS_NULL', 'An event id must not contain U+0000: clients ignore such an id.');
  }
  return id;
}

function checkRetry(retry: number): string {
  // [spec] §9.2.6: a retry value is ASCII digits only; anything else is ignored by the client.
  if (!Number.isSafeInteger(retry) || retry < 0) {
    throw new SseError('SSE_ERR_RETRY_INVALID', `retry must be a non-negative integer of milliseconds, got ${String(retry)}.`);
  }
  return String(retry);
}

// String.prototype.isWellFormed is in Node 20 (V8 11.3) but in TypeScript's ES2024 lib only.
function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

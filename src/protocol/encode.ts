import { formatComment, formatCursor, formatEvent, formatRetry, type SseEvent } from './format.js';

export { formatEvent, type SseEvent } from './format.js';

// Node's encoders: Buffer.from is the fast path the channel's fan-out and SseStream write
// (`web-encode.ts` is the portable twin, on TextEncoder, for `sse-reference/web`).

/**
 * Encodes one event into the exact bytes of the wire format.
 *
 * Every field is checked before any byte is produced, so a bad event is refused whole.
 *
 * @param event - the event to encode
 * @returns the UTF-8 bytes, ending with the blank line that dispatches the event
 * @throws {@link SseError} when a field would break the stream (see `docs/reference/errors.md`)
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * @example
 * ```ts
 * encodeEvent({ event: 'greeting', data: 'hello\nworld' }).toString();
 * // 'event: greeting\ndata: hello\ndata: world\n\n'
 * ```
 */
export function encodeEvent(event: SseEvent): Buffer {
  return Buffer.from(formatEvent(event), 'utf8');
}

/**
 * Encodes a comment block (`: text` then a blank line). Clients ignore it; proxies see traffic.
 *
 * @param text - the comment; no CR or LF
 * @throws {@link SseError} `SSE_ERR_COMMENT_HAS_NEWLINE`
 */
export function encodeComment(text: string): Buffer {
  return Buffer.from(formatComment(text), 'utf8');
}

/**
 * Encodes a `retry:` hint on its own, as a block with no data (so it dispatches nothing).
 *
 * @param retryMs - reconnection delay in milliseconds
 * @throws {@link SseError} `SSE_ERR_RETRY_INVALID`
 */
export function encodeRetry(retryMs: number): Buffer {
  return Buffer.from(formatRetry(retryMs), 'latin1');
}

/**
 * Encodes an id on its own, as a block with no data: the client's cursor without an event.
 *
 * @param id - the id the client should send back as `Last-Event-ID`
 * @throws {@link SseError} `SSE_ERR_ID_HAS_NEWLINE`, `SSE_ERR_ID_HAS_NULL`
 */
export function encodeCursor(id: string): Buffer {
  return Buffer.from(formatCursor(id), 'utf8');
}

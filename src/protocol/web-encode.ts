import { formatComment, formatCursor, formatEvent, formatRetry, type SseEvent } from './format.js';

// The portable encoders of `sse-reference/web`: the same text as `encode.ts`, as UTF-8 through
// TextEncoder, which every runtime has (Node's Buffer is not in workerd without nodejs_compat).

const UTF8 = new TextEncoder();

/**
 * Encodes one event into the exact bytes of the wire format (the portable twin of the root
 * entry's `encodeEvent`, which returns a Node `Buffer`).
 *
 * @throws {@link SseError} when a field would break the stream (see `docs/reference/errors.md`)
 */
export function encodeEvent(event: SseEvent): Uint8Array {
  return UTF8.encode(formatEvent(event));
}

/**
 * Encodes a comment block (`: text` then a blank line).
 *
 * @throws {@link SseError} `SSE_ERR_COMMENT_HAS_NEWLINE`
 */
export function encodeComment(text: string): Uint8Array {
  return UTF8.encode(formatComment(text));
}

/**
 * Encodes a `retry:` hint on its own (ASCII digits: UTF-8 and latin1 agree).
 *
 * @throws {@link SseError} `SSE_ERR_RETRY_INVALID`
 */
export function encodeRetry(retryMs: number): Uint8Array {
  return UTF8.encode(formatRetry(retryMs));
}

/**
 * Encodes an id on its own, as a block with no data: the client's cursor without an event.
 *
 * @throws {@link SseError} `SSE_ERR_ID_HAS_NEWLINE`, `SSE_ERR_ID_HAS_NULL`
 */
export function encodeCursor(id: string): Uint8Array {
  return UTF8.encode(formatCursor(id));
}

/** Joins chunks into one (the portable `Buffer.concat`); one chunk is returned as it is. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

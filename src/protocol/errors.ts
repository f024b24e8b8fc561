/**
 * Stable codes for protocol misuse. Every code is listed in `docs/reference/errors.md`.
 */
export type SseErrorCode =
  | 'SSE_ERR_DATA_NOT_STRING'
  | 'SSE_ERR_DATA_NOT_WELL_FORMED'
  | 'SSE_ERR_DATA_NOT_SERIALIZABLE'
  | 'SSE_ERR_EVENT_EMPTY'
  | 'SSE_ERR_EVENT_HAS_NEWLINE'
  | 'SSE_ERR_EVENT_NOT_WELL_FORMED'
  | 'SSE_ERR_EVENT_RESERVED'
  | 'SSE_ERR_ID_HAS_NEWLINE'
  | 'SSE_ERR_ID_HAS_NULL'
  | 'SSE_ERR_ID_MISSING'
  | 'SSE_ERR_ID_UNEXPECTED'
  | 'SSE_ERR_ID_INVALID'
  | 'SSE_ERR_ID_NOT_INCREASING'
  | 'SSE_ERR_RETRY_INVALID'
  | 'SSE_ERR_COMMENT_HAS_NEWLINE'
  | 'SSE_ERR_EVENT_TOO_LARGE'
  | 'SSE_ERR_CLOSED';

// Codes that are not the publisher's bad input, and the status that says so.
const STATUS: Partial<Record<SseErrorCode, number>> = {
  // A publisher that retries an id it already published conflicts with what is stored.
  SSE_ERR_ID_NOT_INCREASING: 409,
  SSE_ERR_EVENT_TOO_LARGE: 413,
  // Shutting down: the same publish may succeed on another instance, or after the restart.
  SSE_ERR_CLOSED: 503,
};

/**
 * Thrown when an event cannot be written without breaking the wire format (or the channel cannot
 * take it). Nothing has been written when it is thrown: the check happens before any byte is
 * encoded.
 *
 * Its `statusCode` is the HTTP answer to a publish request that caused it, which Express, Fastify
 * and Koa read from any error: `400` for bad input, `409`, `413` or `503` where those say more.
 */
export class SseError extends Error {
  /** A stable, documented code (see `docs/reference/errors.md`). */
  readonly code: SseErrorCode;
  /** The HTTP status for a request that caused it: 400, 409, 413 or 503. */
  readonly statusCode: number;

  /**
   * @param code - the stable code
   * @param message - a sentence that says what was wrong and how to fix it
   */
  constructor(code: SseErrorCode, message: string) {
    super(message);
    this.name = 'SseError';
    this.code = code;
    this.statusCode = STATUS[code] ?? 400;
  }
}

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

/**
 * Thrown when an event cannot be written without breaking the wire format. Nothing has been
 * written when it is thrown: the check happens before any byte is encoded.
 */
export class SseError extends Error {
  /** A stable, documented code (see `docs/reference/errors.md`). */
  readonly code: SseErrorCode;

  /**
   * @param code - the stable code
   * @param message - a sentence that says what was wrong and how to fix it
   */
  constructor(code: SseErrorCode, message: string) {
    super(message);
    this.name = 'SseError';
    this.code = code;
  }
}

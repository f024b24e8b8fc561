import { sendError } from '../http/json.js';
import type { SseRequest, SseResponse } from '../http/types.js';
import { streamHeaders, withHeaders, type StreamHeaders } from './headers.js';
import { NOT_ALLOWED, STREAM_METHODS } from './web-stream.js';

// webAnswerNonGet lives in web-stream.ts, which the portable entry imports without this file's node:http answers.
export { STREAM_METHODS, webAnswerNonGet } from './web-stream.js';

/**
 * Answers a request that must not open a stream, before anything is written: `HEAD` gets the
 * stream's headers and ends, any method but `GET` gets `405` with `Allow`. A crawler's `POST` or a
 * health check's `HEAD` would otherwise hold an open stream each.
 *
 * @returns true when it answered, so no stream may be opened
 */
export function answerNonGet(req: SseRequest, res: SseResponse, headers?: StreamHeaders): boolean {
  if (req.method === 'GET') return false;
  if (req.method === 'HEAD') answerHead(req, res, headers);
  else sendError(res, 405, NOT_ALLOWED.error.code, NOT_ALLOWED.error.message, { allow: STREAM_METHODS });
  return true;
}

/** `HEAD` on a stream path: the headers, then the end at once (Node holds headers until `end()`). */
export function answerHead(req: SseRequest, res: SseResponse, headers?: StreamHeaders): void {
  // The response ends here, so Node, not the stream's keep-alive header, decides about the connection.
  const { connection: _, ...head } = withHeaders(streamHeaders(req), headers);
  res.writeHead(200, head);
  res.end();
}

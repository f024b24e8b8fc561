import { sendError } from '../http/json.js';
import type { SseRequest, SseResponse } from '../http/types.js';
import { streamHeaders, withHeaders, type StreamHeaders } from './headers.js';
import { webStreamHeaders } from './web-stream.js';

/** The methods an event stream answers: `GET` streams, `HEAD` gets the headers alone. */
export const STREAM_METHODS = 'GET, HEAD';

const NOT_ALLOWED = { error: { code: 'method_not_allowed', message: `Use ${STREAM_METHODS}.` } } as const;

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

/** {@link answerNonGet} for a Web `Request`: the answer, or undefined for a `GET`. */
export function webAnswerNonGet(request: Request, headers?: StreamHeaders): Response | undefined {
  if (request.method === 'GET') return undefined;
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: webStreamHeaders(headers) });
  return new Response(JSON.stringify(NOT_ALLOWED), {
    status: 405,
    headers: { allow: STREAM_METHODS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

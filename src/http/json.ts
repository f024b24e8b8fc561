import type { HttpErrorCode, HttpStatusOf } from './errors.js';
import type { SseResponse } from './types.js';

/** Writes a JSON response, never cached. */
export function sendJson(res: SseResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Writes an error answer: `{"error": {"code", "message"}}`, the shape of every refusal. The code
 * is one of `HTTP_ERRORS` and the status the one it gives that code, so neither can drift from
 * `docs/reference/errors.md`.
 */
export function sendError<C extends HttpErrorCode>(res: SseResponse, status: HttpStatusOf<C>, code: C, message: string, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

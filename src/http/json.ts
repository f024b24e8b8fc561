import type { SseResponse } from './types.js';

/** Writes a JSON response, never cached. */
export function sendJson(res: SseResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Writes an error answer: `{"error": {"code", "message"}}`, the shape of every refusal. */
export function sendError(res: SseResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

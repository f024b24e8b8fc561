import type { SseRequest } from './types.js';

/** Whether the request carries a body (a length other than 0, or any transfer coding). */
export function hasBody(req: SseRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The header that drops an HTTP/1.1 connection after an answer sent without reading the
 * request's body: otherwise Node keeps reading (and waiting for) a body nobody wants, up to its
 * request timeout. HTTP/2 needs none: Node ends the request's stream with the answer.
 */
export function closeIfBodyUnread(req: SseRequest): Record<string, string> {
  return req.httpVersionMajor === 1 && hasBody(req) ? { connection: 'close' } : {};
}

/** What {@link readBody} got: the bytes, or why it stopped. */
export type BodyResult = { readonly kind: 'body'; readonly bytes: Buffer } | { readonly kind: 'too-large' } | { readonly kind: 'too-slow' };

/**
 * Reads the body, stopping as soon as it passes `maxBytes` or `timeoutMs` passes without its end
 * (a body trickled a byte at a time would otherwise hold the request for good on HTTP/2, where
 * Node has no request timeout). Either way the rest is left unread.
 */
export function readBody(req: SseRequest, maxBytes: number, timeoutMs: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (result: BodyResult): void => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.pause();
      resolve(result);
    };
    const timer = setTimeout(() => stop({ kind: 'too-slow' }), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) stop({ kind: 'too-large' });
      else chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve({ kind: 'body', bytes: Buffer.concat(chunks) });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

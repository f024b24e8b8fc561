import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SseRequest, SseResponse } from '../http/types.js';

const CRLF = 0x0d0a;

/**
 * One HTTP/1.1 chunk: `<size in hex>\r\n`, the bytes, `\r\n`, in one Buffer, as Node's
 * `res.write()` frames a body of unknown length.
 *
 * @param chunk - the bytes; must not be empty (an empty chunk is the end of the body)
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-7.1
 */
export function frameChunk(chunk: Buffer): Buffer {
  const size = chunk.length.toString(16);
  const framed = Buffer.allocUnsafe(size.length + chunk.length + 4);
  let at = framed.write(size, 0, 'latin1');
  at = framed.writeUInt16BE(CRLF, at);
  at += chunk.copy(framed, at);
  framed.writeUInt16BE(CRLF, at);
  return framed;
}

let lastShared: Buffer | undefined;
let lastFramed: Buffer | undefined;

function forgetShared(): void {
  lastShared = undefined;
  lastFramed = undefined;
}

/**
 * {@link frameChunk} for a Buffer that every subscriber of a pass receives and nobody modifies:
 * framed once for all of them. The copy is dropped once the synchronous fan-out is over, so a
 * pass's bytes are not held until the next one.
 */
export function frameShared(chunk: Buffer): Buffer {
  if (chunk !== lastShared) {
    lastShared = chunk;
    lastFramed = frameChunk(chunk);
    queueMicrotask(forgetShared);
  }
  return lastFramed as Buffer;
}

/**
 * Sends the head of an HTTP/1.x response at once, corked until the next tick so the head, the
 * `retry:` line and whatever the recipe writes in the same tick (a replay) leave in one segment.
 *
 * Node keeps the head string for the life of the response. Built by concatenation, it is a rope of
 * some 28 pieces (about 0.9 KB of heap per idle stream) unless it is written on its own, which
 * flattens it; written ahead of a Buffer, as the first body write would, it stays a rope.
 *
 * @returns the socket that the body may be written to directly, already framed with
 *   {@link frameChunk}; undefined where only `res.write()` is right: HTTP/2, a body that is not
 *   chunked (HEAD, HTTP/1.0), a response still queued behind another on the connection
 *   (pipelining), or a `write` that middleware has replaced
 */
export function startChunkedBody(req: SseRequest, res: SseResponse): Socket | undefined {
  if (req.httpVersionMajor !== 1) return undefined;
  const http1 = res as ServerResponse;
  const socket = req.socket;
  socket.cork();
  http1.flushHeaders();
  process.nextTick(uncork, socket);
  const isDirect = http1.chunkedEncoding && http1.socket === socket && http1.write === ServerResponse.prototype.write;
  return isDirect ? socket : undefined;
}

function uncork(socket: Socket): void {
  socket.uncork();
}

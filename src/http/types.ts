import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/** A request from `node:http`, or from `node:http2`'s compatibility API (HTTPS and h2c). */
export type SseRequest = IncomingMessage | Http2ServerRequest;

/** The response that goes with an {@link SseRequest}. */
export type SseResponse = ServerResponse | Http2ServerResponse;

/** `write` as both response types have it: the union's overloads are not callable as one. */
export interface ChunkWriter {
  write(chunk: Buffer): boolean;
}

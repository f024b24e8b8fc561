import { encodeComment, encodeRetry } from '../protocol/encode.js';
import { jitter, streamHeaders } from './headers.js';
import type { SseRequest, SseResponse } from '../http/types.js';

/**
 * Answers a stream request that cannot be served now (a connection cap is full) in the one way
 * that makes an `EventSource` come back later: `200`, a jittered `retry:` hint, a comment saying
 * why, then the end of the response. A `429` or `503` would make the browser give up for good.
 *
 * @param retryMs - the middle of the jittered reconnection delay
 * @param why - a one-line reason, written as a comment
 */
export function refuseStream(req: SseRequest, res: SseResponse, retryMs: number, why: string): void {
  // #region refuse
  // An HTTP/1.1 connection closes with the answer: the browser opens a new one when it retries
  // anyway. HTTP/2 has no such header; the stream alone ends.
  res.writeHead(200, req.httpVersionMajor === 1 ? { ...streamHeaders(req), connection: 'close' } : streamHeaders(req));
  res.end(Buffer.concat([encodeRetry(jitter(retryMs)), encodeComment(why)]));
  // #endregion refuse
}

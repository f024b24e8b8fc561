import type { SseStream } from '../stream/sse-stream.js';

/**
 * The clock: the current time (ISO 8601, UTC) at once and then at a fixed interval. The timer is
 * cleared from the stream's one close path, the moment the client goes.
 *
 * @param stream - an open stream
 * @param intervalMs - the time between events @defaultValue 1000
 */
export function clockRecipe(stream: SseStream, intervalMs = 1000): void {
  // #region clock
  const sendTime = (): void => {
    stream.send({ data: new Date().toISOString() });
  };
  sendTime();
  const timer = setInterval(sendTime, intervalMs);
  stream.onClose(() => clearInterval(timer));
  // #endregion clock
}

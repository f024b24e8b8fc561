import type { SseStream } from '../stream/sse-stream.js';

/**
 * The basic stream: `data: hello` at a fixed interval, for as long as the client stays.
 *
 * @param stream - an open stream
 * @param intervalMs - the time between events @defaultValue 1000
 */
export function basicRecipe(stream: SseStream, intervalMs = 1000): void {
  // #region basic
  const timer = setInterval(() => stream.send({ data: 'hello' }), intervalMs);
  stream.onClose(() => clearInterval(timer));
  // #endregion basic
}

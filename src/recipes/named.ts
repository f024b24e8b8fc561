import type { SseStream } from '../stream/sse-stream.js';

/** The event types {@link namedRecipe} sends, in turn. */
export const NAMED_EVENT_TYPES = ['greeting', 'tick', 'status'] as const;

/**
 * Named events: each event carries an `event:` field, so a browser routes it to the listener
 * registered for that type (`source.addEventListener('tick', …)`); `onmessage` never sees them.
 *
 * @param stream - an open stream
 * @param intervalMs - the time between events @defaultValue 1000
 */
export function namedRecipe(stream: SseStream, intervalMs = 1000): void {
  let n = 0;
  // #region named
  const sendNext = (): void => {
    const type = NAMED_EVENT_TYPES[n % NAMED_EVENT_TYPES.length];
    const data = type === 'status' ? JSON.stringify({ uptimeSeconds: Math.round(process.uptime()) }) : `${type} ${n}`;
    stream.send({ event: type, data });
    n++;
  };
  // #endregion named
  sendNext();
  const timer = setInterval(sendNext, intervalMs);
  stream.onClose(() => clearInterval(timer));
}

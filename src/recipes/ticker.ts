import type { Broker } from '../history/broker.js';

/**
 * The `/feed` demo ticker: publishes `{"tick": n, "time": …}` every `periodMs` through the broker,
 * like any publisher.
 *
 * @returns a function that stops it
 */
export function startTicker(broker: Broker, periodMs: number): () => void {
  let n = 0;
  const timer = setInterval(() => {
    n++;
    // A tick the broker cannot take now (Redis down) is skipped: ticks are a demo, not data.
    broker.publish({ data: JSON.stringify({ tick: n, time: new Date().toISOString() }) }).catch(() => {});
  }, periodMs);
  return () => clearInterval(timer);
}

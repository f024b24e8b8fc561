/** How long a client waits before it tries again after a failed connection. */
export interface BackoffOptions {
  /** The delay ceiling of the first retry. @defaultValue 1000 */
  readonly initialMs?: number;
  /** The largest delay ceiling, however many attempts failed. @defaultValue 30000 */
  readonly maxMs?: number;
}

/**
 * The delay before retry number `attempt` (0 for the first): a ceiling that doubles per failed
 * attempt up to `maxMs`, and a delay drawn evenly from its upper half. The random half spreads
 * clients that a restart dropped together; the fixed half keeps a retry from coming at once.
 *
 * @param attempt - failed attempts in a row before this one
 * @param options - the first and the largest ceiling
 * @param random - a source in [0, 1) @defaultValue Math.random
 * @returns milliseconds, an integer
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initialMs = options.initialMs ?? 1000;
  const maxMs = options.maxMs ?? 30_000;
  // 2 ** 31 is already past any sensible ceiling; capping the exponent keeps it finite.
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 31));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

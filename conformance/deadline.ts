/**
 * A deadline for a whole run: steps are raced against it, and once it passes no new step starts.
 * A step that loses the race is abandoned, not cancelled: every probe inside it is bounded by its
 * own timeout, so it ends by itself.
 */
export interface Deadline {
  /** Whether the deadline has passed. */
  readonly isReached: boolean;
  /** `work`'s value, or undefined when the deadline passes first (at once when it already has). */
  race<T>(work: Promise<T>): Promise<T | undefined>;
  /** Stops the timer (the run ended before the deadline). */
  dispose(): void;
}

/**
 * Starts a deadline `ms` from now; without `ms`, one that never passes.
 *
 * @param onReached - called once when the deadline passes (e.g. to stop watching the stream)
 */
export function createDeadline(ms: number | undefined, onReached: () => void = () => {}): Deadline {
  if (ms === undefined) return { isReached: false, race: (work) => work, dispose: () => {} };
  let isReached = false;
  let reached!: () => void;
  const passes = new Promise<undefined>((resolve) => (reached = () => resolve(undefined)));
  const timer = setTimeout(() => {
    isReached = true;
    reached();
    onReached();
  }, ms);
  return {
    get isReached() {
      return isReached;
    },
    race: (work) => (isReached ? Promise.resolve(undefined) : Promise.race([work, passes])),
    dispose: () => clearTimeout(timer),
  };
}

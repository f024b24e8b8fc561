/**
 * Calls `onSilence` once when nothing kicked it for `timeoutMs`: the client's own check that bytes
 * still arrive, since no browser times out a silent stream (a half-open connection after a network
 * change, a proxy that stopped forwarding) and TCP may take many minutes to notice.
 *
 * A kick only reads the clock; the one timer re-arms for what is left when it wakes early. It
 * measures on the monotonic clock, so a timer that runs late (a throttled background tab) detects
 * late but never fires while bytes arrive.
 */
export class Watchdog {
  readonly timeoutMs: number;
  readonly #onSilence: () => void;
  #lastKick = performance.now();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #hasFired = false;

  /** Starts watching at once. */
  constructor(timeoutMs: number, onSilence: () => void) {
    this.timeoutMs = timeoutMs;
    this.#onSilence = onSilence;
    this.#arm(timeoutMs);
  }

  /** Whether it fired. */
  get hasFired(): boolean {
    return this.#hasFired;
  }

  // #region watchdog
  /** Bytes arrived. */
  kick(): void {
    this.#lastKick = performance.now();
  }

  /** Stops watching; idempotent. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => {
      const silentMs = performance.now() - this.#lastKick;
      if (silentMs < this.timeoutMs) {
        this.#arm(this.timeoutMs - silentMs);
        return;
      }
      this.#hasFired = true;
      this.#onSilence();
    }, delayMs);
  }
  // #endregion watchdog
}

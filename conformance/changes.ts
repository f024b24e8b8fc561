/**
 * The listeners of something that records a response as it arrives (a probe, an observation),
 * and bounded waits on what it has recorded so far.
 */
export class Changes {
  readonly #listeners = new Set<() => void>();

  /** Tells every listener that something changed (bytes, a head, an event, the end). */
  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** Calls `listener` after every change until the returned function is called. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Waits until `look` finds something (checked now and after every change), `isOver` holds, or
   * `timeoutMs` passes; resolves with what `look` finds then, or undefined. Never rejects.
   */
  waitFor<T>(look: () => T | undefined, isOver: () => boolean, timeoutMs: number): Promise<T | undefined> {
    const found = look();
    if (found !== undefined || isOver()) return Promise.resolve(found);
    return new Promise((resolve) => {
      const finish = (value: T | undefined): void => {
        clearTimeout(timer);
        stop();
        resolve(value);
      };
      const stop = this.listen(() => {
        const value = look();
        if (value !== undefined || isOver()) finish(value);
      });
      const timer = setTimeout(() => finish(look()), timeoutMs);
    });
  }
}

import { ReplayBuffer, type ReplayBufferOptions } from './replay-buffer.js';

/**
 * A {@link ReplayBuffer} whose numbering can continue from a stored history instead of starting
 * at 1: after a restart from a file log, the first new event must get the number after the last
 * stored one, or a client's cursor would point at a different event.
 *
 * A wrapper, not a subclass: the buffer's own methods call each other, and shifting them one by
 * one would shift twice.
 */
export class NumberedHistory {
  readonly #buffer: ReplayBuffer;
  readonly #offset: number;

  /**
   * @param options - the limits, as for {@link ReplayBuffer}
   * @param head - the sequence number of the last stored event (0: none)
   * @param events - stored events ending at `head`, oldest first; those beyond the limits are dropped
   * @throws RangeError when `head` is not an integer of at least `events.length`
   */
  constructor(options: ReplayBufferOptions, head = 0, events: readonly Buffer[] = []) {
    if (!Number.isSafeInteger(head) || head < events.length) {
      throw new RangeError(`head must be an integer of at least ${events.length} (the events given), got ${String(head)}.`);
    }
    this.#buffer = new ReplayBuffer(options);
    this.#offset = head - events.length;
    for (const bytes of events) this.#buffer.append(bytes);
  }

  /** The sequence number of the newest event, 0 when none was ever appended. */
  get head(): number {
    return this.#buffer.head + this.#offset;
  }

  /** The sequence number of the oldest retained event (`head + 1` when empty). */
  get oldest(): number {
    return this.#buffer.oldest + this.#offset;
  }

  /** Appends an encoded event. @returns its sequence number */
  append(bytes: Buffer): number {
    return this.#buffer.append(bytes) + this.#offset;
  }

  /** The encoded events after `seq`, oldest first. @throws RangeError when `seq` is not retained */
  after(seq: number): Buffer[] {
    return this.#buffer.after(seq - this.#offset);
  }
}

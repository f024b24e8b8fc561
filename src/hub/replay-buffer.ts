import { checkInteger, checkKnownOptions } from '../options/check.js';
import { OPTIONS } from '../options/table.js';

/** Limits of a {@link ReplayBuffer}. */
export interface ReplayBufferOptions {
  /** How many events are kept at most. @defaultValue 1000 (`OPTIONS.historyEvents`) */
  readonly maxEvents?: number;
  /** How many encoded bytes are kept at most. @defaultValue 4 MiB (`OPTIONS.historyBytes`) */
  readonly maxBytes?: number;
}

/**
 * The recent history of one channel: encoded events with contiguous sequence numbers, bounded by
 * count and by bytes. The oldest events are evicted first.
 *
 * Sequence numbers start at 1; `head` is the last one appended (0 before any).
 */
/** Generic over its bytes: Node's Channel and FileLog keep Buffers, the portable channel Uint8Arrays. */
export class ReplayBuffer<B extends Uint8Array = Uint8Array> {
  readonly maxEvents: number;
  readonly maxBytes: number;
  #ring: (B | undefined)[];
  #start = 0;
  #length = 0;
  #bytes = 0;
  #head = 0;

  /** @throws RangeError when a limit is not a positive integer */
  constructor(options: ReplayBufferOptions = {}) {
    checkKnownOptions(options, { maxEvents: true, maxBytes: true } satisfies Record<keyof ReplayBufferOptions, true>, 'ReplayBuffer');
    this.maxEvents = checkInteger(options.maxEvents ?? OPTIONS.historyEvents.default, 'maxEvents');
    this.maxBytes = checkInteger(options.maxBytes ?? OPTIONS.historyBytes.default, 'maxBytes');
    this.#ring = new Array<B | undefined>(this.maxEvents);
  }

  /** The sequence number of the newest event, 0 when none was ever appended. */
  get head(): number {
    return this.#head;
  }

  /** The sequence number of the oldest retained event (`head + 1` when empty). */
  get oldest(): number {
    return this.#head - this.#length + 1;
  }

  /** Retained events and their total size. */
  get size(): { readonly events: number; readonly bytes: number } {
    return { events: this.#length, bytes: this.#bytes };
  }

  /**
   * Appends an encoded event and gives it the next sequence number.
   *
   * @returns the new event's sequence number
   */
  append(bytes: B): number {
    if (this.#length === this.maxEvents) this.#evict();
    this.#ring[(this.#start + this.#length) % this.maxEvents] = bytes;
    this.#length++;
    this.#bytes += bytes.length;
    // Keep the newest event even when it alone is over maxBytes: the live stream needs it.
    while (this.#bytes > this.maxBytes && this.#length > 1) this.#evict();
    return ++this.#head;
  }

  /**
   * Whether everything after `seq` is still retained (so a client at `seq` can resume exactly).
   * True for `seq === head` (nothing to send) and for `seq === oldest - 1`.
   */
  covers(seq: number): boolean {
    return seq <= this.#head && seq >= this.oldest - 1;
  }

  /**
   * The encoded events after `seq`, oldest first. Call {@link covers} first.
   *
   * @throws RangeError when `seq` is not covered
   */
  after(seq: number): B[] {
    if (!this.covers(seq)) throw new RangeError(`Sequence ${seq} is not covered by the replay buffer.`);
    const out: B[] = [];
    for (let i = seq - this.oldest + 1; i < this.#length; i++) {
      out.push(this.#ring[(this.#start + i) % this.maxEvents] as B);
    }
    return out;
  }

  #evict(): void {
    this.#bytes -= (this.#ring[this.#start] as B).length;
    this.#ring[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.maxEvents;
    this.#length--;
  }
}

/**
 * A {@link ReplayBuffer} whose numbering can continue from a stored history instead of starting
 * at 1: after a restart from a file log, the first new event must get the number after the last
 * stored one, or a client's cursor would point at a different event.
 *
 * A wrapper, not a subclass: the buffer's own methods call each other, and shifting them one by
 * one would shift twice.
 */
export class NumberedHistory<B extends Uint8Array = Uint8Array> {
  readonly #buffer: ReplayBuffer<B>;
  readonly #offset: number;

  /**
   * @param options - the limits, as for {@link ReplayBuffer}
   * @param head - the sequence number of the last stored event (0: none)
   * @param events - stored events ending at `head`, oldest first; those beyond the limits are dropped
   * @throws RangeError when `head` is not an integer of at least `events.length`
   */
  constructor(options: ReplayBufferOptions, head = 0, events: readonly B[] = []) {
    if (!Number.isSafeInteger(head) || head < events.length) {
      throw new RangeError(`head must be an integer of at least ${events.length} (the events given), got ${String(head)}.`);
    }
    this.#buffer = new ReplayBuffer<B>(options);
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
  append(bytes: B): number {
    return this.#buffer.append(bytes) + this.#offset;
  }

  /** The encoded events after `seq`, oldest first. @throws RangeError when `seq` is not retained */
  after(seq: number): B[] {
    return this.#buffer.after(seq - this.#offset);
  }
}

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
export class ReplayBuffer {
  readonly maxEvents: number;
  readonly maxBytes: number;
  #ring: (Buffer | undefined)[];
  #start = 0;
  #length = 0;
  #bytes = 0;
  #head = 0;

  /** @throws RangeError when a limit is not a positive integer */
  constructor(options: ReplayBufferOptions = {}) {
    checkKnownOptions(options, { maxEvents: true, maxBytes: true } satisfies Record<keyof ReplayBufferOptions, true>, 'ReplayBuffer');
    this.maxEvents = checkInteger(options.maxEvents ?? OPTIONS.historyEvents.default, 'maxEvents');
    this.maxBytes = checkInteger(options.maxBytes ?? OPTIONS.historyBytes.default, 'maxBytes');
    this.#ring = new Array<Buffer | undefined>(this.maxEvents);
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
  append(bytes: Buffer): number {
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
  after(seq: number): Buffer[] {
    if (!this.covers(seq)) throw new RangeError(`Sequence ${seq} is not covered by the replay buffer.`);
    const out: Buffer[] = [];
    for (let i = seq - this.oldest + 1; i < this.#length; i++) {
      out.push(this.#ring[(this.#start + i) % this.maxEvents] as Buffer);
    }
    return out;
  }

  #evict(): void {
    this.#bytes -= (this.#ring[this.#start] as Buffer).length;
    this.#ring[this.#start] = undefined;
    this.#start = (this.#start + 1) % this.maxEvents;
    this.#length--;
  }
}

import { checkInteger } from '../options/check.js';
import { compareStreamIds, STREAM_START, type StreamId } from './stream-id.js';
import { OPTIONS } from '../options/table.js';

const EVICTED = Buffer.alloc(0);

/**
 * The recent part of a Redis stream that one instance holds in memory, for exact resume without
 * a round trip: every entry with an id in `(floor, head]`, encoded, bounded by count and bytes.
 * Evicting an entry raises the floor to its id, so the window always says what it can prove.
 */
export class StreamWindow {
  readonly maxEvents: number;
  readonly maxBytes: number;
  #floor: StreamId;
  #ids: StreamId[] = [];
  #events: Buffer[] = [];
  #start = 0;
  #bytes = 0;

  /** @throws RangeError when a limit is not a positive integer */
  constructor(options: { readonly maxEvents?: number; readonly maxBytes?: number } = {}, floor: StreamId = STREAM_START) {
    this.maxEvents = checkInteger(options.maxEvents ?? OPTIONS.historyEvents.default, 'maxEvents');
    this.maxBytes = checkInteger(options.maxBytes ?? OPTIONS.historyBytes.default, 'maxBytes');
    this.#floor = floor;
  }

  /** The id just before the oldest entry held: everything after it is held. */
  get floor(): StreamId {
    return this.#floor;
  }

  /** The oldest entry's id, or the floor when empty. */
  get oldest(): StreamId {
    return this.#ids[this.#start] ?? this.#floor;
  }

  /** The newest entry's id, or the floor when empty. */
  get head(): StreamId {
    return this.#ids.at(-1) ?? this.#floor;
  }

  /** Entries held now. */
  get size(): number {
    return this.#ids.length - this.#start;
  }

  /** Empties the window; it then holds everything after `floor`. */
  reset(floor: StreamId): void {
    this.#floor = floor;
    this.#ids = [];
    this.#events = [];
    this.#start = 0;
    this.#bytes = 0;
  }

  /**
   * Adds the entry after the head.
   *
   * @throws RangeError when `id` is not after the head (entries arrive in stream order)
   */
  append(id: StreamId, bytes: Buffer): void {
    if (compareStreamIds(id, this.head) <= 0) throw new RangeError('Stream entries must be appended in order.');
    this.#ids.push(id);
    this.#events.push(bytes);
    this.#bytes += bytes.length;
    while (this.size > this.maxEvents || (this.#bytes > this.maxBytes && this.size > 1)) this.#evict();
  }

  /**
   * The encoded entries after `id` when the window can prove they are all of them: `id` is the
   * floor or an entry held. Otherwise undefined (older than the window, ahead of it, or an id
   * the stream never had).
   */
  after(id: StreamId): Buffer[] | undefined {
    if (compareStreamIds(id, this.#floor) === 0) return this.#events.slice(this.#start);
    const index = this.#find(id);
    if (index === -1) return undefined;
    return this.#events.slice(index + 1);
  }

  /** Whether the window holds every entry after `id`: `id` is the floor or an entry held (what {@link StreamWindow.after} answers, without the copy). */
  holds(id: StreamId): boolean {
    return compareStreamIds(id, this.#floor) === 0 || this.#find(id) !== -1;
  }

  /** The encoded entries with an id above `id` (any id, held or not). */
  newerThan(id: StreamId): Buffer[] {
    let low = this.#start;
    let high = this.#ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareStreamIds(this.#ids[middle] as StreamId, id) <= 0) low = middle + 1;
      else high = middle;
    }
    return this.#events.slice(low);
  }

  #find(id: StreamId): number {
    let low = this.#start;
    let high = this.#ids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = compareStreamIds(this.#ids[middle] as StreamId, id);
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  #evict(): void {
    this.#floor = this.#ids[this.#start] as StreamId;
    this.#bytes -= (this.#events[this.#start] as Buffer).length;
    this.#events[this.#start] = EVICTED;
    this.#start++;
    // Drop the evicted prefix now and then, so the arrays do not grow for ever.
    if (this.#start > 1024 && this.#start * 2 > this.#ids.length) {
      this.#ids = this.#ids.slice(this.#start);
      this.#events = this.#events.slice(this.#start);
      this.#start = 0;
    }
  }
}

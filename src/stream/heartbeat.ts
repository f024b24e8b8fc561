import { checkInteger } from '../options/check.js';
import { OPTIONS } from '../options/table.js';

/** Anything the heartbeat can keep alive. */
export interface Beating {
  /** Set to true by every write; the heartbeat clears it on each tick. */
  wroteSinceTick: boolean;
  /** Writes a comment line. */
  beat(): void;
}

/**
 * One timer for every stream: each tick writes a comment to the streams that wrote nothing since
 * the previous tick. Ticking every half interval keeps every idle gap under `intervalMs` with no
 * clock read per write. The timer runs only while there are streams, so none is left behind.
 */
export class Heartbeat {
  readonly intervalMs: number;
  readonly #streams = new Set<Beating>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param intervalMs - the longest idle gap allowed; 0 turns heartbeats off
   * @throws RangeError when `intervalMs` is negative or not an integer
   */
  constructor(intervalMs: number) {
    this.intervalMs = checkInteger(intervalMs, 'heartbeatMs', 0);
  }

  /** How many streams are registered (for leak checks). */
  get size(): number {
    return this.#streams.size;
  }

  /** Whether the shared timer is running. */
  get isRunning(): boolean {
    return this.#timer !== undefined;
  }

  add(stream: Beating): void {
    if (this.intervalMs === 0) return;
    this.#streams.add(stream);
    this.#timer ??= setInterval(() => this.tick(), Math.max(1, Math.floor(this.intervalMs / 2)));
  }

  delete(stream: Beating): void {
    this.#streams.delete(stream);
    if (this.#streams.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** One pass over the streams; the timer calls it, tests may too. */
  // #region tick
  tick(): void {
    for (const stream of this.#streams) {
      if (stream.wroteSinceTick) stream.wroteSinceTick = false;
      else stream.beat();
    }
  }
  // #endregion tick
}

const SHARED = new Map<number, Heartbeat>();

/**
 * The heartbeat a stream's `heartbeat` option names: the one given, or the one every stream with
 * that interval shares (one timer per interval, running only while such a stream is open).
 *
 * @param option - a {@link Heartbeat}, or the longest idle gap in ms (0: none)
 * @throws RangeError when the interval is negative or not an integer
 */
export function heartbeatOf(option: Heartbeat | number | undefined): Heartbeat | undefined {
  if (typeof option === 'object') return option;
  const intervalMs = checkInteger(option ?? OPTIONS.heartbeatMs.default, 'heartbeat', 0);
  if (intervalMs === 0) return undefined;
  let heartbeat = SHARED.get(intervalMs);
  if (heartbeat === undefined) {
    heartbeat = new Heartbeat(intervalMs);
    SHARED.set(intervalMs, heartbeat);
  }
  return heartbeat;
}

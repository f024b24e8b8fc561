/** What a subscriber's filter sees of an event: never its data, which is kept only as bytes. */
export interface EventInfo {
  /** The event type: its `event:` name, or `message`. */
  readonly event: string;
  /** The event's id. */
  readonly id: string;
  /** The topic it was published under, if any (not sent to clients, not kept by a file log). */
  readonly topic: string | undefined;
}

/**
 * What a channel knows about each retained event besides its bytes, by sequence number: for
 * subscriber filters, and to find a supplied id's position. It keeps one entry more than the
 * replay buffer (the newest evicted one), because a client whose cursor is that event is still
 * resumed exactly: everything after it is retained.
 */
export class EventIndex {
  #infos: (EventInfo | undefined)[] = [];
  #start = 0;
  /** The sequence number of `#infos[#start]`. */
  #firstSeq: number;
  readonly #seqById: Map<string, number> | undefined;

  /**
   * @param firstSeq - the sequence number the first appended entry will have
   * @param byId - keep a map from id to sequence number (for ids the application supplies)
   */
  constructor(firstSeq: number, byId: boolean) {
    this.#firstSeq = firstSeq;
    this.#seqById = byId ? new Map() : undefined;
  }

  /** Records the entry of the next sequence number. */
  append(info: EventInfo): void {
    this.#infos.push(info);
    this.#seqById?.set(info.id, this.#firstSeq + this.#infos.length - this.#start - 1);
  }

  /** Forgets entries before `oldest - 1`, once the replay buffer no longer holds `oldest - 1`. */
  trim(oldest: number): void {
    while (this.#firstSeq < oldest - 1 && this.#start < this.#infos.length) {
      const info = this.#infos[this.#start] as EventInfo;
      this.#seqById?.delete(info.id);
      this.#infos[this.#start] = undefined;
      this.#start++;
      this.#firstSeq++;
    }
    // Compacting now and then keeps trimming O(1) per event without holding dead slots forever.
    if (this.#start > 1024 && this.#start * 2 > this.#infos.length) {
      this.#infos = this.#infos.slice(this.#start);
      this.#start = 0;
    }
  }

  /** The entry of `seq`, or undefined when it is not kept. */
  at(seq: number): EventInfo | undefined {
    return seq < this.#firstSeq ? undefined : this.#infos[this.#start + seq - this.#firstSeq];
  }

  /** The sequence number of a kept id (supplied ids only). */
  seqOf(id: string): number | undefined {
    return this.#seqById?.get(id);
  }
}

const UTF8 = new TextDecoder();

/**
 * The type and id of an event as the encoder wrote it (`event:` first, then `id:`), for events a
 * channel starts with (from a file log) and never saw published.
 */
export function readEventInfo(bytes: Uint8Array): EventInfo {
  let event = 'message';
  let id = '';
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) break;
    // TextDecoder, not Buffer#toString: the portable entry shares this file (and it runs only for restored events).
    const line = UTF8.decode(bytes.subarray(start, end));
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('id: ')) id = line.slice(4);
    else break;
    start = end + 1;
  }
  return { event, id, topic: undefined };
}

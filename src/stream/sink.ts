/**
 * A stream a subscriber writes to: the one contract between what produces events (a
 * {@link Channel}, a broker, {@link sendFrom}) and one open stream, on `node:http`
 * ({@link SseStream}) or as a Web `Response` ({@link WebSseStream}). Each user takes the members
 * it needs (`Pick<EventSink, …>`): a channel's live fan-out only `deliver` (and `end` on close).
 */
export interface EventSink {
  /** True once the client left or the stream was cut or ended: nothing more is written. */
  readonly isClosed: boolean;
  /**
   * Writes bytes that already form whole events or comments: a replay, a `reset`, one event.
   * A client that does not read is cut, not buffered without bound.
   *
   * @returns false when the stream is closed or was cut
   */
  write(chunk: Uint8Array): boolean;
  /**
   * Receives the bytes of `count` whole events of a live fan-out; a filtered subscriber's may end
   * with an id-only block that moves its cursor past events it does not get (then `count` may be
   * 0). The same bytes go to many sinks, so it must not be modified. Must not throw and must
   * not block: a slow sink cuts itself.
   */
  deliver(chunk: Uint8Array, count: number): void;
  /** Resolves true once more may be written without growing the queue, false when the stream closed first. */
  drain(): Promise<boolean>;
  /** Runs `handler` once when the stream closes, for whatever reason: the one cleanup path. */
  onClose(handler: () => void): void;
  /** Ends the stream, with a jittered `retry:` hint when `retryMs` is given, so the client comes back later. */
  end(retryMs?: number): void;
}

/** A subscriber just added to a live fan-out: what it gets first, and how it leaves again. */
export interface Joining {
  /** The replay (or the `reset`) and the cursor, written before anything live; undefined when there is nothing to write. */
  readonly initial: Uint8Array | undefined;
  /** Takes the subscriber out of the fan-out. Idempotent. */
  unsubscribe(): void;
}

/**
 * The one join of every history (the channel, the memory and file broker, the Redis broker):
 * writes what a subscriber gets first, the subscriber having been added to the live fan-out in
 * the same synchronous step as its replay was read, and takes it out again when that write cut
 * the client. No event can be published between the replay and the join, so none is missed and
 * none comes twice.
 *
 * @param sink - the stream
 * @param joining - what it gets first, and how it leaves
 * @returns true when the sink stays joined; false when the write cut it (it was unsubscribed)
 */
export function joinLive(sink: Pick<EventSink, 'isClosed' | 'write'>, joining: Joining): boolean {
  // #region join
  if (joining.initial !== undefined) sink.write(joining.initial);
  // A replay larger than the client's budget cuts the stream during the write.
  if (!sink.isClosed) return true;
  joining.unsubscribe();
  return false;
  // #endregion join
}

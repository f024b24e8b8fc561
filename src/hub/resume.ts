import { formatEvent } from '../protocol/format.js';
import { parseLastEventId, readLastEventId } from '../protocol/last-event-id.js';
import type { IdPolicy } from './id-policy.js';

/** Why a client could not be resumed exactly. Sent as the `reason` of the `reset` event. */
export type ResetReason = 'invalid' | 'epoch' | 'unknown' | 'expired';

/** What a channel does with a connecting client, in its sequence numbers. */
export type ResumePlan =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'replay'; readonly afterSeq: number }
  | { readonly kind: 'reset'; readonly reason: ResetReason };

/**
 * A `Last-Event-ID` as one id scheme reads it, after {@link readLastEventId}: none, invalid, or a
 * position `at` (of type `P`: a sequence number, a supplied id, a Redis stream id) in `epoch`
 * (undefined for ids without one, as supplied ids are).
 */
export type Cursor<P> =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'position'; readonly epoch: string | undefined; readonly at: P };

/**
 * What a history holds, as the resume decision sees it, for any id scheme: the scheme's order,
 * the newest position, and the newest one no longer held.
 */
export interface ResumeView<P> {
  /** The epoch of the positions held: a cursor of another epoch is reset. Undefined for ids without one. */
  readonly epoch: string | undefined;
  /** The scheme's order: negative, zero or positive, as `a` comes before, is, or comes after `b`. */
  compare(a: P, b: P): number;
  /** The newest position; undefined before the first event of ids without a start position. */
  readonly head: P | undefined;
  /** The newest position no longer held: everything after it is. Undefined while nothing was dropped. */
  readonly floor: P | undefined;
  /** Whether every event after `at` is held: `at` is the floor (or the start while nothing was dropped) or an event held. */
  holds(at: P): boolean;
}

/**
 * The resume decision. `ahead` (past the head) and `older` (before the floor) are for a history
 * that may know more than its view: Redis catches up with a cursor a faster instance issued, and
 * reads one older than its window from the stream. Any other history settles them
 * ({@link settleResume}) as `unknown` and `expired`.
 */
export type ResumeDecision<P> =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'replay'; readonly after: P }
  | { readonly kind: 'reset'; readonly reason: ResetReason }
  | { readonly kind: 'ahead'; readonly at: P }
  | { readonly kind: 'older'; readonly at: P };

/**
 * Decides how to start a stream for a client that sent `cursor`, for every id scheme (epoch ids,
 * supplied ids, Redis stream ids), so every history resets for the same reasons. Pure: no I/O,
 * never throws.
 *
 * Exact resume needs every event after the cursor to be held; anything else is a `reset`, so a
 * client never skips events without being told.
 *
 * @param cursor - the `Last-Event-ID` as the id scheme read it
 * @param view - what the history holds
 */
export function planResume<P>(cursor: Cursor<P>, view: ResumeView<P>): ResumeDecision<P> {
  // #region plan
  switch (cursor.kind) {
    case 'none':
      return { kind: 'fresh' };
    case 'invalid':
      return { kind: 'reset', reason: 'invalid' };
    case 'position': {
      const { at } = cursor;
      if (cursor.epoch !== view.epoch) return { kind: 'reset', reason: 'epoch' };
      // The floor is still an exact resume (everything after it is held), the head one with nothing to replay.
      if (view.holds(at)) return { kind: 'replay', after: at };
      if (view.head === undefined || view.compare(at, view.head) > 0) return { kind: 'ahead', at };
      if (view.floor !== undefined && view.compare(at, view.floor) < 0) return { kind: 'older', at };
      // Between held events, yet not one of them: an id this history never issued.
      return { kind: 'reset', reason: 'unknown' };
    }
  }
  // #endregion plan
}

/**
 * A decision for a history that holds everything it knows: `ahead` is `unknown` (never issued
 * here), `older` is `expired` (evicted); a replay is given in sequence numbers.
 *
 * @param seqOf - the sequence number of a position the view holds
 */
export function settleResume<P>(decision: ResumeDecision<P>, seqOf: (at: P) => number): ResumePlan {
  switch (decision.kind) {
    case 'ahead':
      return { kind: 'reset', reason: 'unknown' };
    case 'older':
      return { kind: 'reset', reason: 'expired' };
    case 'replay':
      return { kind: 'replay', afterSeq: seqOf(decision.after) };
    default:
      return decision;
  }
}

/** The part of a channel's state the decision needs, with the channel's own `<epoch>-<seq>` ids. */
export interface HistoryState {
  readonly epoch: string;
  /** Newest sequence number (0 before any event). */
  readonly head: number;
  /** Oldest retained sequence number (`head + 1` when nothing is retained). */
  readonly oldest: number;
}

/** The `<epoch>-<seq>` scheme: reads a `Last-Event-ID` with {@link parseLastEventId}. */
export function readEpochCursor(value: string | readonly string[] | undefined): Cursor<number> {
  const parsed = parseLastEventId(value);
  return parsed.kind === 'position' ? { kind: 'position', epoch: parsed.epoch, at: parsed.seq } : parsed;
}

/** The `<epoch>-<seq>` scheme's view of a channel: every sequence number from `oldest - 1` to `head` is held. */
export function epochView(state: HistoryState): ResumeView<number> {
  const floor = state.oldest - 1;
  return { epoch: state.epoch, compare: (a, b) => a - b, head: state.head, floor, holds: (seq) => seq >= floor && seq <= state.head };
}

/** The part of a channel with supplied ids that the decision needs. */
export interface SuppliedIdState {
  readonly policy: IdPolicy;
  /** The sequence number of a kept id: a retained event's, or the newest evicted one's. */
  seqOf(id: string): number | undefined;
  /** The newest id published, undefined before any. */
  readonly headId: string | undefined;
  /** The newest evicted id (everything after it is retained), undefined while nothing was evicted. */
  readonly floorId: string | undefined;
}

/**
 * The position of a supplied-id channel's start id (its `<epoch>-0`, the cursor a stream names
 * before the first event): before every id. No policy's id is empty, since an empty
 * `Last-Event-ID` is no cursor at all.
 */
export const SUPPLIED_START = '';

/**
 * The supplied-id scheme: the policy parses what {@link readLastEventId} read (with no length cap:
 * a policy that accepts longer ids at publish must see them come back); the channel's start id
 * reads as {@link SUPPLIED_START}.
 *
 * @param value - the raw `Last-Event-ID` (duplicates arrive as an array, or joined with `, `)
 * @param policy - which ids are acceptable
 * @param startId - the channel's `<epoch>-0`
 */
export function readSuppliedCursor(value: string | readonly string[] | undefined, policy: IdPolicy, startId: string): Cursor<string> {
  const read = readLastEventId(value, Infinity);
  if (read.kind !== 'text') return read;
  if (read.text === startId) return { kind: 'position', epoch: undefined, at: SUPPLIED_START };
  if (!policy.accepts(read.text)) return { kind: 'invalid', detail: `not a ${policy.name} id` };
  return { kind: 'position', epoch: undefined, at: read.text };
}

/**
 * The supplied-id scheme's view of a channel: kept ids are held (and the start while nothing was
 * evicted), in the policy's order.
 */
export function suppliedView(state: SuppliedIdState): ResumeView<string> {
  const { policy, floorId } = state;
  return {
    epoch: undefined,
    compare: (a, b) => (a === b ? 0 : a === SUPPLIED_START ? -1 : b === SUPPLIED_START ? 1 : policy.compare(a, b)),
    head: state.headId,
    floor: floorId,
    holds: (id) => (id === SUPPLIED_START ? floorId === undefined : state.seqOf(id) !== undefined),
  };
}

/** Where a history stands, as the `reset` event reports it: in-memory sequence numbers or Redis stream ids. */
export interface ResetPosition {
  readonly epoch: string;
  /** The newest event's position. */
  readonly head: number | string;
  /** The oldest retained event's position. */
  readonly oldest: number | string;
  /** The id of the head event: the reset's own id. */
  readonly headId: string;
}

/**
 * Formats the `reset` event that starts a stream which cannot be resumed exactly. Its data says
 * why, as JSON: `{"reason", "epoch", "head", "oldest"}`. Text, not bytes: each history encodes it
 * as it encodes its events (Node's Buffer, or the portable entry's TextEncoder).
 *
 * @param reason - why the client's cursor could not be resumed
 * @param position - the history's epoch and retained range, and the head's id
 */
export function formatReset(reason: ResetReason, position: ResetPosition): string {
  // #region reset-event
  // The reset's own id moves the client's cursor to the head, so its next reconnect resumes
  // exactly instead of being reset again. The raw requested id is never echoed.
  const { epoch, head, oldest, headId } = position;
  return formatEvent({ event: 'reset', id: headId, data: JSON.stringify({ reason, epoch, head, oldest }) });
  // #endregion reset-event
}

import { encodeEvent } from '../protocol/encode.js';
import { readLastEventId, type LastEventIdResult } from '../protocol/last-event-id.js';
import type { IdPolicy } from './id-policy.js';

/** Why a client could not be resumed exactly. Sent as the `reason` of the `reset` event. */
export type ResetReason = 'invalid' | 'epoch' | 'unknown' | 'expired';

/** What to do with a connecting client. */
export type ResumePlan =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'replay'; readonly afterSeq: number }
  | { readonly kind: 'reset'; readonly reason: ResetReason };

/** The part of a channel's state the decision needs. */
export interface HistoryState {
  readonly epoch: string;
  /** Newest sequence number (0 before any event). */
  readonly head: number;
  /** Oldest retained sequence number (`head + 1` when nothing is retained). */
  readonly oldest: number;
}

/**
 * Decides how to start a stream for a client that sent `cursor`. Pure: no I/O, never throws.
 *
 * Exact resume needs every event after the cursor to be retained; anything else is a `reset`, so
 * a client never skips events without being told.
 *
 * @param cursor - the parsed `Last-Event-ID`
 * @param state - the channel's epoch and retained range
 */
export function planResume(cursor: LastEventIdResult, state: HistoryState): ResumePlan {
  // #region plan
  switch (cursor.kind) {
    case 'none':
      return { kind: 'fresh' };
    case 'invalid':
      return { kind: 'reset', reason: 'invalid' };
    case 'position':
      if (cursor.epoch !== state.epoch) return { kind: 'reset', reason: 'epoch' };
      if (cursor.seq > state.head) return { kind: 'reset', reason: 'unknown' };
      if (cursor.seq < state.oldest - 1) return { kind: 'reset', reason: 'expired' };
      return { kind: 'replay', afterSeq: cursor.seq };
  }
  // #endregion plan
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
  /**
   * The id a stream names as its cursor before the first event (the channel's `<epoch>-0`): a
   * resume from it replays everything while nothing was evicted.
   */
  readonly startId?: string | undefined;
}

/**
 * {@link planResume} for ids the application supplies. Exact when the id is kept (or is the
 * start id while nothing was evicted); otherwise a reset: `invalid` when the policy refuses it,
 * `expired` when it comes before the newest evicted id, `unknown` when the channel never
 * published it (between kept ids, or after the newest).
 * Pure: no I/O, never throws.
 *
 * @param value - the raw `Last-Event-ID` (duplicates arrive as an array, or joined with `, `)
 * @param state - the policy and what the channel keeps
 */
export function planSuppliedResume(value: string | readonly string[] | undefined, state: SuppliedIdState): ResumePlan {
  // No length cap here: a policy that accepts longer ids at publish must see them come back.
  const read = readLastEventId(value, Infinity);
  if (read.kind === 'none') return { kind: 'fresh' };
  if (read.kind === 'invalid') return { kind: 'reset', reason: 'invalid' };
  const id = read.text;
  if (id === state.startId) return state.floorId === undefined ? { kind: 'replay', afterSeq: 0 } : { kind: 'reset', reason: 'expired' };
  if (!state.policy.accepts(id)) return { kind: 'reset', reason: 'invalid' };
  const seq = state.seqOf(id);
  if (seq !== undefined) return { kind: 'replay', afterSeq: seq };
  if (state.floorId !== undefined && state.policy.compare(id, state.floorId) < 0) return { kind: 'reset', reason: 'expired' };
  return { kind: 'reset', reason: 'unknown' };
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
 * Encodes the `reset` event that starts a stream which cannot be resumed exactly. Its data says
 * why, as JSON: `{"reason", "epoch", "head", "oldest"}`.
 *
 * @param reason - why the client's cursor could not be resumed
 * @param position - the history's epoch and retained range, and the head's id
 */
export function encodeReset(reason: ResetReason, position: ResetPosition): Buffer {
  // #region reset-event
  // The reset's own id moves the client's cursor to the head, so its next reconnect resumes
  // exactly instead of being reset again. The raw requested id is never echoed.
  const { epoch, head, oldest, headId } = position;
  return encodeEvent({ event: 'reset', id: headId, data: JSON.stringify({ reason, epoch, head, oldest }) });
  // #endregion reset-event
}

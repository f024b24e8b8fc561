import type { LastEventIdResult } from '../protocol/last-event-id.js';

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

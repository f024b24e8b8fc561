import type { ProbeRecord } from '../probe.js';
import type { RoundTrip } from '../round-trips.js';
import type { Observation } from '../observation.js';
import type { ResolvedTarget } from '../target.js';

/** What every check reads: the target, the main observation and the published round trips. */
export interface Context {
  readonly target: ResolvedTarget;
  readonly observation: Observation;
  /** Undefined when the target has no publish URL. */
  readonly roundTrips: readonly RoundTrip[] | undefined;
  /** The random marker of this run, inside every published payload. */
  readonly nonce: string;
  /** Other event streams opened by checks (resume, hostile input), for rules about every connection. */
  readonly otherStreams: ProbeRecord[];
  /** Ids of the server's shape that it never sent, which the suite sent as Last-Event-ID, and when. */
  readonly unknownIdsSent: { readonly id: string; readonly at: number }[];
  /**
   * When each stream the checks opened was requested and when it got its head (`performance.now()`),
   * for rules about what that does to the main stream. A server may answer the other streams before
   * it writes the new one's head, and the two sockets are read in either order.
   */
  readonly opened: { readonly sentAt: number; readonly headAt: number }[];
  /**
   * How long a stream request may take to answer: the timeout, or more when the first connection
   * showed that this server sends its headers late (Node holds them until the first write), so a
   * slow first byte is reported once, by SSE-S01, and not as a missing answer everywhere.
   */
  readonly answerWaitMs: number;
  /** What the suite learned of the server's capacity before the rules that open more connections. */
  capacity: Capacity;
  /** Set when the server stopped answering after a probe (which one): later probes that get no answer are not blamed. */
  stalled: string | undefined;
}

/** How many streams the server serves at once, as far as the suite needs to know. */
export interface Capacity {
  /** The streams served at once, when a limit was found within the suite's needs; undefined: no limit seen. */
  readonly servesAtOnce: number | undefined;
  /** Streams the checks may hold beside the main one. */
  readonly slots: number;
  /** What the stream over the limit got: its record, and whether it hung with no answer. */
  readonly over?: { readonly record: ProbeRecord; readonly isHang: boolean };
}

/**
 * Why a probe that got no answer is not its rule's fault, when the suite knows a cause: the
 * server serves few streams at once (reported once, by SSE-S12), or it stopped answering after an
 * earlier probe (reported by that probe's rule).
 */
export function knownCause(context: Context): string | undefined {
  const n = context.capacity.servesAtOnce;
  if (n !== undefined) return `not judged: the server serves ${n} stream${n === 1 ? '' : 's'} at a time (see SSE-S12)`;
  return context.stalled === undefined ? undefined : `not judged: ${context.stalled}`;
}

/** The wait for stream answers, from the target's timeout and the first connection's time to headers. */
export function answerWait(timeoutMs: number, firstHeadAtMs: number | undefined): number {
  return Math.min(20_000, Math.max(timeoutMs, firstHeadAtMs === undefined ? 0 : 1.5 * firstHeadAtMs + 500));
}

/** The published cases of one rule that the server accepted. */
export function acceptedTrips(context: Context, rule: string): RoundTrip[] {
  return (context.roundTrips ?? []).filter((t) => t.payload.rule === rule && isAccepted(t));
}

/** Whether a publish was answered 2xx. */
export function isAccepted(trip: RoundTrip): boolean {
  return trip.answer.status !== undefined && trip.answer.status >= 200 && trip.answer.status < 300;
}

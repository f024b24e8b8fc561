import type { ProbeRecord } from '../probe.js';
import type { RoundTrip } from '../round-trips.js';
import type { Observation } from '../session.js';
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
}

/** The published cases of one rule that the server accepted. */
export function acceptedTrips(context: Context, rule: string): RoundTrip[] {
  return (context.roundTrips ?? []).filter((t) => t.payload.rule === rule && isAccepted(t));
}

/** Whether a publish was answered 2xx. */
export function isAccepted(trip: RoundTrip): boolean {
  return trip.answer.status !== undefined && trip.answer.status >= 200 && trip.answer.status < 300;
}

import type { Probe } from '../probe.js';
import type { Observation } from '../observation.js';
import type { Context } from './context.js';
import { lineKind, parseTimed, splitBlocks, splitLines, type WireLine } from '../wire.js';
import { fail, isBeyond, marginOf, ms, notApplicable, pass, type CheckResult } from './result.js';

/** Heartbeat and timing: SSE-S01, S02, S16. Reads the observation once it is over. */
export function checkTiming(context: Context): CheckResult[] {
  return [checkFirstByte(context), checkIdleGaps(context), checkCleanEnd(context)];
}

/**
 * Whether the observation has seen enough to judge SSE-S02 (see {@link idleVerdict}), or a first
 * connection never answered (SSE-S01's to report).
 */
export function canJudgeIdleGaps(observation: Observation, boundMs: number): boolean {
  const first = observation.first;
  if (first.record.headAtMs === undefined && (first.elapsedMs > boundMs || first.record.end !== undefined)) return true;
  if (first.record.head !== undefined && first.record.head.status !== 200) return true;
  return idleVerdict(observation.segments, boundMs).kind !== 'short';
}

/** What the watch says about idle gaps so far. */
interface IdleVerdict {
  readonly kind: 'fail' | 'pass' | 'busy' | 'short';
  readonly text: string;
}

/**
 * SSE-S02. A heartbeat shows only when the app is quiet: a silence past the bound (and its margin)
 * fails; a connection quiet (no event) for that long with every silence shorter passes, as does one
 * whose comment lines came at least twice, close enough. A stream that events kept busy for the
 * whole bound says nothing about its quiet times: not judged.
 */
export function idleVerdict(segments: readonly Probe[], boundMs: number): IdleVerdict {
  const limit = boundMs + marginOf(boundMs);
  const shownBound = `bound ${ms(boundMs)}, margin ${ms(marginOf(boundMs))}`;
  let longestOpen = 0;
  let worst = 0;
  let quietest = 0;
  let commentEvery: number | undefined;
  for (const [index, probe] of segments.entries()) {
    const { record } = probe;
    if (record.head?.status !== 200 || record.headAtMs === undefined) continue;
    const now = record.endAtMs ?? probe.elapsedMs;
    const wire = [record.headAtMs, ...record.wireArrivals.map((a) => a.atMs), now];
    const { gap, from } = longestStep(wire);
    if (gap > limit) return { kind: 'fail', text: `silent for ${ms(gap)} from ${ms(from)} on connection ${index + 1} (${shownBound})` };
    worst = Math.max(worst, gap);
    longestOpen = Math.max(longestOpen, now - record.headAtMs);
    quietest = Math.max(quietest, longestStep([record.headAtMs, ...parseTimed(record.body, record.arrivals).events.map((e) => e.atMs), now]).gap);
    const comments = splitBlocks(splitLines(record.body, record.arrivals))
      .filter((block) => block.isEnded && block.lines.every((l) => lineKind(l.text) === 'comment'))
      .map((block) => (block.lines.at(-1) as WireLine).atMs);
    if (comments.length >= 2) commentEvery = Math.max(commentEvery ?? 0, longestStep(comments).gap);
  }
  if (quietest > limit) return { kind: 'pass', text: `quiet (no event) for ${ms(quietest)}, longest silence ${ms(worst)} (${shownBound})` };
  if (commentEvery !== undefined && commentEvery <= limit) {
    return { kind: 'pass', text: `comment lines at most ${ms(commentEvery)} apart, longest silence ${ms(worst)} over ${ms(longestOpen)} (${shownBound})` };
  }
  if (longestOpen >= boundMs && quietest < boundMs) {
    return {
      kind: 'busy',
      text: `not judged: events kept the stream busy (never quiet for more than ${ms(quietest)} in ${ms(longestOpen)}), so a heartbeat could not show; run --only SSE-S02 against an instance with nothing to publish`,
    };
  }
  if (longestOpen >= boundMs) {
    // Quiet past the bound but not past its margin: a longer watch may still show a heartbeat or a silence.
    return {
      kind: 'short',
      text: `not judged: quiet for ${ms(quietest)} at most in ${ms(longestOpen)}, past the bound but within its margin: neither a heartbeat nor a silence past the margin showed (a longer --observe may)`,
    };
  }
  return { kind: 'short', text: `watched a connection for ${ms(longestOpen)} only, quiet for ${ms(quietest)} at most: too short to show a heartbeat or its absence (raise --observe)` };
}

/** The longest step between consecutive times, and where it starts. */
function longestStep(times: readonly number[]): { readonly gap: number; readonly from: number } {
  let gap = 0;
  let from = 0;
  for (let i = 1; i < times.length; i++) {
    const step = (times[i] as number) - (times[i - 1] as number);
    if (step > gap) [gap, from] = [step, times[i - 1] as number];
  }
  return { gap, from };
}

function checkFirstByte(context: Context): CheckResult {
  const record = context.observation.first.record;
  const bound = context.target.firstByteMaxMs;
  if (record.headAtMs === undefined) {
    // A refused or failed connection is SSE-M01's to report; S01 is about a server that answers slowly.
    if (record.end === 'error' || record.end === 'reset') return notApplicable('SSE-S01', `no connection (${record.error ?? record.end})`);
    return fail('SSE-S01', `no response head in ${ms(record.endAtMs ?? 0)} (${record.end ?? ''})`);
  }
  // Only the head counts: EventSource opens on it, and proxies forward it at once; a late first
  // body byte on a stream whose head came is an idle stream, SSE-S02's to judge.
  const first = record.wireArrivals[0]?.atMs;
  const body = first === undefined ? 'no body byte yet' : `first body byte after ${ms(first)}`;
  if (isBeyond(record.headAtMs, bound)) {
    const held = first !== undefined && first - record.headAtMs < 50 ? ', with the first body bytes: held until the first write' : '';
    return fail('SSE-S01', `response head after ${ms(record.headAtMs)}${held} (bound ${ms(bound)}, margin ${ms(marginOf(bound))})`);
  }
  return pass('SSE-S01', `response head after ${ms(record.headAtMs)}, ${body}`);
}

function checkIdleGaps(context: Context): CheckResult {
  const { kind, text } = idleVerdict(context.observation.segments, context.target.heartbeatMaxMs);
  return kind === 'fail' ? fail('SSE-S02', text) : kind === 'pass' ? pass('SSE-S02', text) : notApplicable('SSE-S02', text);
}

function checkCleanEnd(context: Context): CheckResult {
  const ended = context.observation.segments.filter((p) => p.record.head?.status === 200 && p.record.end !== 'stopped' && p.record.end !== 'timeout');
  if (ended.length === 0) return notApplicable('SSE-S16', 'the stream stayed open while watched');
  for (const probe of ended) {
    const { framing, end, chunkSizes } = probe.record;
    const isClean = end === 'complete' || (end === 'closed' && framing === 'close');
    if (!isClean) {
      const what = framing === 'chunked' ? `no terminating chunk after ${chunkSizes.length} chunks` : framing === 'length' ? 'fewer bytes than Content-Length' : 'the connection failed';
      return fail('SSE-S16', `${end ?? ''}: ${what}${probe.record.error === undefined ? '' : ` (${probe.record.error})`}`);
    }
  }
  return pass('SSE-S16', `${ended.length} stream end${ended.length === 1 ? '' : 's'}, each framed cleanly`);
}

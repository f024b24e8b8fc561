import type { Probe, ProbeRecord } from '../probe.js';
import type { Observation } from '../session.js';
import type { Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';

/** Heartbeat and timing: SSE-S01, S02, S16. Reads the observation once it is over. */
export function checkTiming(context: Context): CheckResult[] {
  return [checkFirstByte(context), checkIdleGaps(context), checkCleanEnd(context)];
}

/**
 * Whether the observation has seen enough to judge SSE-S02: a connection open for the whole bound,
 * a silence longer than it, or a first connection that never answered (SSE-S01's to report).
 */
export function canJudgeIdleGaps(observation: Observation, boundMs: number): boolean {
  return observation.segments.some((probe: Probe) => {
    const { record } = probe;
    if (record.headAtMs === undefined) return probe.elapsedMs > boundMs || record.end !== undefined;
    if (record.head?.status !== 200) return true;
    const now = record.endAtMs ?? probe.elapsedMs;
    const last = record.wireArrivals.at(-1)?.atMs ?? record.headAtMs;
    return now - record.headAtMs >= boundMs || now - last > boundMs || longestGap(record).gapMs > boundMs;
  });
}

function checkFirstByte(context: Context): CheckResult {
  const record = context.observation.first.record;
  const bound = context.target.firstByteMaxMs;
  if (record.headAtMs === undefined) {
    // A refused or failed connection is SSE-M01's to report; S01 is about a server that answers slowly.
    if (record.end === 'error' || record.end === 'reset') return notApplicable('SSE-S01', `no connection (${record.error ?? record.end})`);
    return fail('SSE-S01', `no headers in ${ms(record.endAtMs ?? 0)} (${record.end ?? ''})`);
  }
  if (record.headAtMs > bound) return fail('SSE-S01', `headers after ${ms(record.headAtMs)} (bound ${ms(bound)})`);
  const first = record.wireArrivals[0]?.atMs;
  if (first === undefined) return fail('SSE-S01', `headers after ${ms(record.headAtMs)}, but no body byte at all`);
  if (first > bound) return fail('SSE-S01', `headers after ${ms(record.headAtMs)}, first body byte after ${ms(first)} (bound ${ms(bound)})`);
  return pass('SSE-S01', `headers after ${ms(record.headAtMs)}, first byte after ${ms(first)}`);
}

/** The longest silence on one connection while it was open, and how long it was open. */
export function longestGap(record: ProbeRecord): { readonly gapMs: number; readonly openMs: number; readonly fromMs: number } {
  if (record.headAtMs === undefined) return { gapMs: 0, openMs: 0, fromMs: 0 };
  const times = [record.headAtMs, ...record.wireArrivals.map((a) => a.atMs), record.endAtMs ?? record.headAtMs];
  let gapMs = 0;
  let fromMs = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] as number) - (times[i - 1] as number);
    if (gap > gapMs) {
      gapMs = gap;
      fromMs = times[i - 1] as number;
    }
  }
  return { gapMs, openMs: (record.endAtMs ?? record.headAtMs) - record.headAtMs, fromMs };
}

function checkIdleGaps(context: Context): CheckResult {
  const bound = context.target.heartbeatMaxMs;
  let longestOpen = 0;
  let worst = 0;
  for (const [index, probe] of context.observation.segments.entries()) {
    if (probe.record.head?.status !== 200) continue;
    const { gapMs, openMs, fromMs } = longestGap(probe.record);
    longestOpen = Math.max(longestOpen, openMs);
    worst = Math.max(worst, gapMs);
    if (gapMs > bound) return fail('SSE-S02', `silent for ${ms(gapMs)} from ${ms(fromMs)} on connection ${index + 1} (bound ${ms(bound)})`);
  }
  if (longestOpen < bound) {
    return notApplicable('SSE-S02', `watched a connection for ${ms(longestOpen)} only, less than the ${ms(bound)} bound (raise --observe)`);
  }
  return pass('SSE-S02', `longest silence ${ms(worst)} over ${ms(longestOpen)} (bound ${ms(bound)})`);
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

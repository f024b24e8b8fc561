import type { Probe, ProbeRecord } from '../probe.js';
import { publish } from '../publish.js';
import { hasHead, isStream, openStream } from '../stream-request.js';
import { parseTimed } from '../wire.js';
import type { Capacity, Context } from './context.js';
import { fail, marginOf, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, streamProblem, tracked } from './streams.js';

/** How long a new stream must stay open to count as served rather than refused. */
const LIVE_MS = 300;

/** Limits: SSE-S12, S13 (a capacity probe, by default up to 32 streams) and S14 (with --slow-reader). Runs after the observation, alone. */
export async function checkLimits(context: Context): Promise<CheckResult[]> {
  // A server that stopped answering after an earlier probe is reported by that probe's rule.
  if (context.stalled !== undefined) return skipLimits(`not judged: ${context.stalled}`);
  return [...(await checkCapacity(context)), await checkSlowReader(context)];
}

/** The limits rules as n/a, with why they were not run (e.g. the run's deadline). */
export function skipLimits(why: string): CheckResult[] {
  return [notApplicable('SSE-S12', why), notApplicable('SSE-S13', why), notApplicable('SSE-S14', why)];
}

/**
 * One stream of the capacity probe, once its answer is known: served and open (`live`), served and
 * then ended for a cause that is not capacity (`cycled`: see {@link openClassified}), refused, or
 * no answer (`hang`).
 */
interface Opened {
  readonly probe: Probe;
  readonly kind: 'live' | 'cycled' | 'refused' | 'hang';
}

/** Streams the suite holds beside the main one before the capacity probe: five at once, under a browser's six per origin. */
export const SLOTS = 4;

/**
 * Diagnosis before blame: opens {@link SLOTS} streams beside the main one, at once, and counts
 * those served. A server that serves fewer is reported once, by SSE-S12 with its number, and the
 * checks hold no more streams than it serves; a server that serves them all has no limit the
 * checks can reach.
 */
export async function learnCapacity(context: Context): Promise<Capacity> {
  if (streamProblem(context) !== undefined) return { servesAtOnce: undefined, slots: SLOTS };
  // The main stream is what holds the server's capacity while these open: a quick end is a refusal only while it stays open.
  const main = (): Probe[] => context.observation.segments.slice(-1);
  const opened = await Promise.all(Array.from({ length: SLOTS }, () => openClassified(context, main)));
  const live = opened.filter((o) => o.kind === 'live' || o.kind === 'cycled').length;
  const over = opened.find((o) => o.kind === 'hang') ?? opened.find((o) => o.kind === 'refused');
  const records = await Promise.all(opened.map((o) => o.probe.close()));
  if (over === undefined) return { servesAtOnce: undefined, slots: SLOTS };
  return { servesAtOnce: 1 + live, slots: live, over: { record: records[opened.indexOf(over)] as ProbeRecord, isHang: over.kind === 'hang' } };
}

/**
 * Opens one stream and classifies its answer. A 200 stream that ends within {@link LIVE_MS} is a
 * refusal of capacity only when nothing else explains the end: it dispatched no event (a server
 * that ends a stream after an event, as Sinatra's README does on every message, served it), and
 * the streams that held the server's capacity when it got its head stayed open past its end (a
 * server that ends every stream at once, on a tick or a broadcast, is not counting streams). With
 * no such stream to compare with, a quick end is no sign of a limit either.
 *
 * @param companions - the streams served before this one that hold the server's capacity (the
 *   main stream, the probe's held streams; never streams still being classified, which may be
 *   refused themselves); undefined when the question is only whether a fresh stream is served
 *   (SSE-S13), where any quick end without an event is a refusal
 */
async function openClassified(context: Context, companions?: () => readonly Probe[]): Promise<Opened> {
  const { target } = context;
  const probe = tracked(context, openStream(target, context.observation.url, context.answerWaitMs + 10 * target.heartbeatMaxMs));
  await probe.waitFor(hasHead, context.answerWaitMs);
  // An accepted connection with no response head while the others are held: a worker pool full.
  if (probe.record.head === undefined && !probe.isEnded) return { probe, kind: 'hang' };
  if (!isStream(probe.record)) return { probe, kind: 'refused' };
  const holders = (companions?.() ?? []).filter((p) => p !== probe && hasHead(p) && !p.isEnded);
  const hasEnded = await probe.waitFor((p) => p.isEnded, LIVE_MS);
  if (!hasEnded) return { probe, kind: 'live' };
  if (parseTimed(probe.body, probe.record.arrivals).events.length > 0) return { probe, kind: 'cycled' };
  if (companions === undefined) return { probe, kind: 'refused' };
  // The ends of the other streams reach us a moment apart: give them as long again to show.
  if (holders.length > 0) await new Promise((resolve) => setTimeout(resolve, LIVE_MS));
  return { probe, kind: holders.length > 0 && holders.every((p) => !p.isEnded) ? 'refused' : 'cycled' };
}

/** The batches of the probe: 1, 1, 2, 4, 8, 16… streams, so the total doubles up to `bound`. */
function batches(bound: number): number[] {
  const sizes: number[] = [];
  let total = 0;
  while (total < bound) {
    const size = Math.min(Math.max(1, total), bound - total);
    sizes.push(size);
    total += size;
  }
  return sizes;
}

/** SSE-S12: what the stream over the limit got. */
function judgeOver(context: Context, limit: number, record: ProbeRecord, isHang: boolean): CheckResult {
  const refusal = `the server serves ${limit - 1} stream${limit === 2 ? '' : 's'} at a time: stream ${limit}, with ${limit - 1} open,`;
  if (isHang) return fail('SSE-S12', `${refusal} got no response head within ${ms(context.answerWaitMs)} (a hang: no answer, no retry)`);
  const retry = parseTimed(record.body, record.arrivals).retries[0];
  return !isStream(record)
    ? fail('SSE-S12', `${refusal} → ${describeAnswer(record)}: EventSource gives up for good`)
    : retry === undefined
      ? fail('SSE-S12', `${refusal} → 200, ended without a retry: hint`)
      : pass('SSE-S12', `${refusal} → 200, retry: ${retry.value}, ended after ${ms(record.endAtMs ?? 0)}`);
}

async function checkCapacity(context: Context): Promise<CheckResult[]> {
  const problem = streamProblem(context);
  if (problem !== undefined) return [notApplicable('SSE-S12', problem), notApplicable('SSE-S13', problem)];
  // The limit the diagnosis found: judged from what it saw, and S13 from a server now free of the main stream.
  const { servesAtOnce, over: seen } = context.capacity;
  if (servesAtOnce !== undefined && seen !== undefined) {
    return [judgeOver(context, servesAtOnce + 1, seen.record, seen.isHang), await checkServedAgain(context, servesAtOnce + 1)];
  }
  const known = context.target.capacity;
  const bound = known === undefined ? context.target.capacityProbe : known + 1;
  if (bound === 0) {
    const why = 'the capacity probe is off (--capacity-probe 0)';
    return [notApplicable('SSE-S12', why), notApplicable('SSE-S13', why)];
  }
  const held: Probe[] = [];
  let over: Opened | undefined;
  try {
    for (const size of batches(bound)) {
      const opened = await Promise.all(Array.from({ length: size }, () => openClassified(context, () => held)));
      for (const one of opened) {
        if (one.kind === 'live' || one.kind === 'cycled') held.push(one.probe);
        else if (over === undefined || (over.kind === 'refused' && one.kind === 'hang')) {
          if (over !== undefined) await over.probe.close();
          over = one;
        } else await one.probe.close();
      }
      if (over !== undefined) break;
    }
    if (over === undefined) {
      // Streams the server ended on its own (after an event, or with the others) were served: say so, as they were not all open at once.
      const ended = held.filter((p) => p.isEnded).length;
      const served = ended === 0 ? `${held.length} streams open at once were all served` : `${held.length} streams were all served (${ended} ended by the server with an event or together with the others, not refused)`;
      const why = `${served}: no limit within ${bound}${known === undefined ? ' (--capacity-probe)' : ` (--capacity ${known})`}`;
      return [notApplicable('SSE-S12', why), notApplicable('SSE-S13', why)];
    }
    // Streams the server ended on its own do not hold its capacity: the limit is what was open.
    const limit = held.filter((p) => !p.isEnded).length + 1;
    const s12 = judgeOver(context, limit, await over.probe.close(), over.kind === 'hang');
    await Promise.all(held.splice(0).map((p) => p.close()));
    return [s12, await checkServedAgain(context, limit)];
  } finally {
    await Promise.all(held.map((p) => p.close()));
  }
}

/** SSE-S13: once every stream of the probe is closed, a fresh stream is served again within the bound. */
async function checkServedAgain(context: Context, limit: number): Promise<CheckResult> {
  const bound = context.target.heartbeatMaxMs;
  const started = performance.now();
  let last = '';
  while (performance.now() - started <= bound + marginOf(bound)) {
    const { probe, kind } = await openClassified(context);
    const record = await probe.close();
    if (kind === 'live' || kind === 'cycled') return pass('SSE-S13', `all closed, a fresh stream was served again after ${ms(performance.now() - started - LIVE_MS)} (limit found at stream ${limit})`);
    last = kind === 'hang' ? 'no answer (a hang)' : describeAnswer(record);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return fail('SSE-S13', `all ${limit - 1} streams closed, but ${ms(performance.now() - started)} later a fresh stream still got ${last} (bound ${ms(bound)}, margin ${ms(marginOf(bound))})`);
}

async function checkSlowReader(context: Context): Promise<CheckResult> {
  const { target } = context;
  if (!target.slowReader || target.publishUrl === undefined) return notApplicable('SSE-S14', 'needs --publish <url> and --slow-reader');
  const problem = streamProblem(context);
  if (problem !== undefined) return notApplicable('SSE-S14', problem);
  const probe = openStream(target, context.observation.url, context.answerWaitMs + target.timeoutMs * 4);
  try {
    await probe.waitFor(hasHead, context.answerWaitMs);
    if (!isStream(probe.record)) return notApplicable('SSE-S14', `the stream answered ${describeAnswer(probe.record)}`);
    probe.setReading(false);
    const chunk = `[${context.nonce} slow] ${'x'.repeat(48 * 1024)}`;
    let sent = 0;
    while (sent < target.slowReaderBytes) {
      const answer = await publish(target, chunk);
      if (answer.status === undefined || answer.status >= 300) {
        return notApplicable('SSE-S14', `a 48 KiB publish was answered ${answer.status ?? answer.error} after ${sent} bytes`);
      }
      sent += chunk.length;
    }
    // Give the server a moment to notice, then read what it kept for us.
    await new Promise((resolve) => setTimeout(resolve, 500));
    probe.setReading(true);
    await probe.waitFor((p) => p.isEnded, target.timeoutMs);
    const record = probe.record;
    if (record.end === undefined || record.end === 'stopped' || record.end === 'timeout') {
      return fail('SSE-S14', `a client that stopped reading was kept while ${sent} bytes were published; it got ${probe.body.length} bytes, still open`);
    }
    return pass('SSE-S14', `a client that stopped reading was cut (${record.end}) after ${probe.body.length} of ${sent} published bytes`);
  } finally {
    await probe.close();
  }
}

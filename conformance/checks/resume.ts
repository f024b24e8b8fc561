import { isStream } from '../session.js';
import { escape, fieldValue, lineKind, parseTimed, splitLines } from '../wire.js';
import type { Context } from './context.js';
import type { ProbeRecord } from '../probe.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, mapLimit, readStream, streamProblem } from './streams.js';

/** Ids and resume, the part that opens resumed streams: SSE-M12, S10, S11. Runs while the observation goes on. */
export async function checkResumes(context: Context): Promise<CheckResult[]> {
  return [await checkAnyLastEventId(context), await checkExactResume(context), await checkUnknownResume(context)];
}

/** Ids and resume, the part that reads every byte observed: SSE-S09, S08. Runs after the observation. */
export function checkIdsAndRetry(context: Context): CheckResult[] {
  return [checkIds(context), checkRetryHint(context)];
}

/** The ids the observation saw events carry, newest last. */
function seenIds(context: Context): string[] {
  return context.observation.events.filter((e) => e.hasOwnId && e.lastEventId !== '').map((e) => e.lastEventId);
}

async function checkAnyLastEventId(context: Context): Promise<CheckResult> {
  const problem = streamProblem(context);
  if (problem !== undefined) return notApplicable('SSE-M12', problem);
  const known = seenIds(context).at(-1);
  const values: [string, string | Buffer][] = [
    ...(known === undefined ? [] : [['a known id', known] as [string, string]]),
    ['an unknown id', 'sse-conformance-unknown-id'],
    ['"abc"', 'abc'],
    ['"-1"', '-1'],
    ['"1e3"', '1e3'],
    ['255 bytes', '9'.repeat(255)],
    ['non-ASCII UTF-8', Buffer.from('id-é✓', 'utf8')],
    ['a latin1 byte', Buffer.from([0x69, 0x64, 0xe9])],
  ];
  // Four at a time: quick, and within a small per-client cap.
  const records = await mapLimit(values, 4, async ([, value]) => (await readStream(context, value, false)).record);
  for (const [index, record] of records.entries()) {
    if (!isStream(record)) return fail('SSE-M12', `Last-Event-ID ${(values[index] as [string, unknown])[0]} → ${describeAnswer(record)}`);
  }
  const { record } = await readStream(context, undefined, false);
  if (!isStream(record)) return fail('SSE-M12', `after the resumes, a fresh connection → ${describeAnswer(record)}`);
  return pass('SSE-M12', `${values.length} Last-Event-ID values (${values.map(([l]) => l).join(', ')}) → 200 streams`);
}

const UNSAFE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f-\uffff]/;

function checkIds(context: Context): CheckResult {
  let total = 0;
  for (const [index, probe] of context.observation.segments.entries()) {
    if (probe.record.head?.status !== 200) continue;
    const ids = splitLines(probe.record.body)
      .filter((l) => lineKind(l.text) === 'id')
      .map((l) => fieldValue(l.text))
      .filter((id) => id !== '' && !id.includes('\0'));
    total += ids.length;
    const where = `on connection ${index + 1}`;
    const seen = new Set<string>();
    for (const id of ids) {
      if (Buffer.byteLength(id) > 128) return fail('SSE-S09', `id of ${Buffer.byteLength(id)} bytes ${where}: "${escape(id, 40)}" (over 128 bytes: past what the pending Fetch proposal would spare a preflight)`);
      const unsafe = UNSAFE.exec(id);
      if (unsafe !== null) return fail('SSE-S09', `id "${escape(id)}" ${where} holds "${escape(unsafe[0])}", not CORS-safe ASCII`);
      if (seen.has(id)) return fail('SSE-S09', `id "${escape(id)}" sent twice ${where}`);
      seen.add(id);
    }
    const order = decreasingPair(ids);
    if (order !== undefined) return fail('SSE-S09', `id "${escape(order[1])}" came after "${escape(order[0])}" ${where}`);
  }
  if (total === 0) return notApplicable('SSE-S09', 'no event carried an id: the stream is not resumable');
  return pass('SSE-S09', `${total} ids, unique, ordered, short and ASCII (last "${escape(seenIds(context).at(-1) ?? '')}")`);
}

/** When every id is `<same prefix><number>`, the first pair whose number does not grow. */
function decreasingPair(ids: readonly string[]): [string, string] | undefined {
  const shaped = ids.map((id) => /^(.*?)(\d+)$/.exec(id));
  const prefix = shaped[0]?.[1];
  if (shaped.some((m) => m === null || m[1] !== prefix)) return undefined;
  for (let i = 1; i < ids.length; i++) {
    if (BigInt((shaped[i] as RegExpExecArray)[2] as string) <= BigInt((shaped[i - 1] as RegExpExecArray)[2] as string)) {
      return [ids[i - 1] as string, ids[i] as string];
    }
  }
  return undefined;
}

async function checkExactResume(context: Context): Promise<CheckResult> {
  const events = context.observation.events;
  let pair: [number, number] | undefined;
  for (let i = events.length - 1; i > 0; i--) {
    const [before, after] = [events[i - 1], events[i]];
    if (before?.hasOwnId && after?.hasOwnId && before.segment === after.segment && before.lastEventId !== '' && after.lastEventId !== '') {
      pair = [i - 1, i];
      break;
    }
  }
  const problem = streamProblem(context);
  if (problem !== undefined) return notApplicable('SSE-S10', problem);
  if (pair === undefined) return notApplicable('SSE-S10', 'needs two consecutive events with ids (publish some, or watch longer)');
  const x = events[pair[0]]!;
  const next = events[pair[1]]!;
  const { record, events: resumed } = await readStream(context, x.lastEventId, true);
  if (!isStream(record)) return fail('SSE-S10', `Last-Event-ID "${escape(x.lastEventId)}" → ${describeAnswer(record)}`);
  const first = resumed[0];
  if (first === undefined) return fail('SSE-S10', `after Last-Event-ID "${escape(x.lastEventId)}", ${noEvent(record)}`);
  if (first.lastEventId === next.lastEventId && first.data === next.data && first.type === next.type) {
    return pass('SSE-S10', `after "${escape(x.lastEventId)}" the first event was "${escape(next.lastEventId)}", as observed`);
  }
  const kind = first.lastEventId === x.lastEventId ? 'a duplicate of X' : 'not the next one (a gap, or something else)';
  return fail('SSE-S10', `after X = "${escape(x.lastEventId)}" expected "${escape(next.lastEventId)}", got ${first.type} "${escape(first.lastEventId)}": ${kind}`);
}

async function checkUnknownResume(context: Context): Promise<CheckResult> {
  const latest = seenIds(context).at(-1);
  const problem = streamProblem(context);
  if (problem !== undefined) return notApplicable('SSE-S11', problem);
  if (latest === undefined) return notApplicable('SSE-S11', 'no event carried an id');
  const digits = /(\d+)(?!.*\d)/.exec(latest);
  if (digits === null) return notApplicable('SSE-S11', `id "${escape(latest)}" holds no number to move past the head`);
  // An id of the server's own shape, far ahead of anything it has sent: known to nobody.
  const future = latest.slice(0, digits.index) + (BigInt(digits[1] as string) + 1_000_000n).toString() + latest.slice(digits.index + (digits[1] as string).length);
  const { record, events } = await readStream(context, future, true);
  if (!isStream(record)) return fail('SSE-S11', `Last-Event-ID "${escape(future)}" → ${describeAnswer(record)}`);
  const first = events[0];
  const ordinary = new Set(context.observation.events.map((e) => e.type));
  ordinary.add('message');
  if (first === undefined) return fail('SSE-S11', `after unknown id "${escape(future)}", ${noEvent(record)}`);
  if (ordinary.has(first.type)) {
    return fail('SSE-S11', `after unknown id "${escape(future)}" the stream went on silently: first event ${first.type} "${escape(first.data, 40)}"`);
  }
  return pass('SSE-S11', `unknown id "${escape(future, 40)}" → event: ${first.type}, data "${escape(first.data, 50)}"`);
}

/** Why a resumed stream showed no event: it ended (a refusal?) or stayed quiet. */
function noEvent(record: ProbeRecord): string {
  return record.end === 'stopped' || record.end === 'timeout'
    ? `no event within ${ms(record.endAtMs ?? 0)}`
    : `the stream ended (${record.end ?? ''}) after ${ms(record.endAtMs ?? 0)} without an event: over capacity?`;
}

function checkRetryHint(context: Context): CheckResult {
  const records = context.observation.segments.map((p) => p.record).filter(isStream).concat(context.otherStreams);
  if (records.length === 0) return notApplicable('SSE-S08', 'no event stream was opened');
  const values: number[] = [];
  for (const [index, record] of records.entries()) {
    const { events, retries } = parseTimed(record.body, record.arrivals);
    const early = retries.find((r) => r.eventsBefore === 0);
    if (early === undefined) {
      const what = events.length === 0 ? `in ${record.body.length} bytes` : 'before the first event';
      return fail('SSE-S08', `no retry: hint ${what} on connection ${index + 1}`);
    }
    if (early.value < 1000) return fail('SSE-S08', `retry: ${early.value} on connection ${index + 1} (below 1000 ms: a reconnect storm)`);
    values.push(early.value);
  }
  const distinct = new Set(values).size;
  return pass('SSE-S08', `retry: ${Math.min(...values)}–${Math.max(...values)} ms on ${values.length} connections${distinct > 1 ? ', jittered' : ', not jittered'}`);
}

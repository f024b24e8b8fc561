import type { ProbeRecord } from '../probe.js';
import type { SeenEvent } from '../session.js';
import { isStream } from '../session.js';
import { escape, fieldValue, lineKind, parseTimed, splitLines, type TimedEvent } from '../wire.js';
import type { Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, mapLimit, readStream, streamProblem, type ReadStream } from './streams.js';

/** Old events that arrive this soon after the head were sent at once: a replay, not live traffic. */
const BURST_MS = 300;

/** Events without ids that come this soon after a connection's head are its greeting. */
const GREETING_MS = 100;

/** The start of a second connection left out when its ids are compared with the main one's. */
const ACROSS_SKIP_MS = 1000;

/** How long each resumed or fresh stream is read for a burst. */
const BURST_READ_MS = 600;

/**
 * Last-Event-ID values a strict server cannot place. Each is read as a number by some lenient
 * parser (`parseInt`, `Number`, `std::stoi`), which then replays history from there.
 */
const UNPLACEABLE: readonly (readonly [string, string | Buffer])[] = [
  ['"sse-conformance-unknown-id"', 'sse-conformance-unknown-id'],
  ['"abc"', 'abc'],
  ['"-1"', '-1'],
  ['"1e3"', '1e3'],
  ['"5abc"', '5abc'],
  ['" 7"', ' 7'],
  ['"+3"', '+3'],
  ['"0x10"', '0x10'],
  ['255 bytes', '9'.repeat(255)],
  ['non-ASCII UTF-8', Buffer.from('id-é✓', 'utf8')],
  ['a latin1 byte', Buffer.from([0x69, 0x64, 0xe9])],
];

/** The ids the observation saw events carry, in order, once each. */
function idEvents(context: Context): SeenEvent[] {
  const seen = new Set<string>();
  return context.observation.events.filter((e) => {
    if (!e.hasOwnId || e.lastEventId === '' || seen.has(e.lastEventId)) return false;
    seen.add(e.lastEventId);
    return true;
  });
}

/** `<prefix><digits>`: the number of an id, compared only with ids of the same prefix. Nothing else is read as a number. */
function idNumber(id: string): { readonly prefix: string; readonly n: bigint } | undefined {
  const match = /^(.*?)([0-9]+)$/.exec(id);
  if (match === null || (match[2] as string).length > 30) return undefined;
  return { prefix: match[1] as string, n: BigInt(match[2] as string) };
}

/**
 * Events a server sends at the start of every connection without an id (a `connected` greeting):
 * the events without an id that the observation's first connection got with its response head.
 */
function greetings(context: Context): Set<string> {
  const keys = new Set<string>();
  const { observation } = context;
  const headAt = observation.startedAt + (observation.first.record.headAtMs ?? 0);
  for (const e of observation.events) {
    if (e.segment !== 0 || e.hasOwnId || e.at - headAt > GREETING_MS) break;
    keys.add(`${e.type}\n${e.data}`);
  }
  return keys;
}

const isGreeting = (context: Context, e: TimedEvent): boolean => !e.hasOwnId && greetings(context).has(`${e.type}\n${e.data}`);

/** Waits (bounded by the observation's base window) until the observation has seen `count` events with ids. */
export async function waitForIds(context: Context, count: number): Promise<void> {
  const { observation } = context;
  const remaining = observation.baseDeadline - performance.now();
  await observation.waitUntil(() => idEvents(context).length >= count, Math.max(0, remaining));
}

/** Ids and resume, the part that opens streams: SSE-M12, S10, S11, S19, S20. Runs while the observation goes on. */
export async function checkResumes(context: Context): Promise<CheckResult[]> {
  const problem = streamProblem(context);
  if (problem !== undefined) return (['SSE-M12', 'SSE-S10', 'SSE-S11', 'SSE-S19', 'SSE-S20'] as const).map((id) => notApplicable(id, problem));
  // A second connection watched beside the main one, while the resumes go on. With the main one,
  // at most five streams are open at once: under a browser's six per origin, which servers often
  // take as their per-client cap.
  const [across, [m12, s10]] = await Promise.all([
    // Its first second is left out (a server may replay a little to a fresh connection): three events with ids after it.
    readStream(context, undefined, { events: 3, counts: (e) => e.hasOwnId && e.lastEventId !== '' && e.atMs > ACROSS_SKIP_MS + 200, forMs: Math.max(4000, context.target.timeoutMs) }),
    (async () => [await checkAnyLastEventId(context), await checkExactResume(context)] as const)(),
  ]);
  const s11 = await checkUnknownResume(context);
  return [m12.result, s10, s11.result, checkReplayVolume(context, [...m12.reads, ...(s11.read === undefined ? [] : [['an unknown id of the server\'s shape', s11.read] as const])]), checkAcross(context, across)];
}

/**
 * Ids and resume, the part that reads every byte observed: SSE-S09, S08, A02, and the rest of
 * SSE-S20 (did an id sent on another connection move the main stream's ids?). Runs after the
 * observation, with the results of {@link checkResumes}.
 */
export function checkIdsAndRetry(context: Context, resumes: readonly CheckResult[]): CheckResult[] {
  const judged = resumes.map((r) => (r.id === 'SSE-S20' ? judgeShift(context, r) : r));
  return [...judged, checkIds(context), ...checkRetryHint(context)];
}

/**
 * A server whose one counter follows any client's Last-Event-ID (the cookbook's `if (next_id <
 * start) next_id = start`) moves every client's ids when one client sends an id it never issued.
 */
function judgeShift(context: Context, across: CheckResult): CheckResult {
  if (across.status === 'fail') return across;
  for (const sent of context.unknownIdsSent) {
    const target = idNumber(sent.id);
    if (target === undefined) continue;
    const before = idEvents(context).filter((e) => e.at < sent.at).at(-1);
    const jumped = idEvents(context).find((e) => {
      const number = idNumber(e.lastEventId);
      return e.at >= sent.at && number !== undefined && number.prefix === target.prefix && number.n >= target.n;
    });
    if (jumped !== undefined) {
      return fail(
        'SSE-S20',
        `after another connection sent Last-Event-ID "${escape(sent.id, 30)}" (an id never sent), the main stream's ids jumped from "${escape(before?.lastEventId ?? '', 30)}" to "${escape(jumped.lastEventId, 30)}": one client's Last-Event-ID moves every client's ids`,
      );
    }
  }
  return across;
}

async function checkAnyLastEventId(context: Context): Promise<{ result: CheckResult; reads: (readonly [string, ReadStream])[] }> {
  const known = idEvents(context).at(-1)?.lastEventId;
  const values: (readonly [string, string | Buffer | undefined])[] = [
    ...(known === undefined ? [] : [['a known id', known] as const]),
    ...UNPLACEABLE,
    ['no Last-Event-ID (a fresh connection)', undefined],
  ];
  // Three at a time: quick, and within a small per-client cap.
  const reads = await mapLimit(values, 3, async ([, value]) => readStream(context, value, { atLeastMs: BURST_READ_MS }));
  const labelled = values.map(([label], i) => [label, reads[i] as ReadStream] as const);
  // Every stream but the known id's is also judged for a replay burst (SSE-S19), whatever M12 says.
  const unplaced = labelled.filter(([label]) => label !== 'a known id');
  const refused = labelled.find(([, read]) => !isStream(read.record));
  if (refused !== undefined) return { result: fail('SSE-M12', `Last-Event-ID ${refused[0]} → ${describeAnswer(refused[1].record)}`), reads: unplaced };
  const missing = known === undefined ? ' (no id seen, so no known id was tried)' : '';
  return {
    result: pass('SSE-M12', `${values.length - 1} Last-Event-ID values (${values.slice(0, -1).map(([l]) => l).join(', ')}) → 200 streams${missing}`),
    reads: unplaced,
  };
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
  if (total === 0) return notApplicable('SSE-S09', `no event carried an id in ${ms(watchedMs(context))}: the stream is not resumable`);
  return pass('SSE-S09', `${total} ids, unique, ordered, short and ASCII (last "${escape(idEvents(context).at(-1)?.lastEventId ?? '')}")`);
}

function watchedMs(context: Context): number {
  return (context.observation.stoppedAt ?? performance.now()) - context.observation.startedAt;
}

/** When every id is `<same prefix><number>`, the first pair whose number does not grow. */
function decreasingPair(ids: readonly string[]): [string, string] | undefined {
  const shaped = ids.map(idNumber);
  const prefix = shaped[0]?.prefix;
  if (shaped.some((m) => m === undefined || m.prefix !== prefix)) return undefined;
  for (let i = 1; i < ids.length; i++) {
    if ((shaped[i] as { n: bigint }).n <= (shaped[i - 1] as { n: bigint }).n) return [ids[i - 1] as string, ids[i] as string];
  }
  return undefined;
}

/** What the first event with an id on a resumed stream says about the resume from `x`. */
type ResumeVerdict = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly text: string };

async function judgeResume(context: Context, x: SeenEvent): Promise<ResumeVerdict> {
  const label = `Last-Event-ID "${escape(x.lastEventId, 40)}"`;
  const options = { events: 2, counts: (e: TimedEvent) => e.hasOwnId && e.lastEventId !== '', forMs: context.target.timeoutMs };
  let read = await readStream(context, x.lastEventId, options);
  if (isStream(read.record) && read.events.length === 0 && read.record.end === 'complete') {
    // Ended at once with no event: perhaps refused for the streams the suite holds; once more, later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    read = await readStream(context, x.lastEventId, options);
  }
  if (!isStream(read.record)) return { ok: false, text: `${label} → ${describeAnswer(read.record)}` };
  const resumed = read.events.filter((e) => !isGreeting(context, e) && (e.hasOwnId || !context.observation.events.some((o) => o.type === e.type)));
  const first = resumed[0];
  if (first === undefined) return { ok: false, text: `after ${label}, ${noEvent(read.record)}` };
  let list = idEvents(context);
  let at = list.findIndex((e) => e.lastEventId === first.lastEventId);
  if (at === -1 && first.hasOwnId && first.lastEventId !== '') {
    // Perhaps the live head, which the main stream has not received yet: give it a moment.
    await context.observation.waitForEvent((e) => e.lastEventId === first.lastEventId, context.target.timeoutMs);
    list = idEvents(context);
    at = list.findIndex((e) => e.lastEventId === first.lastEventId);
  }
  const xAt = list.findIndex((e) => e.lastEventId === x.lastEventId);
  const next = list[xAt + 1];
  const shown = (e: { type: string; lastEventId: string; data: string }): string => `${e.type} "${escape(e.lastEventId, 30)}" ("${escape(e.data, 30)}")`;
  if (at === -1) {
    const [xNumber, firstNumber] = [idNumber(x.lastEventId), idNumber(first.lastEventId)];
    const nextNumber = next === undefined ? undefined : idNumber(next.lastEventId);
    if (xNumber !== undefined && firstNumber !== undefined && xNumber.prefix === firstNumber.prefix && firstNumber.n < xNumber.n) {
      return { ok: false, text: `${label} → ${shown(first)} first, older than X: a replay from before X (duplicates)` };
    }
    if (nextNumber !== undefined && firstNumber !== undefined && nextNumber.prefix === firstNumber.prefix && firstNumber.n < nextNumber.n) {
      return { ok: false, text: `${label} → ${shown(first)} first, older than the next one ("${escape(next?.lastEventId ?? '', 30)}"): a replay from too far back` };
    }
    if (!first.hasOwnId || !context.observation.events.some((o) => o.type === first.type)) {
      return { ok: false, text: `${label}, an id the stream sent moments ago, → ${shown(first)} first, not a replay: every reconnect loses events` };
    }
    return { ok: false, text: `${label} → ${shown(first)}, an event the main stream never carried` };
  }
  const seenAs = list[at] as SeenEvent;
  if (seenAs.type !== first.type || seenAs.data !== first.data) {
    return { ok: false, text: `${label} → id "${escape(first.lastEventId, 30)}" with data "${escape(first.data, 30)}"; the main stream had "${escape(seenAs.data, 30)}" under that id` };
  }
  if (at <= xAt) return { ok: false, text: `${label} → ${shown(first)} first: ${at === xAt ? 'X itself again' : `${xAt - at + 1} events X already had`} (a duplicate)` };
  if (at > xAt + 1) {
    // An event the main stream got only after this reconnect was live: the server started at its head.
    const isHead = seenAs.at >= read.openedAt;
    const skipped = at - xAt - 1;
    return {
      ok: false,
      text: `${label} → ${shown(first)} first, skipping ${skipped} event${skipped === 1 ? '' : 's'} from "${escape(next?.lastEventId ?? '', 30)}"${isHead ? ': the live head, with no notice (Last-Event-ID ignored?)' : ' (a gap)'}`,
    };
  }
  // The next event is right; the ones after it must follow in order, and no id may move back.
  let previous = first;
  let position = at;
  for (const e of resumed.slice(1)) {
    if (!e.hasOwnId || e.lastEventId === '') continue;
    const index = list.findIndex((o) => o.lastEventId === e.lastEventId);
    const [before, now] = [idNumber(previous.lastEventId), idNumber(e.lastEventId)];
    if (index === -1 && before !== undefined && now !== undefined && before.prefix === now.prefix && now.n < before.n) {
      return { ok: false, text: `${label} → "${escape(first.lastEventId, 30)}"…, then ${shown(e)}: the id goes back, so the next reconnect resumes from there` };
    }
    // An event the main stream has not received yet is live: the replay is over.
    if (index === -1) break;
    if (index !== position + 1) return { ok: false, text: `${label} → "${escape(first.lastEventId, 30)}"…, then ${shown(e)} where "${escape(list[position + 1]?.lastEventId ?? '', 30)}" came next on the main stream` };
    previous = e;
    position = index;
  }
  return { ok: true, text: `after "${escape(x.lastEventId, 30)}" came "${escape(first.lastEventId, 30)}"${resumed.length > 1 ? ` and ${resumed.length - 1} more in order` : ''}` };
}

async function checkExactResume(context: Context): Promise<CheckResult> {
  const list = idEvents(context);
  if (list.length < 2) {
    return notApplicable('SSE-S10', list.length === 0 ? `no event carried an id in ${ms(watchedMs(context))}` : 'only one event carried an id: no next event to resume to');
  }
  // Two different ids: the one before the newest, and an older one, so a server that always
  // answers with its newest events cannot pass by chance.
  const late = list[list.length - 2] as SeenEvent;
  const early = list[Math.max(0, list.length - 6)] as SeenEvent;
  const targets = early === late ? [late] : [early, late];
  const verdicts: ResumeVerdict[] = [];
  for (const x of targets) verdicts.push(await judgeResume(context, x));
  const bad = verdicts.find((v) => !v.ok);
  if (bad !== undefined) return fail('SSE-S10', bad.text);
  return pass('SSE-S10', verdicts.map((v) => v.text).join('; '));
}

async function checkUnknownResume(context: Context): Promise<{ result: CheckResult; read: ReadStream | undefined }> {
  const ids = idEvents(context).map((e) => e.lastEventId);
  const latest = ids.at(-1);
  if (latest === undefined) return { result: notApplicable('SSE-S11', `no event carried an id in ${ms(watchedMs(context))}`), read: undefined };
  // Past the largest number of the latest id's shape: a greeting's small id must not make it "old".
  const shape = ids
    .map(idNumber)
    .filter((n): n is { prefix: string; n: bigint } => n !== undefined && n.prefix === idNumber(latest)?.prefix)
    .reduce<{ prefix: string; n: bigint } | undefined>((max, n) => (max === undefined || n.n > max.n ? n : max), undefined);
  // An id of the server's own shape, far ahead of anything it has sent: known to nobody.
  const future = shape === undefined ? `${latest}-sse-conformance-unknown` : `${shape.prefix}${shape.n + 1_000_000n}`;
  context.unknownIdsSent.push({ id: future, at: performance.now() });
  const read = await readStream(context, future, { events: 1, counts: (e) => !isGreeting(context, e), atLeastMs: BURST_READ_MS });
  const { record, events } = read;
  if (!isStream(record)) return { result: fail('SSE-S11', `Last-Event-ID "${escape(future)}" → ${describeAnswer(record)}`), read };
  const first = events.find((e) => !isGreeting(context, e));
  const ordinary = new Set(context.observation.events.map((e) => e.type));
  ordinary.add('message');
  if (first === undefined) return { result: fail('SSE-S11', `after unknown id "${escape(future, 40)}", ${noEvent(record)}`), read };
  if (ordinary.has(first.type)) {
    return { result: fail('SSE-S11', `after unknown id "${escape(future, 40)}" the stream went on with no notice: first event ${first.type} "${escape(first.data, 40)}"`), read };
  }
  return { result: pass('SSE-S11', `unknown id "${escape(future, 40)}" → event: ${first.type}, data "${escape(first.data, 50)}"`), read };
}

/** Why a resumed stream showed no event: it ended (a refusal?) or stayed quiet. */
function noEvent(record: ProbeRecord): string {
  return record.end === 'stopped' || record.end === 'timeout'
    ? `no event within ${ms(record.endAtMs ?? 0)}`
    : `the stream ended (${record.end ?? ''}) after ${ms(record.endAtMs ?? 0)} without an event: over capacity?`;
}

/**
 * SSE-S19: old events sent at once on a stream that did not ask for them. "Old" is an event the
 * main stream had received before this stream was opened (same id, type and data), or, for ids of
 * the form `<prefix><number>`, an ordinary event numbered at or below the main stream's head then.
 */
function countOld(context: Context, read: ReadStream): { old: number; firstOld: string } {
  const before = context.observation.events.filter((e) => e.at < read.openedAt);
  const keys = new Set(before.filter((e) => e.hasOwnId).map((e) => `${e.lastEventId}\n${e.type}\n${e.data}`));
  const ordinary = new Set(before.map((e) => e.type));
  const heads = new Map<string, bigint>();
  for (const e of before) {
    const number = e.hasOwnId ? idNumber(e.lastEventId) : undefined;
    if (number !== undefined && number.n > (heads.get(number.prefix) ?? -1n)) heads.set(number.prefix, number.n);
  }
  // Payloads that appear once only on the main stream identify an event even without an id.
  const counts = new Map<string, number>();
  for (const e of before) counts.set(`${e.type}\n${e.data}`, (counts.get(`${e.type}\n${e.data}`) ?? 0) + 1);
  const headAt = read.record.headAtMs ?? 0;
  let old = 0;
  let firstOld = '';
  for (const e of read.events) {
    if (e.atMs > headAt + BURST_MS || isGreeting(context, e)) continue;
    const number = e.hasOwnId ? idNumber(e.lastEventId) : undefined;
    const head = number === undefined ? undefined : heads.get(number.prefix);
    const isOld =
      (e.hasOwnId && keys.has(`${e.lastEventId}\n${e.type}\n${e.data}`)) ||
      (number !== undefined && head !== undefined && number.n <= head && ordinary.has(e.type)) ||
      (!e.hasOwnId && counts.get(`${e.type}\n${e.data}`) === 1);
    if (isOld) {
      old++;
      if (firstOld === '') firstOld = e.hasOwnId ? `"${escape(e.lastEventId, 30)}"` : `"${escape(e.data, 30)}"`;
    }
  }
  return { old, firstOld };
}

/** The main stream's events per millisecond, once it has been watched for a while. */
function liveRate(context: Context): number | undefined {
  const { events, startedAt } = context.observation;
  const span = (events.at(-1)?.at ?? startedAt) - startedAt;
  return events.length < 3 || span < 1000 ? undefined : events.length / span;
}

function checkReplayVolume(context: Context, reads: readonly (readonly [string, ReadStream])[]): CheckResult {
  if (context.observation.events.length === 0) return notApplicable('SSE-S19', `the main stream carried no event in ${ms(watchedMs(context))}: nothing to tell old from new`);
  const rate = liveRate(context);
  for (const [label, read] of reads) {
    if (!isStream(read.record)) continue;
    const how = label.startsWith('no Last-Event-ID') ? 'a fresh connection' : `Last-Event-ID ${label}`;
    const { old, firstOld } = countOld(context, read);
    if (old >= 2) return fail('SSE-S19', `${how} → ${old} old events within ${ms(BURST_MS)} of the head (from ${firstOld}): a replay the client did not ask for`);
    // Events that cannot be told apart (no id, the same data): their number against the live rate.
    const headAt = read.record.headAtMs ?? 0;
    const early = read.events.filter((e) => e.atMs <= headAt + BURST_MS && !isGreeting(context, e)).length;
    if (rate !== undefined && early >= 5 && early > 4 * rate * BURST_MS + 2) {
      return fail('SSE-S19', `${how} → ${early} events within ${ms(BURST_MS)} of the head, where the main stream gets ${(rate * 1000).toFixed(1)} a second: a replay burst`);
    }
  }
  const streams = reads.filter(([, read]) => isStream(read.record)).length;
  if (streams === 0) return notApplicable('SSE-S19', 'no resumed or fresh stream was served to judge');
  return pass('SSE-S19', `${streams} streams (a fresh one, unknown and malformed ids) → no burst of old events`);
}

/**
 * SSE-S20: a second connection opened beside the main one. While both were open, the events with
 * ids that each received after its first second must overlap (a broadcast), and an id must name
 * the same event on both.
 */
function checkAcross(context: Context, read: ReadStream): CheckResult {
  if (!isStream(read.record)) return notApplicable('SSE-S20', `a second connection got ${describeAnswer(read.record)}`);
  const main = idEvents(context);
  if (main.length === 0) return notApplicable('SSE-S20', `no event carried an id in ${ms(watchedMs(context))}`);
  const byId = new Map(main.map((e) => [e.lastEventId, e]));
  const withIds = read.events.filter((e) => e.hasOwnId && e.lastEventId !== '');
  for (const e of withIds) {
    const seen = byId.get(e.lastEventId);
    if (seen !== undefined && (seen.type !== e.type || seen.data !== e.data)) {
      return fail('SSE-S20', `id "${escape(e.lastEventId, 30)}" is ${e.type} "${escape(e.data, 30)}" on a second connection and ${seen.type} "${escape(seen.data, 30)}" on the main one`);
    }
  }
  const from = read.openedAt + (read.record.headAtMs ?? 0) + ACROSS_SKIP_MS;
  const to = read.openedAt + (read.record.endAtMs ?? 0);
  const live = withIds.filter((e) => read.openedAt + e.atMs >= from);
  const mainLive = main.filter((e) => e.at >= from && e.at <= to);
  if (live.length < 2 || mainLive.length < 2) {
    return notApplicable('SSE-S20', `too few events with ids while two connections were open (${live.length} and ${mainLive.length} in ${ms(to - from)})`);
  }
  // A broadcast event reaches both connections at about the same time, under the same id.
  const tolerance = Math.max(1000, context.target.latencyMaxMs);
  const together = live.filter((e) => {
    const seen = byId.get(e.lastEventId);
    return seen !== undefined && Math.abs(seen.at - (read.openedAt + e.atMs)) <= tolerance;
  });
  if (together.length * 2 < live.length) {
    const show = (ids: readonly string[]): string => ids.slice(0, 3).map((id) => `"${escape(id, 20)}"`).join(', ');
    return fail(
      'SSE-S20',
      `while both were open the main connection got ${show(mainLive.map((e) => e.lastEventId))}… and a second one ${show(live.map((e) => e.lastEventId))}…, ${together.length} of ${live.length} the same within ${ms(tolerance)}: ids counted per connection, or one counter shared by all`,
    );
  }
  return pass('SSE-S20', `two connections open together got ${together.length} of ${live.length} events under the same ids at the same time`);
}

function checkRetryHint(context: Context): CheckResult[] {
  // Only the observation's connections: probes opened for other rules are judged by their own rules.
  const records = context.observation.segments.map((p) => p.record).filter(isStream);
  if (records.length === 0) {
    return [notApplicable('SSE-S08', 'no event stream was opened'), notApplicable('SSE-A02', 'no event stream was opened')];
  }
  const values: number[] = [];
  let s08: CheckResult | undefined;
  for (const [index, record] of records.entries()) {
    const { events, retries } = parseTimed(record.body, record.arrivals);
    const firstAt = events[0]?.atMs;
    // [spec] a retry: in the same write as the first event reaches the client before it needs it.
    const early = retries.find((r) => r.eventsBefore === 0 || (firstAt !== undefined && r.atMs <= firstAt));
    const where = index === 0 ? 'on the first connection' : `on connection ${index + 1} (the main stream's reconnect ${index}, with Last-Event-ID)`;
    if (early === undefined) {
      const what = events.length === 0 ? `in ${record.body.length} bytes` : 'before or with the first event';
      s08 = fail('SSE-S08', `no retry: hint ${what} ${where}`);
      break;
    }
    if (early.value < 1000) {
      s08 = fail('SSE-S08', `retry: ${early.value} ${where} (below 1000 ms: a reconnect storm)`);
      break;
    }
    values.push(early.value);
  }
  s08 ??= pass('SSE-S08', `retry: ${Math.min(...values)}–${Math.max(...values)} ms on ${values.length} connection${values.length === 1 ? '' : 's'}`);
  // Jitter is a property of many connections: every stream the suite opened counts here.
  const all = [...records, ...context.otherStreams]
    .map((r) => parseTimed(r.body, r.arrivals).retries[0]?.value)
    .filter((v): v is number => v !== undefined);
  const a02 =
    all.length < 2
      ? notApplicable('SSE-A02', all.length === 0 ? 'no connection sent retry:' : 'only one connection sent retry:')
      : new Set(all).size > 1
        ? pass('SSE-A02', `retry: ${Math.min(...all)}–${Math.max(...all)} ms over ${all.length} connections`)
        : fail('SSE-A02', `retry: ${all[0] ?? ''} on all ${all.length} connections`);
  return [s08, a02];
}

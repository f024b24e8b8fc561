import type { ProbeRecord } from '../probe.js';
import type { SeenEvent } from '../observation.js';
import { isStream } from '../stream-request.js';
import { escape, fieldValue, lineKind, parseTimed, splitBlocks, splitLines, writeEnds, type TimedEvent } from '../wire.js';
import { knownCause, type Context } from './context.js';
import type { RuleId } from '../rules.js';
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
 * parser (`parseInt`, `Number`, `std::stoi`), which then replays history from there. Each reaches
 * a server byte for byte (Node's own parser is the witness, in resume.test.ts): a value HTTP
 * normalises (" 7" arrives as "7", RFC 9110 §5.5) would be no probe.
 */
export const UNPLACEABLE: readonly (readonly [string, string | Buffer])[] = [
  ['"sse-conformance-unknown-id"', 'sse-conformance-unknown-id'],
  ['"abc"', 'abc'],
  ['"-1"', '-1'],
  ['"1e3"', '1e3'],
  ['"5abc"', '5abc'],
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

/** Ids and resume, the part that opens streams: SSE-M12, M15, S10, S11, S19, S20, S24. Runs while the observation goes on. */
export async function checkResumes(context: Context): Promise<CheckResult[]> {
  const ids: RuleId[] = ['SSE-M12', 'SSE-M15', 'SSE-S10', 'SSE-S11', 'SSE-S19', 'SSE-S20', 'SSE-S24'];
  const problem = streamProblem(context) ?? (context.capacity.slots === 0 ? knownCause(context) : undefined);
  if (problem !== undefined) return ids.map((id) => notApplicable(id, problem));
  // A second connection watched beside the main one, while the resumes go on. With the main one,
  // at most five streams are open at once: under a browser's six per origin, which servers often
  // take as their per-client cap; fewer when the server serves fewer.
  const slots = context.capacity.slots;
  // Its first second is left out (a server may replay a little to a fresh connection): three events with ids after it.
  const watchAcross = (): Promise<ReadStream> =>
    readStream(context, undefined, { events: 3, counts: (e) => e.hasOwnId && e.lastEventId !== '' && e.atMs > ACROSS_SKIP_MS + 200, forMs: Math.max(4000, context.target.timeoutMs) });
  const resumes = async (): Promise<readonly [Awaited<ReturnType<typeof checkAnyLastEventId>>, readonly CheckResult[]]> => [
    await checkAnyLastEventId(context, Math.max(1, Math.min(3, slots - 1))),
    await checkExactResume(context),
  ];
  let across: ReadStream;
  let m12: Awaited<ReturnType<typeof checkAnyLastEventId>>;
  let exact: readonly CheckResult[];
  if (slots >= 2) [across, [m12, exact]] = await Promise.all([watchAcross(), resumes()]);
  else {
    [m12, exact] = await resumes();
    across = await watchAcross();
  }
  const s11 = await checkUnknownResume(context);
  const unplaced = [...m12.reads, ...(s11.read === undefined ? [] : [['an unknown id of the server\'s shape', s11.read] as const])];
  return [m12.result, ...exact, ...s11.results, checkReplayVolume(context, unplaced), checkAcross(context, across)];
}

/**
 * Ids and resume, the part that reads every byte observed: SSE-M16, S09, A03, S25, S08, A02, A04,
 * and the rest of SSE-S20 (did an id sent on another connection move the main stream's ids?).
 * Runs after the observation, with the results of {@link checkResumes}.
 */
export function checkIdsAndRetry(context: Context, resumes: readonly CheckResult[]): CheckResult[] {
  const m16 = checkResends(context);
  // One cause, one report: re-sends into open streams also reach the suite's own probes as old events.
  const judged = resumes.map((r) =>
    r.id === 'SSE-S20' ? judgeShift(context, r) : r.id === 'SSE-S19' && r.status === 'fail' && m16.status === 'fail' ? notApplicable('SSE-S19', `not judged: ${r.evidence}, which the re-sends of SSE-M16 explain`) : r,
  );
  return [...judged, m16, ...checkIds(context, m16.status === 'fail'), checkEndsWithoutIds(context), ...checkRetryHint(context), checkCursor(context)];
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

async function checkAnyLastEventId(context: Context, limit: number): Promise<{ result: CheckResult; reads: (readonly [string, ReadStream])[] }> {
  const known = idEvents(context).at(-1)?.lastEventId;
  const values: (readonly [string, string | Buffer | undefined])[] = [
    ...(known === undefined ? [] : [['a known id', known] as const]),
    ...UNPLACEABLE,
    ['no Last-Event-ID (a fresh connection)', undefined],
  ];
  // Three at a time: quick, and within a small per-client cap.
  const reads = await mapLimit(values, limit, async ([, value]) => readStream(context, value, { atLeastMs: BURST_READ_MS }));
  const labelled = values.map(([label], i) => [label, reads[i] as ReadStream] as const);
  // Every stream but the known id's is also judged for a replay burst (SSE-S19), whatever M12 says.
  const unplaced = labelled.filter(([label]) => label !== 'a known id');
  const refused = labelled.find(([, read]) => !isStream(read.record));
  if (refused !== undefined) {
    const shown = `Last-Event-ID ${refused[0]} → ${describeAnswer(refused[1].record)}`;
    // A probe with no answer from a server known to be full, or stalled, is not this rule's failure.
    const cause = refused[1].record.head === undefined ? knownCause(context) : undefined;
    return { result: cause === undefined ? fail('SSE-M12', shown) : notApplicable('SSE-M12', `${shown}; ${cause}`), reads: unplaced };
  }
  const missing = known === undefined ? ' (no id seen, so no known id was tried)' : '';
  return {
    result: pass('SSE-M12', `${values.length - 1} Last-Event-ID values (${values.slice(0, -1).map(([l]) => l).join(', ')}) → 200 streams${missing}`),
    reads: unplaced,
  };
}

const UNSAFE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f-\uffff]/;

/** SSE-S09 (unique, never back) and SSE-A03 (short printable ASCII), over every id the observation's connections carried. */
function checkIds(context: Context, isResent: boolean): CheckResult[] {
  let total = 0;
  let s09: CheckResult | undefined;
  let a03: CheckResult | undefined;
  for (const [index, probe] of context.observation.segments.entries()) {
    if (probe.record.head?.status !== 200) continue;
    // Ids of events only: an id-only block is a cursor, which may restate the position.
    const ids = splitBlocks(splitLines(probe.record.body))
      .filter((b) => b.lines.some((l) => lineKind(l.text) === 'data'))
      .flatMap((b) => b.lines.filter((l) => lineKind(l.text) === 'id').slice(-1))
      .map((l) => fieldValue(l.text))
      .filter((id) => id !== '' && !id.includes('\0'));
    total += ids.length;
    const where = `on connection ${index + 1}`;
    for (const id of ids) {
      if (a03 !== undefined) break;
      if (Buffer.byteLength(id) > 128) a03 = fail('SSE-A03', `id of ${Buffer.byteLength(id)} bytes ${where}: "${escape(id, 40)}" (over 128 bytes)`);
      const unsafe = UNSAFE.exec(id);
      if (unsafe !== null) a03 = fail('SSE-A03', `id "${escape(id)}" ${where} holds "${escape(unsafe[0])}", not CORS-safelisted ASCII`);
    }
    if (s09 !== undefined || isResent) continue;
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated !== undefined) s09 = fail('SSE-S09', `id "${escape(repeated)}" sent twice ${where}`);
    const order = decreasingPair(ids);
    if (s09 === undefined && order !== undefined) s09 = fail('SSE-S09', `id "${escape(order[1])}" came after "${escape(order[0])}" ${where}`);
  }
  if (total === 0) {
    const why = `no event carried an id in ${ms(watchedMs(context))}: the stream is not resumable`;
    return [notApplicable('SSE-S09', why), notApplicable('SSE-A03', why)];
  }
  const last = escape(idEvents(context).at(-1)?.lastEventId ?? '');
  return [
    s09 ?? (isResent ? notApplicable('SSE-S09', 'not judged: the server re-sent events with their ids (SSE-M16)') : pass('SSE-S09', `${total} ids, unique, none going back (last "${last}")`)),
    a03 ?? pass('SSE-A03', `${total} ids, short and ASCII (last "${last}")`),
  ];
}

/**
 * SSE-M16: events the main stream already had (same type and data, whatever their id: a re-send
 * may be numbered afresh) that arrive again right after another connection got its head, more
 * than the stream repeats itself at other times (a server cycling a few messages repeats always).
 */
function checkResends(context: Context): CheckResult {
  const { events } = context.observation;
  if (events.length === 0) return notApplicable('SSE-M16', `the main stream carried no event in ${ms(watchedMs(context))}`);
  if (context.opened.length === 0) return notApplicable('SSE-M16', 'no other connection was opened while the main stream was watched');
  const seen = new Set<string>();
  const repeats: SeenEvent[] = [];
  for (const e of events) {
    const key = `${e.segment}\n${e.type}\n${e.data}`;
    if (seen.has(key)) repeats.push(e);
    seen.add(key);
  }
  // From the request on: the re-sends may reach the main stream before the new stream's head is read.
  const isAfterOpening = (t: number): boolean => context.opened.some(({ sentAt, headAt }) => t >= sentAt && t <= headAt + BURST_MS);
  // The stream's own pace of repeats, away from the moments another connection opened.
  const start = events[0]?.at ?? 0;
  const span = (events.at(-1)?.at ?? start) - start;
  const covered = Math.min(span, context.opened.length * BURST_MS);
  const usual = repeats.filter((e) => !isAfterOpening(e.at)).length / Math.max(BURST_MS, span - covered);
  for (const { sentAt, headAt } of context.opened) {
    const again = repeats.filter((e) => e.at >= sentAt && e.at <= headAt + BURST_MS);
    // Re-sent history is several different old events. One line that comes again and again is a
    // new event with the same text (a server that streams its log writes the same line for each
    // request: a burst when requests come close together), not content sent twice.
    const distinct = new Set(again.map((e) => `${e.type}\n${e.data}`)).size;
    if (distinct >= 2 && again.length > 4 * usual * BURST_MS + 1) {
      const first = again[0] as SeenEvent;
      return fail('SSE-M16', `${again.length} events the main stream already had came again within ${ms(BURST_MS)} of another connection's answer (first: "${escape(first.data, 30)}"${first.hasOwnId ? `, now with id "${escape(first.lastEventId, 20)}"` : ''})`);
    }
  }
  return pass('SSE-M16', `${context.opened.length} other connections opened; the main stream got no burst of old events after any`);
}

/** SSE-S25: a stream that ends while watched, and whose events carry no ids, loses what happens during each reconnect. */
function checkEndsWithoutIds(context: Context): CheckResult {
  const ended = context.observation.segments.filter((p) => isStream(p.record) && !isOpenToTheEnd(p.record));
  if (ended.length === 0) return notApplicable('SSE-S25', 'the stream stayed open while watched');
  const { events } = context.observation;
  if (events.length === 0) return notApplicable('SSE-S25', `the stream ended ${ended.length} time${ended.length === 1 ? '' : 's'} with no event`);
  if (idEvents(context).length > 0) return pass('SSE-S25', `the stream ended ${ended.length} time${ended.length === 1 ? '' : 's'}; its events carry ids, so each reconnect resumes`);
  return fail('SSE-S25', `the stream ended ${ended.length} time${ended.length === 1 ? '' : 's'} in ${ms(watchedMs(context))} and its ${events.length} events carry no id: each reconnect starts afresh, and what happened while the client waited is lost`);
}

/**
 * SSE-A04: the first connection, opened without Last-Event-ID, names its position (an id-only
 * block) before its first event. A resumed connection needs none: the client holds its id.
 */
function checkCursor(context: Context): CheckResult {
  const { record } = context.observation.first;
  const blocks = isStream(record) ? splitBlocks(splitLines(record.body)).filter((b) => b.isEnded) : [];
  const kinds = blocks.map((b) => new Set(b.lines.map((l) => lineKind(l.text))));
  const firstEvent = kinds.findIndex((k) => k.has('data'));
  const cursor = kinds.findIndex((k) => k.has('id') && !k.has('data'));
  if (!kinds.some((k) => k.has('id'))) return notApplicable('SSE-A04', `the first connection carried no id in ${ms(watchedMs(context))}`);
  if (cursor === -1 || (firstEvent !== -1 && cursor > firstEvent)) {
    return fail('SSE-A04', 'the first event came before any id-only block: a client that drops before it reconnects without Last-Event-ID');
  }
  const line = blocks[cursor]?.lines.find((l) => lineKind(l.text) === 'id');
  return pass('SSE-A04', `"${escape(line?.text ?? '', 50)}" (id-only) before the first event`);
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
type ResumeVerdict = {
  readonly ok: boolean;
  readonly text: string;
  /** The resumed stream stayed open with no event while the main stream got some (SSE-M15). */
  readonly isSilent?: boolean;
  /** Why the resume could not be judged (no answer from a server known to be full, or stalled). */
  readonly unjudged?: string;
};

async function judgeResume(context: Context, x: SeenEvent): Promise<ResumeVerdict> {
  const label = `Last-Event-ID "${escape(x.lastEventId, 40)}"`;
  const options = { events: 2, counts: (e: TimedEvent) => e.hasOwnId && e.lastEventId !== '', forMs: context.target.timeoutMs };
  let read = await readStream(context, x.lastEventId, options);
  if (isStream(read.record) && read.events.length === 0 && read.record.end === 'complete') {
    // Ended at once with no event: perhaps refused for the streams the suite holds; once more, later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    read = await readStream(context, x.lastEventId, options);
  }
  if (!isStream(read.record)) {
    const cause = read.record.head === undefined ? knownCause(context) : undefined;
    return { ok: false, text: `${label} → ${describeAnswer(read.record)}`, ...(cause === undefined ? {} : { unjudged: cause }) };
  }
  const resumed = read.events.filter((e) => !isGreeting(context, e) && (e.hasOwnId || !context.observation.events.some((o) => o.type === e.type)));
  const first = resumed[0];
  if (first === undefined) {
    const text = `after ${label}, ${noEvent(read.record)}`;
    const live = liveDuring(context, read);
    if (isOpenToTheEnd(read.record)) {
      return live > 0
        ? { ok: false, isSilent: true, text: `${text}, while the main stream got ${live} event${live === 1 ? '' : 's'}` }
        : { ok: false, text, unjudged: `not judged: ${text}, and the main stream got none either` };
    }
    const cause = knownCause(context);
    return cause === undefined ? { ok: false, text } : { ok: false, text, unjudged: `${text}; ${cause}` };
  }
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

/** SSE-M15 and SSE-S10: resumes from two ids the main stream carried. */
async function checkExactResume(context: Context): Promise<CheckResult[]> {
  const list = idEvents(context);
  if (list.length < 2) {
    const why = list.length === 0 ? `no event carried an id in ${ms(watchedMs(context))}` : 'only one event carried an id: no next event to resume to';
    return [notApplicable('SSE-M15', why), notApplicable('SSE-S10', why)];
  }
  // Two different ids: the one before the newest, and an older one, so a server that always
  // answers with its newest events cannot pass by chance.
  const late = list[list.length - 2] as SeenEvent;
  const early = list[Math.max(0, list.length - 6)] as SeenEvent;
  const targets = early === late ? [late] : [early, late];
  const verdicts: ResumeVerdict[] = [];
  for (const x of targets) verdicts.push(await judgeResume(context, x));
  const silent = verdicts.find((v) => v.isSilent === true);
  // One cause, one report: a resumed stream that stays silent is SSE-M15's; exactness cannot be judged then.
  if (silent !== undefined) return [fail('SSE-M15', silent.text), notApplicable('SSE-S10', 'not judged: the resumed stream carried no event (SSE-M15)')];
  const unjudged = verdicts.find((v) => v.unjudged !== undefined);
  if (unjudged !== undefined) return [notApplicable('SSE-M15', unjudged.unjudged as string), notApplicable('SSE-S10', unjudged.unjudged as string)];
  const m15 = pass('SSE-M15', `${verdicts.length} resumed stream${verdicts.length === 1 ? '' : 's'}: none stayed open without an event`);
  const bad = verdicts.find((v) => !v.ok);
  if (bad !== undefined) return [m15, fail('SSE-S10', bad.text)];
  return [m15, pass('SSE-S10', verdicts.map((v) => v.text).join('; '))];
}

/** Events with ids the main stream got while a read stream was open. */
function liveDuring(context: Context, read: ReadStream): number {
  const from = read.openedAt + (read.record.headAtMs ?? 0);
  const to = read.openedAt + (read.record.endAtMs ?? 0);
  return context.observation.events.filter((e) => e.at >= from && e.at <= to && !(e.hasOwnId && e.lastEventId === '')).length;
}

/** Whether a read stream was still open when the suite closed it. */
const isOpenToTheEnd = (record: ProbeRecord): boolean => record.end === 'stopped' || record.end === 'timeout';

/** SSE-S11 and SSE-S24: a Last-Event-ID of the server's own shape, ahead of every id it sent. */
async function checkUnknownResume(context: Context): Promise<{ results: CheckResult[]; read: ReadStream | undefined }> {
  const ids = idEvents(context).map((e) => e.lastEventId);
  const latest = ids.at(-1);
  if (latest === undefined) {
    const why = `no event carried an id in ${ms(watchedMs(context))}`;
    return { results: [notApplicable('SSE-S11', why), notApplicable('SSE-S24', why)], read: undefined };
  }
  // Past the largest number of the latest id's shape: a greeting's small id must not make it "old".
  const shape = ids
    .map(idNumber)
    .filter((n): n is { prefix: string; n: bigint } => n !== undefined && n.prefix === idNumber(latest)?.prefix)
    .reduce<{ prefix: string; n: bigint } | undefined>((max, n) => (max === undefined || n.n > max.n ? n : max), undefined);
  // An id of the server's own shape, far ahead of anything it has sent: what a client holds after a restart.
  const future = shape === undefined ? `${latest}-sse-conformance-unknown` : `${shape.prefix}${shape.n + 1_000_000n}`;
  context.unknownIdsSent.push({ id: future, at: performance.now() });
  const read = await readStream(context, future, { events: 1, counts: (e) => !isGreeting(context, e), atLeastMs: BURST_READ_MS });
  const { record, events } = read;
  const label = `Last-Event-ID "${escape(future, 40)}" (ahead of every id sent)`;
  if (!isStream(record)) {
    const cause = record.head === undefined ? knownCause(context) : undefined;
    const shown = `${label} → ${describeAnswer(record)}`;
    // A refusal is SSE-M12's to report; here it leaves nothing to judge.
    return { results: [cause === undefined ? fail('SSE-S11', shown) : notApplicable('SSE-S11', `${shown}; ${cause}`), notApplicable('SSE-S24', `${shown} (see SSE-M12)`)], read };
  }
  const first = events.find((e) => !isGreeting(context, e));
  if (first === undefined) {
    const live = liveDuring(context, read);
    const text = `after ${label}, ${noEvent(record)}`;
    if (isOpenToTheEnd(record) && live > 0) {
      return {
        results: [notApplicable('SSE-S11', 'not judged: no event came at all (SSE-S24)'), fail('SSE-S24', `${text}, while the main stream got ${live}: silence until the server's counter passes the id`)],
        read,
      };
    }
    return { results: [fail('SSE-S11', text), notApplicable('SSE-S24', `not judged: ${text}, and the main stream got none either`)], read };
  }
  const s24 = pass('SSE-S24', `after ${label}, ${first.type} "${escape(first.data, 40)}" came after ${ms(first.atMs - (record.headAtMs ?? 0))}`);
  const ordinary = new Set(context.observation.events.map((e) => e.type));
  ordinary.add('message');
  if (ordinary.has(first.type)) {
    return { results: [fail('SSE-S11', `after unknown id "${escape(future, 40)}" the stream went on with no notice: first event ${first.type} "${escape(first.data, 40)}"`), s24], read };
  }
  return { results: [pass('SSE-S11', `unknown id "${escape(future, 40)}" → event: ${first.type}, data "${escape(first.data, 50)}"`), s24], read };
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
function countOld(context: Context, read: ReadStream): { old: number; firstOld: string; withIds: number } {
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
  let withIds = 0;
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
      if (e.hasOwnId && e.lastEventId !== '') withIds++;
      if (firstOld === '') firstOld = e.hasOwnId ? `"${escape(e.lastEventId, 30)}"` : `"${escape(e.data, 30)}"`;
    }
  }
  return { old, firstOld, withIds };
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
  const isFresh = (label: string): boolean => label.startsWith('no Last-Event-ID');
  // History given to a fresh connection with ids is a page's first view: its reconnects carry
  // Last-Event-ID and never come this way again. Without ids, every reconnect gets it again. An
  // id the server cannot place may get what a fresh connection gets, and no more.
  const fresh = reads.find(([label, read]) => isFresh(label) && isStream(read.record));
  const freshOld = fresh === undefined ? undefined : countOld(context, fresh[1]);
  const allowance = freshOld !== undefined && freshOld.withIds === freshOld.old ? freshOld.old : 0;
  for (const [label, read] of reads) {
    if (!isStream(read.record)) continue;
    const how = isFresh(label) ? 'a fresh connection' : `Last-Event-ID ${label}`;
    const { old, firstOld, withIds } = countOld(context, read);
    if (isFresh(label) && old >= 2 && withIds === old) continue;
    if (old >= 2 && old > allowance + 1) {
      const why = isFresh(label) ? ', without ids: every reconnect gets them again' : allowance === 0 ? ': a replay the client did not ask for' : `, where a fresh connection gets ${allowance}: a replay the client did not ask for`;
      return fail('SSE-S19', `${how} → ${old} old events within ${ms(BURST_MS)} of the head (from ${firstOld})${why}`);
    }
    // Events that cannot be told apart (no id, the same data): their number against the live rate.
    // Only events the main stream had already carried can be old: a server that streams its own
    // request log (the Mojolicious cookbook) sends every new connection fresh lines about that very
    // request, more of them the more requests other checks make at once.
    const headAt = read.record.headAtMs ?? 0;
    const before = new Set(context.observation.events.filter((e) => e.at < read.openedAt).map((e) => `${e.type}\n${e.data}`));
    const early = read.events.filter((e) => e.atMs <= headAt + BURST_MS && !isGreeting(context, e) && before.has(`${e.type}\n${e.data}`)).length;
    if (allowance === 0 && rate !== undefined && early >= 5 && early > 4 * rate * BURST_MS + 2) {
      return fail('SSE-S19', `${how} → ${early} events within ${ms(BURST_MS)} of the head, where the main stream gets ${(rate * 1000).toFixed(1)} a second: a replay burst`);
    }
  }
  const streams = reads.filter(([, read]) => isStream(read.record)).length;
  if (streams === 0) return notApplicable('SSE-S19', 'no resumed or fresh stream was served to judge');
  const history = allowance < 2 ? '' : `; a fresh connection gets ${allowance} recent events with ids (a first view: its reconnects resume by id), and no id gets more`;
  return pass('SSE-S19', `${streams} streams (a fresh one, unknown and malformed ids) → no burst of old events${history}`);
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
    const { events, retries } = parseTimed(record.body, record.arrivals, writeEnds(record));
    const first = events[0];
    // [spec §9.2.6] a retry: before the first event in the byte stream is set before any reconnect;
    // one right after it in the same write reaches the client with it. Which write is read from
    // the chunk framing, never from arrival times: the socket's reads join writes made a
    // millisecond apart on some runs and not on others. Without chunks, only the byte order counts.
    const early = retries.find((r) => r.eventsBefore === 0 || (r.eventsBefore === 1 && r.write !== undefined && r.write === first?.write));
    const where = index === 0 ? 'on the first connection' : `on connection ${index + 1} (the main stream's reconnect ${index}, with Last-Event-ID)`;
    if (early === undefined) {
      const late = retries[0];
      const what = events.length === 0 ? `in ${record.body.length} bytes` : 'before or with the first event';
      const after =
        late === undefined || first === undefined
          ? ''
          : ` (retry: ${late.value} came after ${late.eventsBefore} event${late.eventsBefore === 1 ? '' : 's'}, ${late.write !== undefined && late.write !== first.write ? 'in a later write, ' : ''}${ms(late.atMs - first.atMs)} after the first)`;
      s08 = fail('SSE-S08', `no retry: hint ${what} ${where}${after}`);
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

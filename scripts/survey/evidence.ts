import { setTimeout as sleep } from 'node:timers/promises';
import { browserHeaders, header, open, exchange as rawExchange, type RawExchange, type RawRequest } from './raw.js';
import { longestSilence, numericIds, parseStream, type ParsedEvent } from './sse-text.js';
import { timedText, transcript } from './transcript.js';

/**
 * The survey's own checks: each opens raw sockets (node:net), keeps a transcript, and says what it
 * saw in the words of a rule when it can (an opinion), independently of the conformance suite.
 */

/** What a check thinks of one suite rule. */
export interface Opinion {
  readonly rule: string;
  readonly verdict: 'pass' | 'fail';
  readonly why: string;
  /** One line: what this failure costs a user, when the check knows better than the rule's default. */
  readonly cost?: string;
  /**
   * Set when the check ran under a condition the suite's main run did not have (the app's ticker
   * off): it is judged against the suite's run under that condition (`TargetResult.idleRow`), and
   * a suite pass in the main run beside it is no disagreement.
   */
  readonly elsewhere?: string;
}

/** One check's result on one target. */
export interface CheckEvidence {
  readonly id: string;
  readonly title: string;
  /** defect: something a user pays for; ok: nothing found; n/a: the check could not apply. */
  readonly verdict: 'ok' | 'defect' | 'n/a';
  readonly summary: string;
  /** One line: what the defect costs a user (set with a defect). */
  readonly cost?: string;
  /** Raw transcripts and client logs, as text. */
  readonly transcript: string;
  readonly opinions: readonly Opinion[];
  /** The part of a defect that no rule of the suite judges (listed apart in the report). */
  readonly unjudged?: string;
}

function essence(value: string | undefined): string {
  return (value ?? '').split(';')[0]?.trim() ?? '';
}

function isEventStream(x: RawExchange): boolean {
  return x.head?.status === 200 && essence(header(x.head, 'content-type')).toLowerCase() === 'text/event-stream';
}

/** `200 text/event-stream`, `500`, `no answer (reset)`… */
export function answer(x: RawExchange): string {
  if (x.head === undefined) return `no answer (${x.end ?? 'open'}${x.error === undefined ? '' : ` ${x.error}`} after ${x.endAtMs ?? '?'} ms)`;
  const type = header(x.head, 'content-type');
  return `${x.head.status}${type === undefined ? '' : ` ${type}`}`;
}

function events(x: RawExchange): ParsedEvent[] {
  return parseStream(timedText(x)).events;
}

function q(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
}

const STREAM_MS = 3500;

/** A fresh connection as a browser opens it: status, headers, first bytes, retry, ids, grammar. */
export async function firstConnection(url: string): Promise<CheckEvidence> {
  const x = await rawExchange({ url, headers: browserHeaders(), durationMs: STREAM_MS });
  const opinions: Opinion[] = [];
  const say = (rule: string, ok: boolean, why: string): void => {
    opinions.push({ rule, verdict: ok ? 'pass' : 'fail', why });
  };
  const base = { id: 'first-connection', title: 'A fresh connection, byte for byte', transcript: transcript(x) };
  if (x.head === undefined) {
    say('SSE-M01', false, `no answer: ${answer(x)}`);
    return { ...base, verdict: 'defect', summary: `no answer: ${answer(x)}`, cost: 'no client can connect', opinions };
  }
  const type = header(x.head, 'content-type') ?? '';
  const cache = header(x.head, 'cache-control') ?? '';
  const stream = parseStream(timedText(x));
  say('SSE-M01', x.head.status === 200, `status ${x.head.status}`);
  say('SSE-M02', essence(type).toLowerCase() === 'text/event-stream', `Content-Type ${q(type)}`);
  if (essence(type).toLowerCase() === 'text/event-stream') say('SSE-S06', essence(type) === 'text/event-stream', `Content-Type ${q(type)}`);
  // No opinion on SSE-S04 or SSE-S05: whether no-transform and X-Accel-Buffering are required or
  // advice differs between versions of the catalogue; the headers themselves are in the transcript,
  // and a missing no-cache/no-store is still a failure under every version.
  if (!/no-cache|no-store/i.test(cache)) say('SSE-S04', false, `Cache-Control ${cache === '' ? 'absent' : q(cache)}`);
  const retry = retryOpinion(x, 'a fresh connection');
  if (retry !== undefined) opinions.push(retry);
  const firstByte = x.body[0]?.atMs;
  // The suite's bound for the head (1000 ms) and its margin (250 ms): a late body byte is an idle stream, not SSE-S01.
  say('SSE-S01', (x.headAtMs ?? Infinity) <= 1250, `headers after ${x.headAtMs} ms, first body byte after ${firstByte ?? 'never'} ms`);
  const length = header(x.head, 'content-length');
  if (length !== undefined) say('SSE-S22', false, `Content-Length: ${length} on a stream`);
  else {
    const spread = stream.events.length >= 2 && (stream.events.at(-1) as ParsedEvent).atMs - (stream.events[0] as ParsedEvent).atMs >= 500;
    if (spread) say('SSE-M09', true, `${stream.events.length} events arrived over ${(stream.events.at(-1) as ParsedEvent).atMs - (stream.events[0] as ParsedEvent).atMs} ms`);
  }
  const bytes = Buffer.concat(x.body.map((b) => b.bytes));
  say('SSE-M03', Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes), 'the body decoded as UTF-8 and back');
  if (stream.events.length > 0) say('SSE-M05', stream.ignored.length === 0, stream.ignored.length === 0 ? 'every line is a comment or a known field' : `lines a client ignores: ${stream.ignored.map(q).join(', ')}`);
  const ids = stream.events.filter((e) => e.hasOwnId && e.lastEventId !== '').map((e) => e.lastEventId);
  if (ids.length > 0) {
    const numbers = numericIds(ids);
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    const backwards = numbers?.findIndex((n, i) => i > 0 && n <= (numbers[i - 1] as bigint)) ?? -1;
    say(
      'SSE-S09',
      repeated === undefined && backwards < 0,
      repeated !== undefined ? `id ${q(repeated)} twice` : backwards > 0 ? `id ${ids[backwards]} after ${ids[backwards - 1]}` : `${ids.length} ids: ${ids.slice(0, 4).join(', ')}…`,
    );
  }
  const problems = opinions.filter((o) => o.verdict === 'fail');
  return {
    ...base,
    verdict: problems.length === 0 ? 'ok' : 'defect',
    summary: `${answer(x)}, headers after ${x.headAtMs} ms; ${stream.events.length} events, ${stream.retries.length} retry, ${stream.comments.length} comments in ${STREAM_MS} ms${problems.length === 0 ? '' : `; ${problems.map((p) => `${p.rule}: ${p.why}`).join('; ')}`}`,
    opinions,
  };
}

/** Reads a stream until it has `count` events with ids, or `maxMs`. */
async function idsOf(url: string, count: number, maxMs: number, extra: readonly (readonly [string, string])[] = []): Promise<RawExchange> {
  return rawExchange({
    url,
    headers: browserHeaders(extra),
    durationMs: maxMs,
    stopWhen: (x) => events(x).filter((e) => e.hasOwnId && e.lastEventId !== '').length >= count,
  });
}

/**
 * SSE-S08 on one connection, failures only: no retry: before its first event (one under 1000 ms is SSE-M08's).
 * A retry in the same read as the first event gets no opinion: catalogues differ on whether "with"
 * counts as "before".
 */
function retryOpinion(x: RawExchange, which: string): Opinion | undefined {
  const stream = parseStream(timedText(x));
  const firstEvent = stream.events[0];
  if (firstEvent === undefined && stream.retries.length === 0) return undefined;
  const early = stream.retries.find((r) => r.eventsBefore === 0);
  // A pass on this connection says nothing about another one the suite judged: only failures count.
  if (early !== undefined) return early.value >= 1000 ? undefined : { rule: 'SSE-M08', verdict: 'fail', why: `${which}: retry: ${early.value} before the first event` };
  const later = stream.retries[0];
  if (later !== undefined && firstEvent !== undefined && later.atMs <= firstEvent.atMs) return undefined;
  return {
    rule: 'SSE-S08',
    verdict: 'fail',
    why: `${which}: no retry: before the first event (${later === undefined ? 'none at all' : `retry: ${later.value} after ${later.eventsBefore} events, ${later.atMs - (firstEvent?.atMs ?? 0)} ms later`})`,
  };
}

/**
 * Integer ids that go backwards on a resumed stream: the client's Last-Event-ID moves back, so its
 * next reconnect asks for events it already has. Judged as part of the resume (SSE-S10).
 */
function idOrderOpinion(got: readonly ParsedEvent[], which: string): Opinion[] {
  const ids = got.filter((e) => e.hasOwnId && e.lastEventId !== '').map((e) => e.lastEventId);
  const numbers = numericIds(ids);
  if (numbers === undefined || numbers.length < 2) return [];
  const back = numbers.findIndex((n, i) => i > 0 && n <= (numbers[i - 1] as bigint));
  if (back < 0) return [];
  return [
    {
      rule: 'SSE-S10',
      verdict: 'fail',
      why: `${which}: id ${ids[back]} came after ${ids[back - 1]}`,
      cost: "the client's Last-Event-ID moves backwards: its next reconnect asks for (and gets) events it already has",
    },
  ];
}

/** One resume: Last-Event-ID X, where `next` is what the client saw right after X. */
interface ResumeTry {
  readonly kind: 'exact' | 'duplicate' | 'gap' | 'refused' | 'silent';
  readonly summary: string;
  readonly log: string;
  readonly opinions: Opinion[];
}

const RESUME_COST = {
  duplicate: 'every reconnect re-delivers events the client already handled (or events from before it connected)',
  gap: 'every reconnect silently loses the events sent while the client was away',
  refused: 'a browser that reconnects gets no stream and gives up for good',
} as const;

async function tryResume(url: string, x: ParsedEvent, next: ParsedEvent, seenIds: readonly string[]): Promise<ResumeTry> {
  const b = await rawExchange({ url, headers: browserHeaders([['Last-Event-ID', x.lastEventId]]), durationMs: 3000 });
  const log = `reconnect with Last-Event-ID: ${x.lastEventId} (the client saw ${next.lastEventId} next):\n${transcript(b)}`;
  if (!isEventStream(b)) {
    const why = `Last-Event-ID ${q(x.lastEventId)} → ${answer(b)}`;
    return {
      kind: 'refused',
      summary: why,
      log,
      opinions: [
        { rule: 'SSE-M12', verdict: 'fail', why, cost: RESUME_COST.refused },
        { rule: 'SSE-S10', verdict: 'fail', why, cost: RESUME_COST.refused },
      ],
    };
  }
  const resumed = events(b);
  const first = resumed.find((e) => e.hasOwnId && e.lastEventId !== '');
  if (first === undefined) return { kind: 'silent', summary: `after ${x.lastEventId}, no event with an id in 3 s`, log, opinions: [] };
  const before = resumed.indexOf(first);
  const preface = before > 0 ? ` (after ${before} event${before === 1 ? '' : 's'} without an id: ${resumed.slice(0, before).map((e) => e.type).join(', ')})` : '';
  const numbers = numericIds([x.lastEventId, next.lastEventId, first.lastEventId]);
  let kind: 'exact' | 'duplicate' | 'gap';
  if (first.lastEventId === next.lastEventId && first.data === next.data) kind = 'exact';
  // At or before X, one the client had, or (integer ids) older than the next one: a replay from too far back.
  else if (first.lastEventId === x.lastEventId || seenIds.includes(first.lastEventId) || (numbers !== undefined && (numbers[2] as bigint) < (numbers[1] as bigint))) kind = 'duplicate';
  else kind = 'gap';
  const replayedSeen = resumed.filter((e) => e.hasOwnId && seenIds.slice(0, -1).includes(e.lastEventId)).length;
  const summary = `after Last-Event-ID ${x.lastEventId} the first event with an id was ${first.lastEventId}${preface}, expected ${next.lastEventId}: ${kind}${replayedSeen > 0 ? ` (${replayedSeen} events the client already had were sent again)` : ''}`;
  const which = `the resume with Last-Event-ID ${x.lastEventId}`;
  return {
    kind,
    summary,
    log,
    opinions: [
      { rule: 'SSE-S10', verdict: kind === 'exact' ? 'pass' : 'fail', why: summary, ...(kind === 'exact' ? {} : { cost: RESUME_COST[kind] }) },
      ...[retryOpinion(b, which)].filter((o): o is Opinion => o !== undefined),
      ...idOrderOpinion(resumed, which),
    ],
  };
}

/**
 * Resume with ids the client has seen: from the first id it got (often a "connected" event) and
 * from the one before the last. Is the first event the next one the client saw?
 */
export async function resume(url: string): Promise<CheckEvidence & { readonly seenIds: readonly string[] }> {
  const a = await idsOf(url, 3, 7000);
  const withIds = events(a).filter((e) => e.hasOwnId && e.lastEventId !== '');
  const seenIds = withIds.map((e) => e.lastEventId);
  const base = { id: 'resume', title: 'Resume with a Last-Event-ID the client has seen' };
  if (withIds.length < 2) {
    return { ...base, verdict: 'n/a', summary: `fewer than two events with ids in 7 s (${answer(a)})`, transcript: transcript(a), opinions: [], seenIds };
  }
  const pairs: [ParsedEvent, ParsedEvent][] = [[withIds[0] as ParsedEvent, withIds[1] as ParsedEvent]];
  if (withIds.length > 2) pairs.push([withIds.at(-2) as ParsedEvent, withIds.at(-1) as ParsedEvent]);
  const tries: ResumeTry[] = [];
  for (const [x, next] of pairs) tries.push(await tryResume(url, x, next, seenIds));
  const log = [`first connection:\n${transcript(a)}`, ...tries.map((t) => t.log)].join('\n\n');
  const judged = tries.filter((t) => t.kind !== 'silent');
  const worst = judged.find((t) => t.kind === 'refused') ?? judged.find((t) => t.kind === 'duplicate') ?? judged.find((t) => t.kind === 'gap');
  const summary = `seen ${seenIds.join(', ')}; ${tries.map((t) => t.summary).join('; ')}`;
  if (judged.length === 0) return { ...base, verdict: 'n/a', summary, transcript: log, opinions: [], seenIds };
  // One opinion per rule: the failing one when any try failed.
  const opinions = new Map<string, Opinion>();
  for (const o of tries.flatMap((t) => t.opinions)) if (!opinions.has(o.rule) || o.verdict === 'fail') opinions.set(o.rule, opinions.get(o.rule)?.verdict === 'fail' ? (opinions.get(o.rule) as Opinion) : o);
  return {
    ...base,
    verdict: worst === undefined ? 'ok' : 'defect',
    summary,
    ...(worst === undefined || worst.kind === 'silent' || worst.kind === 'exact' ? {} : { cost: RESUME_COST[worst.kind] }),
    transcript: log,
    opinions: [...opinions.values()],
    seenIds,
  };
}

/** Last-Event-ID values a client or an attacker may send, and whether they replay history or break the stream. */
/**
 * How the checks pace their probes on a server that serves few streams at once (the capacity
 * check's count): one at a time, each held longer, with a pause that lets the server notice the
 * last one left; else a probe that gets no answer would blame the rule it probes for a full server.
 */
export interface Pace {
  /** Streams the server served at once (16 when it served every stream the capacity check opened). */
  readonly streams: number;
}

/** Servers that served fewer streams at once get their probes one by one. */
const FEW_STREAMS = 5;

function isFew(pace: Pace): boolean {
  return pace.streams < FEW_STREAMS;
}

export async function hostileIds(url: string, seenIds: readonly string[], pace: Pace = { streams: 16 }): Promise<CheckEvidence> {
  const baseline = await rawExchange({ url, headers: browserHeaders(), durationMs: 1500 });
  const early = (x: RawExchange): number => events(x).filter((e) => e.atMs - (x.headAtMs ?? 0) <= 400).length;
  const baseCount = early(baseline);
  const latest = seenIds.at(-1);
  const values: [string, string][] = [
    ['abc', 'abc'],
    ['1e3', '1e3'],
    ['-1', '-1'],
    ['5abc', '5abc'],
    ['0', '0'],
    ['255 digits', '9'.repeat(255)],
  ];
  const future = latest !== undefined && /^\d+$/.test(latest) ? (BigInt(latest) + 1_000_000n).toString() : undefined;
  if (future !== undefined) values.push(['an unknown future id', future]);
  if (latest !== undefined) values.push(['a seen id', latest]);
  // One at a time: probes open together would see what each other's connection makes the server
  // send (a log line per request forwarded to every stream) and count it as a replay.
  const results: RawExchange[] = [];
  for (const [, value] of values) {
    results.push(await rawExchange({ url, headers: browserHeaders([['Last-Event-ID', value]]), durationMs: isFew(pace) ? 2500 : 1500 }));
    await sleep(isFew(pace) ? 1200 : 100);
  }
  const after = await rawExchange({ url, headers: browserHeaders(), durationMs: 3000, stopWhen: (x) => x.body.length > 0 });
  const lines: string[] = [];
  const refused: string[] = [];
  const crashed: string[] = [];
  const replayed: string[] = [];
  const unplaced: string[] = [];
  for (const [index, [label, value]] of values.entries()) {
    const x = results[index] as RawExchange;
    const got = events(x);
    const count = early(x);
    const ids = got.filter((e) => e.hasOwnId).map((e) => e.lastEventId);
    lines.push(`Last-Event-ID: ${label === value ? value : `${label}`} → ${answer(x)}; ${got.length} events in ${isFew(pace) ? 2.5 : 1.5} s, ${count} in the first 400 ms (fresh connection: ${baseCount}); ids ${ids.slice(0, 6).join(', ') || 'none'}${ids.length > 6 ? '…' : ''}`);
    if (!isEventStream(x)) refused.push(`${label} → ${answer(x)}`);
    if (x.head === undefined || x.head.status >= 500) crashed.push(`${label} → ${answer(x)}`);
    if (count > baseCount + 2 && label !== 'a seen id') {
      replayed.push(`${label} (${count} events at once)`);
      // SSE-S19 is about ids the server cannot place; `0` may be a real position, and a body that is not an event stream reaches no application.
      if (label !== '0' && isEventStream(x)) unplaced.push(`${label} → ${count} events in the first 400 ms (fresh connection: ${baseCount})`);
    }
  }
  const alive = isEventStream(after);
  lines.push(`afterwards, a fresh connection → ${answer(after)}`);
  const opinions: Opinion[] = [
    {
      rule: 'SSE-M12',
      verdict: refused.length === 0 ? 'pass' : 'fail',
      why: refused.length === 0 ? `${values.length} values → 200 streams` : refused.join('; '),
      cost: 'a client whose last id the server cannot parse gets an error and gives up for good',
    },
    { rule: 'SSE-R1', verdict: crashed.length === 0 && alive ? 'pass' : 'fail', why: crashed.length === 0 && alive ? 'no 5xx, no hang, still streams' : [...crashed, alive ? '' : `then ${answer(after)}`].filter(Boolean).join('; ') },
  ];
  if (unplaced.length > 0 || events(baseline).length > 0) {
    opinions.push({
      rule: 'SSE-S19',
      verdict: unplaced.length === 0 ? 'pass' : 'fail',
      why: unplaced.length === 0 ? 'no value the server cannot place brought a burst of old events' : unplaced.join('; '),
    });
  }
  if (future !== undefined) {
    const x = results[values.findIndex(([l]) => l === 'an unknown future id')] as RawExchange;
    const firstEvent = events(x)[0];
    const ordinary = new Set(events(baseline).map((e) => e.type).concat('message'));
    if (isEventStream(x) && firstEvent !== undefined) {
      opinions.push({
        rule: 'SSE-S11',
        verdict: ordinary.has(firstEvent.type) ? 'fail' : 'pass',
        why: `unknown id ${future} → first event ${firstEvent.type} ${q(firstEvent.data)}`,
      });
    }
  }
  const defects = [...refused.map((r) => `refused: ${r}`), ...replayed.map((r) => `replayed history for ${r}`), ...(alive ? [] : ['the server stopped streaming'])];
  const cost =
    refused.length > 0
      ? 'a client whose last id the server cannot parse gets an error and gives up for good'
      : replayed.length > 0
        ? 'any unparseable id makes the server re-send its whole history: duplicates for the client, load for the server'
        : undefined;
  const shown = [...values.keys()].filter((i) => !isEventStream(results[i] as RawExchange) || replayed.some((r) => r.startsWith((values[i] as [string, string])[0]))).slice(0, 3);
  return {
    id: 'hostile-ids',
    title: 'Last-Event-ID values a client or attacker may send',
    verdict: defects.length === 0 ? 'ok' : 'defect',
    summary: defects.length === 0 ? `${values.length} values → 200 streams, no replayed history` : defects.join('; '),
    ...(cost === undefined ? {} : { cost }),
    transcript: [lines.join('\n'), ...shown.map((i) => `\nLast-Event-ID: ${(values[i] as [string, string])[0]}:\n${transcript(results[i] as RawExchange, 900)}`)].join('\n'),
    opinions,
  };
}

/** How long a HEAD is watched, for its head and for body bytes that must not come. */
const HEAD_WATCH_MS = 4000;

/**
 * Non-GET methods and other Accept values: POST, OPTIONS, Accept: *\/* and none, then HEAD last
 * (its head, no body bytes after it, and a server that still answers a fresh stream afterwards:
 * a HEAD that wedges the server must not cost the other probes their answer).
 */
export async function methods(url: string, pace: Pace = { streams: 16 }): Promise<CheckEvidence> {
  const probes: RawRequest[] = [
    { url, method: 'POST', headers: [['Content-Type', 'application/json'], ['Content-Length', '0']], durationMs: 2000 },
    { url, method: 'OPTIONS', headers: [['Origin', 'http://example.test'], ['Access-Control-Request-Method', 'GET'], ['Access-Control-Request-Headers', 'last-event-id']], durationMs: 2000 },
    { url, headers: [['Accept', '*/*']], durationMs: 2000 },
    { url, headers: [], durationMs: 2000 },
  ];
  const answers: RawExchange[] = [];
  if (isFew(pace)) {
    for (const probe of probes) {
      answers.push(await rawExchange({ ...probe, durationMs: 2500 }));
      await sleep(1200);
    }
  } else {
    answers.push(...(await Promise.all(probes.map((probe) => rawExchange(probe)))));
    await sleep(300);
  }
  const [post, options, any, none] = answers as [RawExchange, RawExchange, RawExchange, RawExchange];
  const head = await rawExchange({ url, method: 'HEAD', headers: browserHeaders(), durationMs: HEAD_WATCH_MS });
  if (isFew(pace)) await sleep(1200);
  const afterHead = await rawExchange({ url, headers: browserHeaders(), durationMs: 3000, stopWhen: (x) => x.head !== undefined });
  const opinions: Opinion[] = [];
  const bodyBytes = head.body.reduce((n, b) => n + b.bytes.length, 0);
  const headAnswered = head.head !== undefined;
  const wedged = afterHead.head === undefined;
  const headWhy = !headAnswered
    ? `HEAD: ${answer(head)}`
    : `HEAD → ${head.head?.status} after ${head.headAtMs} ms, ${bodyBytes > 0 ? `then ${bodyBytes} body bytes (a HEAD answer has none)` : 'no body bytes'} (${head.end === 'cut' ? `watched ${HEAD_WATCH_MS / 1000} s` : `${head.end} after ${head.endAtMs} ms`}); then a fresh stream → ${answer(afterHead)}`;
  // Any finite answer is one (a 405 or 501 tells a health check as much as a 200), if no bytes follow and the server goes on.
  const headDefect = !headAnswered ? 'hang' : bodyBytes > 0 ? 'body' : wedged ? 'wedged' : undefined;
  const HEAD_COSTS = {
    hang: 'a HEAD request (health check, link preview) never completes and holds a connection',
    body: 'a HEAD request gets body bytes it cannot frame: the client or proxy reading the connection next misreads them',
    wedged: 'one HEAD request (a health check, a link preview) leaves the server answering nobody until it is restarted',
  } as const;
  opinions.push({ rule: 'SSE-S18', verdict: headDefect === undefined ? 'pass' : 'fail', why: headWhy, ...(headDefect === undefined ? {} : { cost: HEAD_COSTS[headDefect] }) });
  const accepts = `Accept: */* → ${answer(any)}; no Accept → ${answer(none)}`;
  opinions.push({ rule: 'SSE-S15', verdict: isEventStream(any) && isEventStream(none) ? 'pass' : 'fail', why: accepts, cost: 'a client that sends Accept: */* or no Accept (curl, many libraries) gets an error instead of a stream' });
  // An endless stream: an event stream still open when the probe cut it. One that ends at once
  // (tRPC answers a POST with an error event and the end) holds nothing.
  const isEndless = (x: RawExchange): boolean => isEventStream(x) && x.end === 'cut';
  const streamsPost = isEndless(post);
  const shown = (x: RawExchange): string =>
    `${answer(x)}${!isEventStream(x) ? '' : x.end === 'cut' ? `, still open after ${x.endAtMs ?? '?'} ms` : `, ended (${x.end ?? '?'}) after ${x.endAtMs ?? '?'} ms`}`;
  const methodsWhy = `POST → ${shown(post)}; OPTIONS → ${shown(options)}`;
  // A finite answer: a head, and not an endless stream.
  const finite = (x: RawExchange): boolean => x.head !== undefined && !isEndless(x);
  opinions.push({ rule: 'SSE-S21', verdict: finite(post) && finite(options) ? 'pass' : 'fail', why: methodsWhy, cost: 'a form or crawler POST holds an endless stream' });
  const defects = [
    ...(headDefect === undefined ? [] : [`${headWhy} (${headDefect === 'wedged' ? 'the HEAD wedged the server' : headDefect})`]),
    ...(isEventStream(any) && isEventStream(none) ? [] : [accepts]),
    ...(streamsPost ? [`POST → ${shown(post)}: an endless stream for a POST`] : []),
  ];
  return {
    id: 'methods',
    title: 'HEAD, POST, OPTIONS and other Accept values',
    verdict: defects.length === 0 ? 'ok' : 'defect',
    summary: `${headWhy}; POST → ${answer(post)}; OPTIONS → ${answer(options)}; ${accepts}`,
    ...(defects.length === 0
      ? {}
      : { cost: headDefect !== undefined ? HEAD_COSTS[headDefect] : !isEventStream(any) || !isEventStream(none) ? 'a client that sends no Accept (curl, some libraries) gets no stream' : 'a form or crawler POST holds an endless stream' }),
    transcript: [`HEAD:\n${transcript(head, 600)}`, `a fresh stream after the HEAD:\n${transcript(afterHead, 300)}`, `POST:\n${transcript(post, 600)}`, `OPTIONS:\n${transcript(options, 600)}`, `Accept: */*:\n${transcript(any, 400)}`, `no Accept:\n${transcript(none, 400)}`].join('\n\n'),
    opinions,
  };
}

function steps(ids: readonly bigint[]): bigint[] {
  return ids.slice(1).map((id, i) => id - (ids[i] as bigint));
}

function median(values: readonly bigint[]): bigint | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Ids across connections: an observer alone, then with four other streams open, then alone again
 * after they left. A shared counter shows as bigger steps while others are open; a stream loop that
 * outlives its client shows as bigger steps after they left.
 */
const OUTLIVE = 'streams keep running after their client left (the ids still advance for them)';
const IDS_COST = 'an id says nothing about what this client saw: a resume cannot be exact';

const RESENT_COST = 'every client that connects makes the streams already open get old events again: each open page handles them twice';

/**
 * Events an open stream got again in the 800 ms after four other connections opened (at 3 s): an
 * event whose type and data it had already been sent, beyond the stream's own pace of such repeats.
 * Four or more means each new connection re-sent something into the streams already open (a
 * history or a greeting broadcast to all). New events (a log line per request) are no re-send.
 */
export function resentOnConnect(got: readonly ParsedEvent[], headMs: number): Pick<CheckEvidence, 'verdict' | 'summary' | 'opinions'> | undefined {
  const at = (e: ParsedEvent): number => e.atMs - headMs;
  const key = (e: ParsedEvent): string => `${e.type}\u0000${e.data}`;
  const seen = new Set<string>();
  let repeatsBefore = 0;
  for (const e of got.filter((x) => at(x) < 3000)) {
    if (seen.has(key(e)) && at(e) >= 500) repeatsBefore++;
    seen.add(key(e));
  }
  const during = got.filter((e) => at(e) >= 3000 && at(e) < 3800);
  if (got.length === 0) return undefined;
  const again = during.filter((e) => seen.has(key(e)));
  const expected = (repeatsBefore / 2500) * 800;
  const summary = `while 4 others connected, the open stream got ${again.length} events it had already been sent, in 800 ms (its own pace of repeats: ${expected.toFixed(1)})`;
  if (again.length - expected < 4) return { verdict: 'ok', summary, opinions: [{ rule: 'SSE-M16', verdict: 'pass', why: summary }] };
  const shown = `${summary}: ${again.slice(0, 3).map((e) => q(e.data)).join(', ')}…`;
  return { verdict: 'defect', summary: shown, opinions: [{ rule: 'SSE-M16', verdict: 'fail', why: shown, cost: RESENT_COST }] };
}

export async function sharedIds(url: string): Promise<CheckEvidence> {
  const observer = open({ url, headers: browserHeaders(), durationMs: 9000 });
  await sleep(3000);
  const others = Array.from({ length: 4 }, () => open({ url, headers: browserHeaders(), durationMs: 2200 }));
  const otherRecords = await Promise.all(others.map((o) => o.done));
  const o = await observer.done;
  const base = { id: 'shared-ids', title: 'Ids across connections, and streams that outlive their client' };
  const seen = events(o).filter((e) => e.hasOwnId && e.lastEventId !== '');
  const numbers = numericIds(seen.map((e) => e.lastEventId));
  const head = o.headAtMs ?? 0;
  const log = `observer:\n${transcript(o, 1200)}\n\none of the four others (open from 3 s to 5.2 s):\n${transcript(otherRecords[0] as RawExchange, 500)}`;
  const resent = resentOnConnect(events(o), head);
  if (numbers === undefined || seen.length < 6) {
    const summary = `the ids are not integers (or too few: ${seen.length})${seen.length === 0 ? '' : `: ${seen.slice(0, 3).map((e) => e.lastEventId).join(', ')}`}`;
    if (resent === undefined) return { ...base, verdict: 'n/a', summary, transcript: log, opinions: [] };
    return { ...base, ...resent, summary: `${summary}; ${resent.summary}`, transcript: log };
  }
  const phase = (from: number, to: number): bigint[] => numbers.filter((_, i) => (seen[i] as ParsedEvent).atMs - head >= from && (seen[i] as ParsedEvent).atMs - head < to);
  const alone = median(steps(phase(0, 3000)));
  const crowded = median(steps(phase(3300, 5200)));
  const later = median(steps(phase(6500, 9000)));
  const otherEvents = otherRecords.flatMap((r) => events(r).filter((e) => e.hasOwnId));
  const otherIds = otherEvents.map((e) => e.lastEventId);
  // A broadcast sends the same event (same id, same data) everywhere: only the same id on different data is a clash.
  const overlap = otherEvents.filter((o) => seen.some((e) => e.lastEventId === o.lastEventId && e.data !== o.data)).map((e) => e.lastEventId);
  // Steps half again as big: timestamps jitter by a millisecond or two, a shared counter jumps by the streams open.
  const bigger = (a: bigint | undefined, b: bigint | undefined): boolean => a !== undefined && b !== undefined && b > 0n && a * 2n > b * 3n;
  const shared = bigger(crowded, alone);
  const outlive = bigger(later, alone);
  const summary = `observer's id steps: ${alone ?? '?'} alone, ${crowded ?? '?'} while 4 others were open, ${later ?? '?'} after they left; others got ${otherIds.slice(0, 4).join(', ')}…${overlap.length > 0 ? `; ${overlap.length} ids named different data on two connections` : ''}`;
  const findings = [
    ...(resent?.verdict === 'defect' ? [resent.summary] : []),
    ...(shared ? ['one id counter serves every connection: each client sees gaps in its own ids'] : []),
    ...(outlive ? [OUTLIVE] : []),
    ...(overlap.length > 0 ? ['the same id names different events on different connections'] : []),
  ];
  return {
    ...base,
    verdict: findings.length === 0 ? 'ok' : 'defect',
    summary: `${summary}${findings.length === 0 ? '' : `: ${findings.join('; ')}`}`,
    ...(findings.length === 0
      ? {}
      : { cost: outlive ? 'every client that leaves leaves a loop running: CPU and memory grow with each reconnect until restart' : shared || overlap.length > 0 ? IDS_COST : RESENT_COST }),
    transcript: log,
    opinions: [
      ...(resent?.opinions ?? []),
      shared || overlap.length > 0
        ? { rule: 'SSE-S20', verdict: 'fail', why: findings.filter((f) => f !== OUTLIVE && f !== resent?.summary).join('; '), cost: IDS_COST }
        : { rule: 'SSE-S20', verdict: 'pass', why: `steps ${alone ?? '?'} alone, ${crowded ?? '?'} with others open` },
    ],
    ...(outlive ? { unjudged: OUTLIVE } : {}),
  };
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Sixteen streams at once: does each get its headers? (a fixed worker pool hangs the ninth) */
export async function capacity(url: string, count = 16): Promise<CheckEvidence & { readonly streams: number }> {
  const records = await Promise.all(Array.from({ length: count }, () => rawExchange({ url, headers: browserHeaders(), durationMs: 3500 })));
  const waiting = records.map((r, i) => (r.head === undefined ? i + 1 : 0)).filter((i) => i > 0);
  await sleep(1500);
  const after = await rawExchange({ url, headers: browserHeaders(), durationMs: 3000, stopWhen: (x) => x.head !== undefined });
  const summary =
    waiting.length === 0
      ? `${count} streams at once: each got its headers (slowest after ${Math.max(...records.map((r) => r.headAtMs ?? 0))} ms)`
      : `${count} streams at once: ${count - waiting.length} got headers, ${waiting.length} got nothing in 3.5 s (a hang, not a refusal); after they closed, a new stream → ${answer(after)}`;
  const hung = records.find((r) => r.head === undefined);
  return {
    streams: count - waiting.length,
    id: 'capacity',
    title: `${count} streams at once`,
    verdict: waiting.length === 0 ? 'ok' : 'defect',
    summary,
    ...(waiting.length === 0 ? {} : { cost: `the ${ordinal(count - waiting.length + 1)} open tab or client hangs silently (no error, no retry) until another leaves; so does every other request to the server` }),
    transcript: hung === undefined ? transcript(records[count - 1] as RawExchange, 400) : `a stream that got nothing:\n${transcript(hung, 400)}\n\nthe next stream after all closed:\n${transcript(after, 400)}`,
    opinions: [
      {
        rule: 'SSE-S12',
        verdict: waiting.length === 0 ? 'pass' : 'fail',
        why: summary,
        ...(waiting.length === 0 ? {} : { cost: `the ${ordinal(count - waiting.length + 1)} client at once waits with no answer (no error, no retry) until another leaves` }),
      },
      // Slots freed: once every stream closed, a new one is served.
      { rule: 'SSE-S13', verdict: after.head === undefined ? 'fail' : 'pass', why: `1.5 s after all ${count} streams closed, a new stream → ${answer(after)}` },
    ],
  };
}

const IDLE_COST = 'behind a proxy with a 30 s idle timeout the stream is cut and reconnects over and over';

/** An idle stream (the app publishes nothing): how long is it silent? */
export async function idle(url: string, durationMs = 35_000): Promise<CheckEvidence> {
  const x = await rawExchange({ url, headers: browserHeaders(), durationMs });
  const base = { id: 'idle', title: `An idle stream watched for ${durationMs / 1000} s (the app publishes nothing)` };
  if (x.headAtMs === undefined) return { ...base, verdict: 'n/a', summary: answer(x), transcript: transcript(x), opinions: [] };
  const silence = longestSilence(x.body.map((b) => b.atMs), x.headAtMs, x.endAtMs ?? durationMs);
  const ok = silence <= 17_000;
  const summary = `longest silence ${(silence / 1000).toFixed(1)} s over ${((x.endAtMs ?? durationMs) / 1000).toFixed(0)} s${ok ? '' : ' (proxies and load balancers commonly drop a connection idle for 30–60 s)'}`;
  return {
    ...base,
    verdict: ok ? 'ok' : 'defect',
    summary,
    ...(ok ? {} : { cost: IDLE_COST }),
    transcript: transcript(x, 800),
    opinions: [{ rule: 'SSE-S02', verdict: ok ? 'pass' : 'fail', why: summary, ...(ok ? {} : { cost: IDLE_COST }), elsewhere: "an instance with the app's ticker off" }],
  };
}

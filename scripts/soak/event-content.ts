import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser, type ParsedEvent } from 'sse-reference';
import type { Profile } from './profile.js';
import { getRequest, rawRequest } from './raw-client.js';
import { scenario } from './report.js';
import { createRng, type Rng } from './rng.js';
import { startSoakServer } from './soak-server.js';

const MAX_EVENT_BYTES = 2 * 1024 * 1024;

/** One publish and what must come of it. */
interface ContentCase {
  readonly label: string;
  readonly body: { data: string; event?: string };
  /** The error code the publish must be refused with, or undefined when it must be accepted. */
  readonly refusal: string | undefined;
}

const FIXED: readonly [string, string, string?][] = [
  ['CR', 'a\rb'],
  ['LF', 'a\nb'],
  ['CRLF', 'a\r\nb'],
  ['mixed line breaks', 'x\r\r\n\n\ry\r'],
  ['only line breaks', '\r\n\n\r'],
  ['trailing LF', 'a\n'],
  ['leading LF', '\na'],
  ['leading space', ' one space'],
  ['empty', ''],
  ['field injection', 'x\nevent: evil\nid: 999\nretry: 1\n\ndata: y'],
  ['looks like a comment', ': not a comment\n:also data'],
  ['NULL', 'nul\0byte\0'],
  ['emoji', '😀 family 👩‍👩‍👧 flag 🇯🇵'],
  ['BOM inside', '\uFEFFbom first'],
  ['U+2028 U+2029 U+0085', 'line\u2028para\u2029next\u0085'],
  ['non-characters', '\uFFFE\uFFFF\u{10FFFF}'],
  ['lone high surrogate', 'a\uD800b'],
  ['lone low surrogate', '\uDC00'],
  ['reversed pair', '\uDC00\uD800'],
  ['event name with LF', 'x', 'bad\nname'],
  ['event name with CR', 'x', 'bad\rname'],
  ['event name with CRLF', 'x', 'a\r\nid: 1'],
  ['empty event name', 'x', ''],
  ['event name with spaces and colon', 'x', ' a: b '],
  ['event name with emoji', 'x', 'tick-😀'],
  ['event name with a lone surrogate', 'x', 'a\uD800'],
];

// A lone surrogate: a high one not followed by a low one, or a low one not after a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/** The refusal the server must give, decided from the publish alone, in the order the server checks. */
function refusalFor(body: { data: string; event?: string }, encodedBytes: number): string | undefined {
  if (!isWellFormed(body.data)) return 'SSE_ERR_DATA_NOT_WELL_FORMED';
  if (body.event !== undefined) {
    if (body.event === '') return 'SSE_ERR_EVENT_EMPTY';
    if (/[\r\n]/.test(body.event)) return 'SSE_ERR_EVENT_HAS_NEWLINE';
    if (!isWellFormed(body.event)) return 'SSE_ERR_EVENT_NOT_WELL_FORMED';
  }
  if (encodedBytes > MAX_EVENT_BYTES) return 'SSE_ERR_EVENT_TOO_LARGE';
  return undefined;
}

/** The encoded size, as the wire format lays it out; the id is counted at its longest (29 bytes). */
function encodedSize(body: { data: string; event?: string }): number {
  const lines = body.data.split(/\r\n|\r|\n/);
  const data = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 7, 0);
  const event = body.event === undefined ? 0 : Buffer.byteLength(body.event) + 8;
  return event + 'id: '.length + 29 + 1 + data + 1;
}

function randomText(rng: Rng, length: number): string {
  const pieces = [
    () => String.fromCharCode(0x20 + rng.int(95)),
    () => rng.pick(['\r', '\n', '\r\n', '\0', '\t', ':', ' ']),
    () => String.fromCharCode(0xa0 + rng.int(0xd7ff - 0xa0)),
    () => String.fromCodePoint(0x10000 + rng.int(0x10ffff - 0x10000)),
    () => (rng.int(40) === 0 ? String.fromCharCode(0xd800 + rng.int(0x800)) : 'x'),
  ];
  let out = '';
  while (out.length < length) out += rng.pick(pieces)();
  return out;
}

function cases(profile: Profile): ContentCase[] {
  const rng = createRng(profile.seed);
  const list: ContentCase[] = [];
  const add = (label: string, data: string, event?: string): void => {
    const body = event === undefined ? { data } : { data, event };
    list.push({ label, body, refusal: refusalFor(body, encodedSize(body)) });
  };
  for (const [label, data, event] of FIXED) add(label, data, event);
  const line = (n: number): string => 'y'.repeat(n);
  add('1 MiB, one line', line(1024 * 1024));
  add('1 MiB in 16 KiB lines, CRLF', Array.from({ length: 64 }, () => line(16 * 1024 - 2)).join('\r\n'));
  add('1 MiB of random text', Buffer.from(randomWellFormed(rng, 1024 * 1024), 'utf8').subarray(0, 1024 * 1024).toString('utf8'));
  add('3 MiB (over maxEventBytes)', line(3 * 1024 * 1024));
  for (let i = 0; i < profile.contentRandom; i++) {
    const data = randomText(rng, rng.int(200));
    const event = rng.int(4) === 0 ? randomText(rng, 1 + rng.int(12)) : undefined;
    add('random', data, event);
  }
  return list;
}

function randomWellFormed(rng: Rng, length: number): string {
  return randomText(rng, length).replace(LONE_SURROGATES, '\uFFFD');
}

/**
 * Event content: every publish either reaches an independent parser exactly as published (line
 * breaks become LF: the format has no other) or is refused with a clear error code, and nothing
 * is ever written half-way: the ids stay contiguous, every byte is valid UTF-8, no partial event.
 */
export const eventContent = scenario('event-content', async (findings, profile) => {
  const server = await startSoakServer({
    options: { tickMs: 0, heartbeatMs: 0, maxEventBytes: MAX_EVENT_BYTES, maxBodyBytes: 16 * 1024 * 1024, historyBytes: 32 * 1024 * 1024 },
  });
  try {
    const library: ParsedEvent[] = [];
    const crossCheck = createParser({ onEvent: (event) => library.push(event) });
    const reader = rawRequest({ port: server.port }, getRequest('/feed'), (bytes) => crossCheck.feed(bytes));
    await reader.waitFor((r) => r.parser.retries.length > 0, 5000);
    const list = cases(profile);
    const accepted: { item: ContentCase; id: string }[] = [];
    const wrong: string[] = [];
    const refusals = new Map<string, number>();
    for (const item of list) {
      const res = await fetch(`http://127.0.0.1:${server.port}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(item.body),
        signal: AbortSignal.timeout(10_000),
      });
      const json = (await res.json()) as { id?: string; error?: { code: string; message: string } };
      // Every accepted publish is a delivered event, expected or not: keep them all, in order.
      if (res.status === 202) accepted.push({ item, id: json.id as string });
      if (res.status === 202 && item.refusal === undefined) continue;
      // A refusal is its SseError's status: 413 for an event over the limit, 400 for the rest.
      const refusedAs = item.refusal === 'SSE_ERR_EVENT_TOO_LARGE' ? 413 : 400;
      if (res.status === refusedAs && item.refusal !== undefined && json.error?.code === item.refusal && json.error.message.length > 0) {
        refusals.set(item.refusal, (refusals.get(item.refusal) ?? 0) + 1);
      } else wrong.push(`${item.label} ${JSON.stringify(item.body).slice(0, 60)}: ${res.status} ${json.error?.code ?? json.id}, expected ${item.refusal ?? '202'}`);
    }
    await reader.waitFor((r) => r.parser.events.length >= accepted.length, profile.waitMs);
    reader.destroy();

    let mismatched = 0;
    accepted.forEach(({ item, id }, i) => {
      const got = reader.parser.events[i];
      const want = { type: item.body.event ?? 'message', data: item.body.data.replace(/\r\n|\r/g, '\n'), id };
      const lib = library[i];
      const isSame = got?.type === want.type && got.data === want.data && got.id === want.id;
      const isLibrarySame = lib?.type === want.type && lib.data === want.data && lib.lastEventId === want.id;
      if (!isSame || !isLibrarySame) {
        mismatched++;
        if (wrong.length < 20) wrong.push(`${item.label}: received ${JSON.stringify(got).slice(0, 80)}, library parser ${isLibrarySame ? 'agrees' : 'differs'}`);
      }
    });
    const seqs = accepted.map(({ id }) => Number(id.split('-')[1]));
    const isContiguous = seqs.every((seq, i) => seq === i + 1);
    const problems = reader.parser.problems;

    const durable = await durableReplay(list.filter((item) => item.refusal === undefined).slice(0, 40 + Math.min(200, profile.contentRandom)), profile.waitMs);

    const concurrent = await concurrentPublishers(profile.name === 'full' ? 32 : 8, profile.name === 'full' ? 100 : 25, profile.waitMs);

    findings.row('publishes', list.length);
    findings.row('accepted and received exactly (line breaks as LF)', accepted.length - mismatched);
    for (const [code, n] of [...refusals].sort()) findings.row(`refused ${code}`, n);
    findings.row('answers other than expected', wrong.length);
    findings.row('events received (strict parser / library parser)', `${reader.parser.events.length} / ${library.length}`);
    findings.row('ids contiguous over accepted publishes', String(isContiguous));
    findings.row('invalid UTF-8, BOM or unknown fields', problems.length);
    findings.row('partial event left at the end', String(reader.parser.hasPartial()));
    findings.row('largest accepted payload', `${Math.max(...accepted.map((a) => Buffer.byteLength(a.item.body.data)))} bytes`);
    findings.row('durable history: events published, then replayed after a restart', `${durable.published}, ${durable.replayed}`);
    findings.row('durable history: replayed exactly', `${durable.exact} / ${durable.published}`);
    for (const [mode, result] of Object.entries(concurrent)) {
      findings.row(`concurrent publishers (${mode}): publishes, delivered in id order`, `${result.published}, ${result.delivered}`);
      findings.expect(result.problem === '', `concurrent publishers (${mode}): ${result.problem}`);
    }
    findings.expect(durable.exact === durable.published && durable.replayed === durable.published, `replay from the history file after a restart differs: ${durable.sample}`);
    findings.expect(wrong.length === 0, `${wrong.length} wrong answers: ${wrong.slice(0, 5).join(' | ')}`);
    findings.expect(reader.parser.events.length === accepted.length, `${reader.parser.events.length} events received for ${accepted.length} accepted`);
    findings.expect(isContiguous, 'the ids of accepted publishes are not contiguous: a refusal took a sequence number');
    findings.expect(problems.length === 0, `stream problems: ${problems.slice(0, 3).join('; ')}`);
    findings.expect(!reader.parser.hasPartial(), 'a half-written event was left on the stream');
    return { refusals: Object.fromEntries(refusals), wrong, durable, concurrent };
  } finally {
    await server.stop();
  }
});

/**
 * The same content through durable history: publish into a server with `historyFile`, stop it,
 * start a new one on the same file, and replay everything from the start of the epoch. What comes
 * back must be exactly what was published, 1 MiB payloads included.
 */
async function durableReplay(items: readonly ContentCase[], waitMs: number): Promise<{ published: number; replayed: number; exact: number; sample: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-content-'));
  const options = {
    tickMs: 0,
    heartbeatMs: 0,
    maxEventBytes: MAX_EVENT_BYTES,
    maxBodyBytes: 16 * 1024 * 1024,
    historyEvents: 100_000,
    historyBytes: 64 * 1024 * 1024,
    historyFile: join(dir, 'feed.log'),
  };
  try {
    const first = await startSoakServer({ options });
    const ids: string[] = [];
    for (const item of items) {
      const res = await fetch(`http://127.0.0.1:${first.port}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(item.body),
        signal: AbortSignal.timeout(10_000),
      });
      ids.push(((await res.json()) as { id?: string }).id ?? `status ${res.status}`);
    }
    await first.stop();
    const second = await startSoakServer({ options });
    try {
      const reader = rawRequest({ port: second.port }, getRequest('/feed', [`Last-Event-ID: ${second.epoch}-0`]));
      await reader.waitFor((r) => r.parser.events.length >= items.length, 2 * waitMs);
      reader.destroy();
      let exact = 0;
      let sample = second.epoch === first.epoch ? '' : `the epoch changed from ${first.epoch} to ${second.epoch}`;
      items.forEach((item, i) => {
        const got = reader.parser.events[i];
        const isSame =
          got?.type === (item.body.event ?? 'message') && got.data === item.body.data.replace(/\r\n|\r/g, '\n') && got.id === ids[i];
        if (isSame) exact++;
        else if (sample === '') sample = `${item.label}: replayed ${JSON.stringify(got).slice(0, 80)} for id ${ids[i]}`;
      });
      if (reader.parser.problems.length > 0 && sample === '') sample = reader.parser.problems.join('; ');
      return { published: items.length, replayed: reader.parser.events.length, exact: reader.parser.problems.length === 0 ? exact : 0, sample };
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Many publishers at once, in memory and over durable history: every `202` id must be delivered
 * once, carrying that publish's data, the ids must run 1…n with no gap, and each publisher's own
 * events must arrive in the order it sent them.
 */
async function concurrentPublishers(workers: number, each: number, waitMs: number): Promise<Record<string, { published: number; delivered: number; problem: string }>> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-publishers-'));
  const out: Record<string, { published: number; delivered: number; problem: string }> = {};
  try {
    for (const mode of ['memory', 'history file'] as const) {
      const server = await startSoakServer({
        options: { tickMs: 0, heartbeatMs: 0, historyEvents: 100_000, ...(mode === 'memory' ? {} : { historyFile: join(dir, 'feed.log') }) },
      });
      try {
        const follower = rawRequest({ port: server.port }, getRequest('/feed'));
        await follower.waitFor((r) => r.parser.retries.length > 0, 5000);
        const sent = new Map<string, string>();
        const order: string[][] = [];
        await Promise.all(
          Array.from({ length: workers }, async (_, w) => {
            const mine: string[] = [];
            order.push(mine);
            for (let i = 0; i < each; i++) {
              const data = `w${w}-${i}`;
              const res = await fetch(`http://127.0.0.1:${server.port}/publish`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ data }),
                signal: AbortSignal.timeout(10_000),
              });
              const id = ((await res.json()) as { id?: string }).id ?? `status ${res.status}`;
              sent.set(id, data);
              mine.push(id);
            }
          }),
        );
        const total = workers * each;
        await follower.waitFor((r) => r.parser.events.length >= total, waitMs);
        follower.destroy();
        const events = follower.parser.events;
        const seqOf = (id: string): number => Number(id.split('-')[1]);
        let problem = '';
        if (sent.size !== total) problem = `${total - sent.size} publishes got no id or a repeated one`;
        else if (events.length !== total) problem = `${events.length} events delivered for ${total} publishes`;
        else if (!events.every((e, i) => seqOf(e.id) === i + 1)) problem = 'the delivered ids are not 1…n in order';
        else if (!events.every((e) => sent.get(e.id) === e.data)) problem = 'an event carried another publish’s data';
        else if (!order.every((ids) => ids.every((id, i) => i === 0 || seqOf(id) > seqOf(ids[i - 1] as string)))) {
          problem = 'a publisher’s own events were reordered';
        }
        out[mode] = { published: total, delivered: problem === '' ? events.length : 0, problem };
      } finally {
        await server.stop();
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

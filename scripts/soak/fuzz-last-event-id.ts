import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedFor, generateHostileCases, type Expected, type FeedState, type HostileCase } from './hostile-ids.js';
import { pool } from './pool.js';
import type { Profile } from './profile.js';
import { rawRequest, simpleGet, type RawResponse } from './raw-client.js';
import { scenario } from './report.js';
import { createRng } from './rng.js';
import { startSoakServer } from './soak-server.js';

const HISTORY = 50;
const PUBLISHED = 120;
/** How long a stream that should stay silent (fresh, or resumed at the head) is watched. */
const QUIET_MS = 150;

/**
 * Hostile `Last-Event-ID` fuzz: thousands of seeded values against `/feed`, each judged against
 * an independent oracle; a prober keeps asking `/health` the whole time.
 */
export const fuzzLastEventId = scenario('fuzz-last-event-id', async (findings, profile) => {
  const server = await startSoakServer({ options: { tickMs: 0, heartbeatMs: 0, historyEvents: HISTORY, maxPerClient: 100_000 } });
  try {
    await server.command({ cmd: 'pump', count: PUBLISHED, bytes: 64, perTick: PUBLISHED, intervalMs: 0 });
    const stats = await server.stats();
    const state: FeedState = { epoch: server.epoch, head: stats.head, oldest: stats.oldest };
    findings.expect(expectedFor(`${state.epoch}-${state.head}`, state).kind === 'replay', 'the oracle disagrees with itself');
    const cases = generateHostileCases(createRng(profile.seed), profile.fuzzValues, state);

    const outcomes = new Map<string, number>();
    const byCategory = new Map<string, { total: number; wrong: number }>();
    const wrong: { category: string; sent: string; expected: Expected; got: string }[] = [];
    let health = { probes: 0, failures: 0, maxMs: 0 };
    let isDone = false;
    const prober = (async () => {
      while (!isDone) {
        const answer = await simpleGet({ port: server.port }, '/health', 2000);
        health = {
          probes: health.probes + 1,
          failures: health.failures + (answer.status === 200 && answer.body === 'ok\n' ? 0 : 1),
          maxMs: Math.max(health.maxMs, answer.ms),
        };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    let healthAfterEach = { checks: 0, failures: 0 };
    await pool(cases, profile.fuzzConcurrency, async (item) => {
      const got = await judge(server.port, item, state);
      // The server must still answer after each value, not only on average.
      const check = await simpleGet({ port: server.port }, '/health', 2000);
      healthAfterEach = {
        checks: healthAfterEach.checks + 1,
        failures: healthAfterEach.failures + (check.status === 200 && check.body === 'ok\n' ? 0 : 1),
      };
      const outcome = got.ok ? describe(item.expected) : `WRONG ${got.detail}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      const tally = byCategory.get(item.category) ?? { total: 0, wrong: 0 };
      tally.total++;
      if (!got.ok) {
        tally.wrong++;
        if (wrong.length < 20 || !got.detail.startsWith('first event')) wrong.push({ category: item.category, sent: sent(item), expected: item.expected, got: got.detail });
      }
      byCategory.set(item.category, tally);
    });
    isDone = true;
    await prober;
    const final = await simpleGet({ port: server.port }, '/health');
    const after = await server.settle((s) => s.openStreams === 0);

    // The server's own counters must tell the same story as the clients.
    const counters = after.counters as { resets: Record<string, number>; resumed: number };
    const resetsSeen = Object.fromEntries(
      [...outcomes].filter(([outcome]) => outcome.startsWith('reset')).map(([outcome, n]) => [/\((\w+)\)/.exec(outcome)?.[1] ?? '', n]),
    );
    const isCounted =
      JSON.stringify(Object.entries(counters.resets).sort()) === JSON.stringify(Object.entries(resetsSeen).sort()) &&
      counters.resumed === (outcomes.get('resume (replay)') ?? 0);
    const durable = await durableFuzz(profile);
    const wrongCount = wrong.length === 0 ? 0 : [...byCategory.values()].reduce((sum, t) => sum + t.wrong, 0);
    findings.row('values sent', cases.length);
    findings.row('seed', profile.seed);
    for (const [outcome, n] of [...outcomes].sort()) findings.row(`outcome: ${outcome}`, n);
    for (const [category, tally] of [...byCategory].sort()) findings.row(`category: ${category}`, `${tally.total} (${tally.wrong} wrong)`);
    findings.row('/health probes during the fuzz', `${health.probes} (${health.failures} failed, slowest ${health.maxMs.toFixed(0)} ms)`);
    findings.row('/health right after each value', `${healthAfterEach.checks} (${healthAfterEach.failures} failed)`);
    findings.row('server counters agree (resets by reason, resumes)', String(isCounted));
    findings.row('durable history, after a restart: values sent (wrong)', `${durable.values} (${durable.wrong})`);
    findings.row('streams open afterwards', after.openStreams);
    findings.expect(wrongCount === 0, `${wrongCount} values got a wrong answer, e.g. ${JSON.stringify(wrong.slice(0, 3))}`);
    findings.expect(health.failures === 0 && health.probes > 0, `/health failed ${health.failures} of ${health.probes} times during the fuzz`);
    findings.expect(healthAfterEach.failures === 0 && healthAfterEach.checks === cases.length, `/health after a value failed ${healthAfterEach.failures} times`);
    findings.expect(durable.wrong === 0, `over durable history, ${durable.wrong} values got a wrong answer, e.g. ${durable.sample}`);
    findings.expect(isCounted, `the server counted resets ${JSON.stringify(counters.resets)} and ${counters.resumed} resumes; the clients saw ${JSON.stringify(resetsSeen)}`);
    findings.expect(final.status === 200, `/health after the fuzz answered ${final.status}`);
    findings.expect(server.stderr() === '', `the server wrote on stderr: ${server.stderr().slice(0, 300)}`);
    return { state, outcomes: Object.fromEntries(outcomes), categories: Object.fromEntries(byCategory), health, wrong };
  } finally {
    await server.stop();
  }
});

function describe(expected: Expected): string {
  if (expected.kind === 'reset') return `reset (${expected.reason})`;
  if (expected.kind === 'replay') return 'resume (replay)';
  return 'fresh';
}

function sent(item: HostileCase): string {
  const text = item.headers.map((h) => h.toString('latin1')).join(' | ') + item.query;
  return text.length > 120 ? `${text.slice(0, 120)}… (${text.length} chars)` : text;
}

/** Opens `/feed` with the case's value and checks status, type and the first event(s). */
async function judge(port: number, item: HostileCase, state: FeedState): Promise<{ ok: boolean; detail: string }> {
  const request = Buffer.concat([
    Buffer.from(`GET /feed${item.query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n`, 'latin1'),
    ...item.headers.map((h) => Buffer.concat([h, Buffer.from('\r\n')])),
    Buffer.from('\r\n'),
  ]);
  const res = rawRequest({ port }, request);
  try {
    const expected = item.expected;
    const replayCount = expected.kind === 'replay' ? state.head - expected.after : 0;
    const wantsEvents = expected.kind === 'reset' || replayCount > 0;
    if (wantsEvents) {
      await res.waitFor((r) => r.parser.events.length >= Math.max(1, replayCount), 5000);
    } else {
      await res.waitFor((r) => r.parser.retries.length > 0, 5000);
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    }
    return check(res, expected, state, replayCount);
  } finally {
    res.destroy();
  }
}

function check(res: RawResponse, expected: Expected, state: FeedState, replayCount: number): { ok: boolean; detail: string } {
  const fail = (detail: string): { ok: boolean; detail: string } => ({ ok: false, detail });
  if (res.status !== 200) return fail(`status ${res.status}`);
  if (res.headers.get('content-type') !== 'text/event-stream; charset=utf-8') return fail(`content-type ${res.headers.get('content-type')}`);
  if (res.parser.retries.length === 0) return fail('no retry: hint');
  if (res.parser.problems.length > 0) return fail(`stream problems: ${res.parser.problems.join('; ')}`);
  const events = res.parser.events;
  if (expected.kind === 'reset') {
    const first = events[0];
    if (first === undefined) return fail('no event');
    if (first.type !== 'reset') return fail(`first event ${first.type} ${first.id}`);
    const data = JSON.parse(first.data) as { reason?: string };
    if (data.reason !== expected.reason) return fail(`reset reason ${data.reason}`);
    if (first.id !== `${state.epoch}-${state.head}`) return fail(`reset id ${first.id}`);
    if (events.length !== 1) return fail(`${events.length} events after a reset`);
    return { ok: true, detail: '' };
  }
  if (events.length !== replayCount) return fail(`${events.length} events, expected ${replayCount}`);
  if (expected.kind === 'replay') {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event?.type !== 'message' || event.id !== `${state.epoch}-${expected.after + 1 + i}`) {
        return fail(`replayed event ${i} is ${event?.type} ${event?.id}`);
      }
    }
  }
  return { ok: true, detail: '' };
}

/**
 * The same fuzz over durable history, after a restart: the history the server resumes from was
 * read back from its file, which is a different path from the one events take when published.
 */
async function durableFuzz(profile: Profile): Promise<{ values: number; wrong: number; sample: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-fuzz-'));
  const options = { tickMs: 0, heartbeatMs: 0, historyEvents: HISTORY, maxPerClient: 100_000, historyFile: join(dir, 'feed.log') };
  try {
    const first = await startSoakServer({ options });
    await first.command({ cmd: 'pump', count: PUBLISHED, bytes: 64, perTick: PUBLISHED, intervalMs: 0 });
    await first.stop();
    const server = await startSoakServer({ options });
    try {
      const stats = await server.stats();
      const state: FeedState = { epoch: server.epoch, head: stats.head, oldest: stats.oldest };
      const cases = generateHostileCases(createRng(profile.seed + 1), Math.ceil(profile.fuzzValues / 5), state);
      let wrong = 0;
      let sample = stats.head === PUBLISHED ? '' : `the restarted server's head is ${stats.head}, not ${PUBLISHED}`;
      await pool(cases, profile.fuzzConcurrency, async (item) => {
        const got = await judge(server.port, item, state);
        if (got.ok) return;
        wrong++;
        if (sample === '') sample = `${sent(item)}: ${got.detail}`;
      });
      return { values: cases.length, wrong: sample.startsWith('the restarted') ? wrong + 1 : wrong, sample };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

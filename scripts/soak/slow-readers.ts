import { connect as connectHttp2 } from 'node:http2';
import { getRequest, rawRequest, type RawResponse } from './raw-client.js';
import { percentile } from '../lib/stats.js';
import { mib, scenario } from './report.js';
import { createStrictReader } from '../lib/sse-reader.js';
import { holdsWithin } from '../lib/wait.js';
import { startSoakServer } from './soak-server.js';

const EVENT_BYTES = 4096;
const PER_TICK = 8;
const TICK_MS = 10;
const MAX_PENDING = 1024 * 1024;
/** Replay history large enough to cover everything published, so every cut client can resume. */
const HISTORY_BYTES = 24 * 1024 * 1024;
/** Room over the computed bound for allocator slack and collection lag. */
const RSS_SLACK = 32 * 1024 * 1024;
const HEAP_BOUND = 48 * 1024 * 1024;
const LAG_P99_BOUND_MS = 250;

/**
 * Slow and dead readers: clients that never read (or stop after a little) while megabytes of
 * events flow. The slow ones must be cut, the server's memory must stay bounded, the fast ones
 * must see every event on time, and each cut client must resume from the replay with no loss.
 */
export const slowReaders = scenario('slow-readers', async (findings, profile) => {
  const server = await startSoakServer({
    options: {
      tickMs: 0,
      heartbeatMs: 0,
      maxPerClient: 1000,
      maxPendingBytes: MAX_PENDING,
      stallTimeoutMs: 5000,
      historyEvents: 100_000,
      historyBytes: HISTORY_BYTES,
    },
  });
  const target = { port: server.port };
  try {
    const baseline = await server.stats(true);
    const fast = Array.from({ length: profile.fastClients }, () => follow(rawRequest(target, getRequest('/feed'))));
    const slow: RawResponse[] = [];
    let isResuming = false;
    for (let i = 0; i < profile.slowClients; i++) {
      const res = rawRequest(target, getRequest('/feed'));
      if (i % 2 === 0) res.socket.pause();
      else {
        // This one reads a little, then stops for good: a reader that died mid-stream.
        res.socket.on('data', () => {
          if (res.bodyBytes > 256 * 1024 && !isResuming) res.socket.pause();
        });
      }
      slow.push(res);
    }
    await server.settle((s) => s.openStreams === profile.fastClients + profile.slowClients);
    const count = Math.ceil(profile.slowBytes / EVENT_BYTES);
    await server.command({ cmd: 'sample', everyMs: 50 });
    const pump = await server.command<{ first: number; last: number; ms: number }>({ cmd: 'pump', count, bytes: EVENT_BYTES, perTick: PER_TICK, intervalMs: TICK_MS });
    const head = pump.last;
    const allFast = await Promise.all(fast.map((f) => f.res.waitFor((r) => lastSeq(r) >= head, profile.waitMs)));
    const memory = await server.command<{ rss: number; heap: number; external: number; samples: number }>({ cmd: 'sample-stop' });
    const cut = await server.settle((s) => sum(s.counters) >= profile.slowClients, profile.waitMs);

    // Each cut client now reads what reached it, then reconnects with its last id.
    isResuming = true;
    const resumed = await Promise.all(
      slow.map(async (res) => {
        res.socket.resume();
        await res.waitFor((r) => r.isClosed, profile.waitMs);
        const last = res.parser.events.at(-1)?.id;
        const again = rawRequest(target, getRequest('/feed', last === undefined ? [] : [`Last-Event-ID: ${last}`]));
        await again.waitFor((r) => lastSeq(r) >= head, profile.waitMs);
        again.destroy();
        const seqs = [...res.parser.events, ...again.parser.events].map((e) => Number(e.id.split('-')[1]));
        const isExact = seqs.length === head && seqs.every((seq, i) => seq === i + 1);
        return { before: res.parser.events.length, after: again.parser.events.length, isExact, wasCut: res.isClosed, problems: [...res.parser.problems, ...again.parser.problems] };
      }),
    );
    for (const f of fast) f.res.destroy();
    const after = await server.settle((s) => s.openStreams === 0);

    const lags = fast.flatMap((f) => f.lags);
    const fastComplete = fast.filter((f) => f.res.parser.events.length === head && isContiguous(f.res)).length;
    const rssGrowth = memory.rss - baseline.rss;
    // The history holds every event published; each slow client may hold its budget plus one chunk.
    const RSS_GROWTH_BOUND = count * EVENT_BYTES + profile.slowClients * 2 * MAX_PENDING + RSS_SLACK;
    findings.row('events published (bytes each)', `${count} (${EVENT_BYTES})`);
    findings.row('bytes published', mib(count * EVENT_BYTES));
    // The publisher runs on a timer: if a slow client could hold it back, it would fall behind.
    const scheduleMs = (Math.ceil(count / PER_TICK) - 1) * TICK_MS;
    findings.row('publish time (schedule)', `${(pump.ms / 1000).toFixed(2)} s (${(scheduleMs / 1000).toFixed(2)} s)`);
    findings.row('slow clients (never read / stop after 256 KiB)', `${profile.slowClients} (${Math.ceil(profile.slowClients / 2)} / ${Math.floor(profile.slowClients / 2)})`);
    findings.row('slow clients cut (slow / stalled)', `${(cut.counters as Counters).slowCut['slow'] ?? 0} / ${(cut.counters as Counters).slowCut['stalled'] ?? 0}`);
    findings.row('fast clients with every event in order', `${fastComplete} / ${profile.fastClients}`);
    findings.row('fast client lag p50 / p99 / max (ms)', `${percentile(lags, 50).toFixed(1)} / ${percentile(lags, 99).toFixed(1)} / ${Math.max(...lags).toFixed(1)}`);
    findings.row('cut clients resumed with no loss', `${resumed.filter((r) => r.isExact).length} / ${profile.slowClients}`);
    findings.row('events before the cut / replayed after (per cut client)', resumed.map((r) => `${r.before}/${r.after}`).join(', '));
    findings.row('server RSS baseline → peak', `${mib(baseline.rss)} → ${mib(memory.rss)} (+${mib(rssGrowth)}, bound +${mib(RSS_GROWTH_BOUND)})`);
    findings.row('server heap baseline → peak', `${mib(baseline.heapUsed)} → ${mib(memory.heap)} (bound ${mib(HEAP_BOUND)})`);
    findings.row('server external + array buffers peak', mib(memory.external));
    findings.row('memory samples', memory.samples);
    findings.row('open streams afterwards', after.openStreams);
    const h2 = await overHttp2(Math.ceil(profile.slowBytes / EVENT_BYTES), profile.waitMs);
    findings.row('HTTP/2 (h2c): slow stream cut, fast stream complete and in order', `${h2.isCut}, ${h2.isFastComplete}`);
    findings.row('HTTP/2 (h2c): server RSS growth', mib(h2.rssGrowth));
    findings.expect(h2.isCut && h2.isFastComplete, `over HTTP/2 the slow stream was ${h2.isCut ? '' : 'not '}cut and the fast one ${h2.isFastComplete ? 'was' : 'was not'} complete`);
    findings.expect(h2.rssGrowth <= count * EVENT_BYTES + 2 * MAX_PENDING + RSS_SLACK, `over HTTP/2 RSS grew by ${mib(h2.rssGrowth)}`);
    const uncovered = await uncoveredResume(profile.waitMs);
    findings.row('cut client beyond the history (200 events kept): first event on resume', uncovered.first);
    findings.expect(uncovered.first === 'reset (expired)', `a cut client whose events left the history got ${uncovered.first}, not reset (expired)`);
    findings.expect(allFast.every(Boolean) && fastComplete === profile.fastClients, `${profile.fastClients - fastComplete} fast clients missed events`);
    findings.expect(percentile(lags, 99) <= LAG_P99_BOUND_MS, `fast clients' p99 lag ${percentile(lags, 99).toFixed(0)} ms is over ${LAG_P99_BOUND_MS} ms`);
    findings.expect(pump.ms <= scheduleMs * 1.5 + 500, `publishing took ${pump.ms.toFixed(0)} ms for a ${scheduleMs} ms schedule: the publisher was held back`);
    findings.expect(sum(cut.counters) === profile.slowClients, `${sum(cut.counters)} of ${profile.slowClients} slow clients were cut`);
    findings.expect(resumed.every((r) => r.isExact && r.problems.length === 0), `a cut client did not resume exactly: ${JSON.stringify(resumed)}`);
    findings.expect(rssGrowth <= RSS_GROWTH_BOUND, `RSS grew by ${mib(rssGrowth)}, over the bound`);
    findings.expect(memory.heap <= HEAP_BOUND, `heap peaked at ${mib(memory.heap)}, over the bound`);
    findings.expect(after.openStreams === 0 && after.leases === 0, `afterwards ${after.openStreams} streams are open`);
    return { count, head, memory, baseline: { rss: baseline.rss, heap: baseline.heapUsed }, resumed, lagP99: percentile(lags, 99) };
  } finally {
    await server.stop();
  }
});

interface Counters {
  readonly slowCut: Record<string, number>;
}

function sum(counters: unknown): number {
  return Object.values((counters as Counters).slowCut).reduce((a, b) => a + b, 0);
}

function lastSeq(res: RawResponse): number {
  return Number(res.parser.events.at(-1)?.id.split('-')[1] ?? 0);
}

function isContiguous(res: RawResponse): boolean {
  return res.parser.events.every((e, i) => e.id.endsWith(`-${i + 1}`));
}

/** Records each event's lag: arrival time minus the publish time the event carries. */
function follow(res: RawResponse): { res: RawResponse; lags: number[] } {
  const lags: number[] = [];
  let seen = 0;
  res.socket.on('data', () => {
    const events = res.parser.events;
    const now = Date.now();
    for (; seen < events.length; seen++) {
      const t = Number(/^\{"t":(\d+)/.exec(events[seen]?.data ?? '')?.[1]);
      if (Number.isFinite(t)) lags.push(now - t);
    }
  });
  return { res, lags };
}

/**
 * The other side of "no loss while the buffer covers it": with a history of 200 events, a reader
 * cut after missing thousands must be told so (`reset`, reason `expired`), never resumed with a gap.
 */
async function uncoveredResume(waitMs: number): Promise<{ first: string }> {
  const server = await startSoakServer({
    options: { tickMs: 0, heartbeatMs: 0, maxPendingBytes: MAX_PENDING, stallTimeoutMs: 5000, historyEvents: 200 },
  });
  try {
    const slow = rawRequest({ port: server.port }, getRequest('/feed'));
    slow.socket.pause();
    await server.settle((s) => s.openStreams === 1);
    await server.command({ cmd: 'pump', count: 2000, bytes: EVENT_BYTES, perTick: 16, intervalMs: 5 });
    await server.settle((s) => sum(s.counters) === 1, waitMs);
    slow.socket.resume();
    await slow.waitFor((r) => r.isClosed, waitMs);
    const last = slow.parser.events.at(-1)?.id;
    const again = rawRequest({ port: server.port }, getRequest('/feed', last === undefined ? [] : [`Last-Event-ID: ${last}`]));
    await again.waitFor((r) => r.parser.events.length > 0, waitMs);
    again.destroy();
    const event = again.parser.events[0];
    if (last === undefined) return { first: 'the cut client had received no event' };
    if (event === undefined) return { first: 'no event' };
    const reason = event.type === 'reset' ? (JSON.parse(event.data) as { reason?: string }).reason : undefined;
    return { first: reason === undefined ? `${event.type} ${event.id}` : `reset (${reason})` };
  } finally {
    await server.stop();
  }
}

/**
 * The same over HTTP/2 (cleartext, prior knowledge), where backpressure comes from the stream's
 * flow-control window instead of the socket: one stream that never reads, one that does, each on
 * its own session.
 */
async function overHttp2(count: number, waitMs: number): Promise<{ isCut: boolean; isFastComplete: boolean; rssGrowth: number }> {
  const server = await startSoakServer({
    options: { tickMs: 0, heartbeatMs: 0, h2c: true, maxPendingBytes: MAX_PENDING, stallTimeoutMs: 5000, historyEvents: 100_000, historyBytes: HISTORY_BYTES },
  });
  const sessions = [connectHttp2(`http://127.0.0.1:${server.port}`), connectHttp2(`http://127.0.0.1:${server.port}`)];
  try {
    for (const session of sessions) session.on('error', () => {});
    const baseline = await server.stats(true);
    const slow = sessions[0]?.request({ ':path': '/feed', accept: 'text/event-stream' });
    slow?.on('error', () => {});
    slow?.on('data', () => slow.pause());
    const fast = sessions[1]?.request({ ':path': '/feed', accept: 'text/event-stream' });
    const parser = createStrictReader();
    fast?.on('data', (chunk: Buffer) => parser.feed(chunk));
    fast?.on('error', () => {});
    await server.settle((s) => s.openStreams === 2);
    await server.command({ cmd: 'sample', everyMs: 50 });
    await server.command({ cmd: 'pump', count, bytes: EVENT_BYTES, perTick: PER_TICK, intervalMs: TICK_MS });
    const memory = await server.command<{ rss: number }>({ cmd: 'sample-stop' });
    const cut = await server.settle((s) => sum(s.counters) >= 1, waitMs);
    await holdsWithin(() => parser.events.length >= count, waitMs, 20);
    return {
      isCut: sum(cut.counters) === 1,
      isFastComplete: parser.events.length === count && parser.events.every((e, i) => e.id.endsWith(`-${i + 1}`)),
      rssGrowth: memory.rss - baseline.rss,
    };
  } finally {
    for (const session of sessions) session.destroy();
    await server.stop();
  }
}

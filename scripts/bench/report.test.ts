import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CountResult } from './measure.js';
import { formatNumber, formatRatio, renderMarkdownTable, renderPeersMarkdown, renderTextTable, summarize, summarizeServers } from './report.js';

function result(server: string, streams: number, rep: number, scale: number): CountResult {
  return {
    server,
    rep,
    streams,
    open: {
      requested: streams,
      opened: streams,
      failed: 0,
      elapsedMs: 1000 * scale,
      connectRate: streams / scale,
      headersP50Ms: 2 * scale,
      headersP99Ms: 9 * scale,
      firstErrors: [],
    },
    openLoadCpuSeconds: 0.1,
    openLoadSystemSeconds: 0.05,
    baseRssBytes: 50e6,
    idleRssBytes: 50e6 + streams * 10_000 * scale,
    bursts: [
      { events: 100, deliveries: 100 * streams, lastDeliveryMs: 40 * scale, deliveriesPerSecond: 1e6 / scale, isComplete: true },
    ],
    burstServerCpuSeconds: 0.1 * scale * (streams / 1000),
    burstLoadCpuSeconds: 0.05,
    peakRssBytes: (50e6 + streams * 10_000 * scale) * (1 + scale / 10),
    rates:
      streams === 1000
        ? [
            { perSecond: 20, offered: 40, expected: 40_000, delivered: 40_000, deliveredPerSecond: 20, samples: 4000, p50Ms: 1 * scale, p99Ms: 5 * scale, maxMs: 9, serverCpuSeconds: 0.2 * scale, loadCpuSeconds: 0.1 },
            { perSecond: 100, offered: 200, expected: 200_000, delivered: scale > 1 ? 150_000 : 200_000, deliveredPerSecond: 100, samples: 20_000, p50Ms: 2 * scale, p99Ms: 8 * scale, maxMs: 20, serverCpuSeconds: 0.8 * scale, loadCpuSeconds: 0.2 },
          ]
        : [],
    errors: [],
  };
}

// The baseline is made 30× worse on every figure except memory (1/0.9 ×).
const RESULTS = [1, 2, 3].flatMap((rep) => [
  result('reference', 1000, rep, 1),
  result('reference', 10_000, rep, 1),
  { ...result('naive', 1000, rep, 30), idleRssBytes: 50e6 + 1000 * 10_000 / 0.9 },
  { ...result('naive', 10_000, rep, 30), idleRssBytes: 50e6 + 10_000 * 10_000 / 0.9 },
]);

describe('summarize', () => {
  const rows = summarize(RESULTS, [20, 100]);
  const byId = (id: string) => rows.find((row) => row.id === id);

  it('gives each metric the median per server and the ratio of the medians', () => {
    const cpu = byId('burst-cpu-1000');
    assert.ok(cpu !== undefined);
    assert.equal(cpu.reference, 1);
    assert.equal(cpu.baseline, 30);
    assert.equal(cpu.ratio, 1 / 30);
    assert.equal(cpu.isMet, true);
  });

  it('checks the targets the issue sets', () => {
    assert.equal(byId('memory-per-stream-10000')?.isMet, true);
    assert.equal(byId('burst-peak-10000')?.isMet, true);
    assert.equal(byId('latency-p99-20')?.isMet, true);
    assert.equal(byId('delivered-100')?.reference, 100);
    assert.equal(byId('delivered-100')?.baseline, 75);
    assert.equal(byId('served')?.isMet, true);
    assert.equal(byId('burst-rate-1000')?.isMet, undefined);
  });

  it('reports a missed target', () => {
    const worse = RESULTS.map((r) => (r.server === 'reference' ? { ...r, burstServerCpuSeconds: (r.burstServerCpuSeconds ?? 0) * 2 } : r));
    assert.equal(summarize(worse, [20, 100]).find((row) => row.id === 'burst-cpu-1000')?.isMet, false);
  });

  it('leaves out the rows a quick run has no data for', () => {
    const quick = summarize(RESULTS.filter((r) => r.streams === 1000), [20, 100]);
    assert.equal(quick.some((row) => row.id.endsWith('10000')), false);
    assert.equal(quick.find((row) => row.id === 'served')?.label, 'Streams served of 1,000');
  });

  it('is empty without results', () => {
    assert.deepEqual(summarize([], [20]), []);
  });
});

describe('rendering', () => {
  const rows = summarize(RESULTS, [20, 100]);

  it('formats figures to about three significant digits', () => {
    assert.equal(formatNumber(2_630_874.4), '2,630,874');
    assert.equal(formatNumber(38.04), '38.0');
    assert.equal(formatNumber(0.31987), '0.320');
    assert.equal(formatNumber(Number.NaN), '–');
    assert.equal(formatRatio(1 / 30), '0.033×');
  });

  it('prints one aligned line per row under a header', () => {
    const lines = renderTextTable(rows).split('\n');
    assert.equal(lines.length, rows.length + 1);
    assert.match(lines[0] ?? '', /^metric\s+reference\s+range\s+baseline\s+range\s+ref\/base\s+target$/);
    assert.match(renderTextTable(rows), /Server CPU per million deliveries, bursts, C = 1,000\s+1\.00 s\s+1\.00–1\.00\s+30\.0 s\s+30\.0–30\.0\s+0\.033×\s+≤ 1\/25×\s+met/);
  });

  it('prints the measured server alone when there is no baseline', () => {
    const lines = renderTextTable(rows, true).split('\n');
    assert.match(lines[0] ?? '', /^metric\s+server$/);
    assert.match(lines[1] ?? '', /^Idle memory per stream, C = 1,000\s+10\.0 KB$/);
  });

  it('gives each median its range over the repetitions', () => {
    const spread = summarize([...RESULTS, { ...result('reference', 1000, 4, 1), burstServerCpuSeconds: 0.3 }], [20]);
    const cpu = spread.find((row) => row.id === 'burst-cpu-1000');
    assert.deepEqual(cpu?.referenceRange, [1, 3]);
    assert.match(renderMarkdownTable(spread), /\| Server CPU per million deliveries, bursts, C = 1,000 \| 1\.00 s <sub>1\.00–3\.00<\/sub> \| 30\.0 s \|/);
  });

  it('puts every server of a peers run side by side, the best median in bold', () => {
    const peers = summarizeServers(RESULTS, [20], ['reference', 'naive']);
    const table = renderPeersMarkdown(peers, ['reference', 'naive']);
    assert.match(table, /^\| metric \| reference \| naive \|$/m);
    assert.match(table, /^\| Server CPU per million deliveries, bursts, C = 1,000 \| \*\*1\.00 s <sub>1\.00–1\.00<\/sub>\*\* \| 30\.0 s <sub>30\.0–30\.0<\/sub> \|$/m);
    assert.match(table, /^\| Deliveries per second, burst of 100, C = 1,000 \| \*\*1,000,000 \/s/m);
  });

  it('writes a Markdown table with the ratio column', () => {
    const table = renderMarkdownTable(rows);
    assert.match(table, /^\| metric \| reference \| baseline \| reference \/ baseline \| target \| \|$/m);
    assert.match(table, /^\| Idle memory per stream, C = 10,000 \| 10\.0 KB \| 11\.1 KB \| 0\.900× \| ≤ 0\.95× \| met \|$/m);
  });
});

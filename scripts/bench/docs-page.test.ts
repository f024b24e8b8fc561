import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartPanels, renderBenchmarksPage, renderPeerTargets, renderPeersSection, summarySentences, type MachineInfo } from './docs-page.js';
import { FULL, PEERS } from './options.js';
import type { MetricRow, PeerRow } from './report.js';

function metricRow(id: string, reference: number, baseline: number, target?: { text: string; isMet: boolean }): MetricRow {
  return {
    id,
    label: id,
    unit: 's',
    reference,
    baseline,
    ratio: reference / baseline,
    referenceRange: [reference, reference],
    baselineRange: [baseline, baseline],
    ...(target === undefined ? {} : { target: target.text, isMet: target.isMet }),
  };
}

const ROWS: MetricRow[] = [
  metricRow('burst-cpu-10000', 0.16, 3.2, { text: '≤ 1/25×', isMet: true }),
  metricRow('burst-kernel-cpu-10000', 0.11, 0.9),
  metricRow('burst-load-cpu-10000', 0.3, 0.4),
  metricRow('burst-rate-10000', 2_800_000, 310_000),
  metricRow('single-cpu', 7.5, 11.6, { text: '≤ 0.75×', isMet: false }),
];

const MACHINE: MachineInfo = {
  cpus: 2,
  cpuModel: 'Test CPU',
  memoryBytes: 24 * 1024 ** 3,
  node: 'v20.20.2',
  kernel: '6.1.0',
  isPinned: true,
  openFiles: { server: 20_000, load: 20_000 },
  peakFrom: 'VmHWM',
};

describe('summarySentences', () => {
  const text = summarySentences(ROWS).join('\n');

  it('quotes the CPU figures with how many times less', () => {
    assert.match(text, /to 10,000 streams cost the reference server 0\.160 CPU-seconds per million deliveries, against 3\.20 for the baseline: 20\.0× less; 0\.110 s/);
  });

  it('says when the load process was the bottleneck', () => {
    assert.match(text, /At C = 10,000 the load process spent more CPU per delivery than the reference server/);
  });

  it('names the missed targets', () => {
    assert.match(text, /Targets missed in this run: single-cpu\.$/);
  });
});

describe('renderBenchmarksPage', () => {
  const page = renderBenchmarksPage({
    rows: ROWS,
    machine: MACHINE,
    profile: FULL,
    command: 'npm run bench',
    finishedAt: '2026-11-23T20:00:00Z',
    resultsFile: 'bench-results/full-x.json',
    chartPath: 'img/bench.svg',
    analysis: '## What bounds each figure\n\nText.\n',
  });

  it('holds the table, the command, the machine, the chart and the analysis', () => {
    assert.match(page, /^<!-- Written by `npm run bench`/);
    assert.match(page, /\| burst-cpu-10000 \| 0\.160 s \| 3\.20 s \| 0\.050× \| ≤ 1\/25× \| met \|/);
    assert.match(page, /- Command: `npm run bench`/);
    assert.match(page, /- Machine: 2 CPUs \(Test CPU\), 24\.0 GiB memory, Linux 6\.1\.0, Node v20\.20\.2/);
    assert.match(page, /!\[[^\]]+\]\(img\/bench\.svg\)/);
    assert.match(page, /## What bounds each figure\n\nText\.\n$/);
  });

  it('charts deliveries per second and CPU per million, leaving out what was not measured', () => {
    const panels = chartPanels(ROWS);
    assert.deepEqual(
      panels.map((panel) => panel.groups.map((group) => group.label)),
      [['C = 10,000'], ['bursts, C = 10,000'], ['20 and 100 per s, C = 1,000']],
    );
  });
});

describe('the peers section', () => {
  const figures = (median: number, low: number, high: number) => ({ median, range: [low, high] as [number, number] });
  const rows: PeerRow[] = [
    { id: 'burst-cpu-10000', label: 'Server CPU per million deliveries, bursts, C = 10,000', unit: 's', byServer: new Map([['reference', figures(0.13, 0.12, 0.14)], ['floor', figures(0.1, 0.09, 0.11)]]) },
    { id: 'connect-rate-1000', label: 'Connect rate, 1,000 new streams', unit: '/s', byServer: new Map([['reference', figures(3000, 2800, 3100)], ['Go net/http', figures(3500, 3000, 4000)]]) },
  ];

  it('says met or missed for issue 28\'s rows, with the spread the repetitions allow', () => {
    const lines = renderPeerTargets(rows);
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /0\.130 s against 0\.100 s, 1\.30× \(target ≤ 1\.30×: met\); between the repetitions' extremes 1\.09× to 1\.56×/);
    assert.match(lines[1] ?? '', /0\.857× \(target ≥ 1\.00×: \*\*MISSED\*\*\)/);
  });

  it('names only the servers measured, and the load average', () => {
    const text = renderPeersSection({ rows, servers: ['reference', 'floor', 'Go net/http'], command: 'npm run bench -- --peers --only reference,floor,go', finishedAt: 'x', resultsFile: 'r.json', profile: PEERS, load: { before: [1.5, 2, 2], after: [2, 2, 2] } });
    assert.match(text, /the floor \(`scripts\/bench\/floor-server\.ts`.* and Go's `net\/http`/s);
    assert.doesNotMatch(text, /better-sse/);
    assert.match(text, /before the run 1\.5, 2, 2, after it 2, 2, 2/);
  });
});

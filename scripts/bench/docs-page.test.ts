import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartPanels, renderBenchmarksPage, summarySentences, type MachineInfo } from './docs-page.js';
import { FULL } from './options.js';
import type { MetricRow } from './report.js';

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

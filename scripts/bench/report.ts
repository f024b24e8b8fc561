import { perStream } from './census.js';
import type { CountResult } from './measure.js';
import { median, ratio } from '../lib/stats.js';

/** One line of the results table: medians per server and their ratio. */
export interface MetricRow {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly reference: number;
  readonly baseline: number;
  /** reference / baseline */
  readonly ratio: number;
  /** Lowest and highest value over the repetitions, per server. */
  readonly referenceRange: readonly [number, number];
  readonly baselineRange: readonly [number, number];
  /** The target, in words; absent for figures shown for context. */
  readonly target?: string;
  /** Whether the target is met; absent without a target. */
  readonly isMet?: boolean;
}

interface Metric {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly streams: number;
  readonly value: (result: CountResult) => number | undefined;
  readonly target?: { readonly text: string; readonly check: (reference: number, ratioValue: number) => boolean };
}

const PER_MILLION = 1e6;

function burstDeliveries(result: CountResult): number {
  return result.bursts.reduce((sum, burst) => sum + burst.deliveries, 0);
}

function burstMedian(result: CountResult, pick: (burst: CountResult['bursts'][number]) => number): number | undefined {
  return result.bursts.length === 0 ? undefined : median(result.bursts.map(pick));
}

function rateAt(result: CountResult, perSecond: number): CountResult['rates'][number] | undefined {
  return result.rates.find((rate) => rate.perSecond === perSecond);
}

function perMillion(seconds: number | undefined, deliveries: number): number | undefined {
  return seconds === undefined || deliveries === 0 ? undefined : (seconds / deliveries) * PER_MILLION;
}

function singleEventCpu(result: CountResult): number | undefined {
  if (result.rates.length === 0 || result.rates.some((rate) => rate.serverCpuSeconds === undefined)) return undefined;
  const seconds = result.rates.reduce((sum, rate) => sum + (rate.serverCpuSeconds ?? 0), 0);
  return perMillion(seconds, result.rates.reduce((sum, rate) => sum + rate.delivered, 0));
}

/** The metrics in table order; those without data (e.g. C = 10,000 in a quick run) are left out. */
function metrics(streamCounts: readonly number[], rates: readonly number[]): Metric[] {
  const list: Metric[] = [];
  const smallest = Math.min(...streamCounts);
  const largest = Math.max(...streamCounts);
  for (const c of streamCounts) {
    const at = c.toLocaleString('en-US');
    list.push({
      id: `memory-per-stream-${c}`,
      label: `Idle memory per stream, C = ${at}`,
      unit: 'KB',
      streams: c,
      value: (r) => (r.idleRssBytes === undefined || r.baseRssBytes === undefined ? undefined : (r.idleRssBytes - r.baseRssBytes) / c / 1000),
      ...(c === 10_000 ? { target: { text: '≤ 0.95×', check: (_: number, q: number) => q <= 0.95 } } : {}),
    });
  }
  for (const c of streamCounts) {
    const at = c.toLocaleString('en-US');
    list.push(
      {
        id: `burst-cpu-${c}`,
        label: `Server CPU per million deliveries, bursts, C = ${at}`,
        unit: 's',
        streams: c,
        value: (r) => perMillion(r.burstServerCpuSeconds, burstDeliveries(r)),
        target: { text: '≤ 1/25×', check: (_, q) => q <= 1 / 25 },
      },
      {
        id: `burst-kernel-cpu-${c}`,
        label: `…of which kernel (system time), C = ${at}`,
        unit: 's',
        streams: c,
        value: (r) => perMillion(r.burstServerSystemSeconds, burstDeliveries(r)),
      },
      {
        id: `burst-load-cpu-${c}`,
        label: `Load CPU per million deliveries, bursts, C = ${at}`,
        unit: 's',
        streams: c,
        value: (r) => perMillion(r.burstLoadCpuSeconds, burstDeliveries(r)),
      },
      {
        id: `burst-rate-${c}`,
        label: `Deliveries per second, burst of 100, C = ${at}`,
        unit: '/s',
        streams: c,
        value: (r) => burstMedian(r, (b) => b.deliveriesPerSecond),
      },
      {
        id: `burst-last-${c}`,
        label: `Publish to last delivery, burst of 100, C = ${at}`,
        unit: 'ms',
        streams: c,
        value: (r) => burstMedian(r, (b) => b.lastDeliveryMs),
      },
      {
        id: `burst-peak-${c}`,
        label: `Peak RSS during bursts / idle RSS, C = ${at}`,
        unit: '×',
        streams: c,
        value: (r) => (r.peakRssBytes === undefined || r.idleRssBytes === undefined ? undefined : r.peakRssBytes / r.idleRssBytes),
        ...(c === 10_000 ? { target: { text: 'reference ≤ 1.15', check: (v: number) => v <= 1.15 } } : {}),
      },
    );
  }
  if (rates.length > 0) {
    list.push({
      id: 'single-cpu',
      label: `Server CPU per million deliveries, single events, C = ${smallest.toLocaleString('en-US')}`,
      unit: 's',
      streams: smallest,
      value: singleEventCpu,
      target: { text: '≤ 0.75×', check: (_, q) => q <= 0.75 },
    });
    list.push({
      id: 'single-load-cpu',
      label: `Load CPU per million deliveries, single events, C = ${smallest.toLocaleString('en-US')}`,
      unit: 's',
      streams: smallest,
      value: (r) =>
        perMillion(
          r.rates.reduce((sum, rate) => sum + rate.loadCpuSeconds, 0),
          r.rates.reduce((sum, rate) => sum + rate.delivered, 0),
        ),
    });
  }
  for (const perSecond of rates) {
    const where = `${perSecond} events/s, C = ${smallest.toLocaleString('en-US')}`;
    list.push(
      { id: `latency-p50-${perSecond}`, label: `Latency p50, ${where}`, unit: 'ms', streams: smallest, value: (r) => rateAt(r, perSecond)?.p50Ms },
      {
        id: `latency-p99-${perSecond}`,
        label: `Latency p99, ${where}`,
        unit: 'ms',
        streams: smallest,
        value: (r) => rateAt(r, perSecond)?.p99Ms,
        ...(perSecond === 20 ? { target: { text: '≤ 1×', check: (_: number, q: number) => q <= 1 } } : {}),
      },
      {
        id: `delivered-${perSecond}`,
        label: `Delivered of offered, ${where}`,
        unit: '%',
        streams: smallest,
        value: (r) => {
          const rate = rateAt(r, perSecond);
          return rate === undefined ? undefined : (rate.delivered / rate.expected) * 100;
        },
        ...(perSecond === 100 ? { target: { text: 'reference 100 %', check: (v: number) => v >= 100 } } : {}),
      },
      {
        id: `delivered-rate-${perSecond}`,
        label: `Events per second received per stream, ${where}`,
        unit: '/s',
        streams: smallest,
        value: (r) => rateAt(r, perSecond)?.deliveredPerSecond,
      },
    );
  }
  for (const c of streamCounts) {
    const at = c.toLocaleString('en-US');
    // The targets are at 1,000 and 10,000; the largest count the descriptors allow is for memory.
    const isTargeted = c <= 10_000;
    list.push(
      {
        id: `connect-rate-${c}`,
        label: `Connect rate, ${at} new streams`,
        unit: '/s',
        streams: c,
        value: (r) => r.open.connectRate,
        ...(isTargeted ? { target: { text: '≥ 1.1×', check: (_: number, q: number) => q >= 1.1 } } : {}),
      },
      {
        id: `connect-cpu-${c}`,
        label: `Server CPU per new stream, ${at} new streams`,
        unit: 'µs',
        streams: c,
        value: (r) => (r.openServerCpuSeconds === undefined ? undefined : (r.openServerCpuSeconds / c) * 1e6),
        ...(isTargeted ? { target: { text: '≤ 0.9×', check: (_: number, q: number) => q <= 0.9 } } : {}),
      },
      {
        id: `connect-load-cpu-${c}`,
        label: `Load CPU per new stream, ${at} new streams`,
        unit: 'µs',
        streams: c,
        value: (r) => (r.openLoadCpuSeconds / c) * 1e6,
      },
      { id: `headers-p50-${c}`, label: `Time to headers p50, ${at} new streams`, unit: 'ms', streams: c, value: (r) => r.open.headersP50Ms },
      {
        id: `headers-p99-${c}`,
        label: `Time to headers p99, ${at} new streams`,
        unit: 'ms',
        streams: c,
        value: (r) => r.open.headersP99Ms,
        ...(isTargeted ? { target: { text: '≤ 1×', check: (_: number, q: number) => q <= 1 } } : {}),
      },
    );
  }
  const at = largest.toLocaleString('en-US');
  list.push({
    id: 'served',
    label: `Streams served of ${at}`,
    unit: '',
    streams: largest,
    value: (r) => r.open.opened,
    target: { text: `reference all ${at}`, check: (v) => v >= largest },
  });
  // The census: strace while new streams connect, on a server of its own after the timed figures.
  const census = (pick: string) => (r: CountResult) => (r.census === undefined ? undefined : perStream(r.census, pick));
  const where = 'per new stream (strace -c -f)';
  list.push(
    { id: 'census-path', label: `System calls ${where}, without memory and thread calls`, unit: '', streams: smallest, value: census('path') },
    { id: 'census-failed', label: `Failed system calls ${where}`, unit: '', streams: smallest, value: census('failed') },
    { id: 'census-setsockopt', label: `setsockopt ${where}`, unit: '', streams: smallest, value: census('setsockopt') },
    { id: 'census-getpeername', label: `getpeername ${where}`, unit: '', streams: smallest, value: census('getpeername') },
    { id: 'census-read', label: `read ${where}`, unit: '', streams: smallest, value: census('read') },
    { id: 'census-all', label: `All system calls ${where}`, unit: '', streams: smallest, value: census('all') },
  );
  return list;
}

/** The median and range of one metric for one server over its repetitions. */
export interface Figures {
  readonly median: number;
  readonly range: readonly [number, number];
}

function figuresOf(results: readonly CountResult[], server: string, metric: Metric): Figures {
  const values = results
    .filter((result) => result.server === server && result.streams === metric.streams)
    .map(metric.value)
    .filter((value): value is number => value !== undefined && !Number.isNaN(value));
  return { median: median(values), range: values.length === 0 ? [Number.NaN, Number.NaN] : [Math.min(...values), Math.max(...values)] };
}

/** One row of the peers' table: a metric's figures for every server measured. */
export interface PeerRow {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly byServer: ReadonlyMap<string, Figures>;
}

/** Lower is better for these units; higher for rates. */
function isLowerBetter(unit: string): boolean {
  return unit !== '/s';
}

/**
 * One row per metric with every server's median and range, in `servers` order, for the rows the
 * peers are compared on. The census and the naive-only targets are left out.
 */
export function summarizeServers(results: readonly CountResult[], rates: readonly number[], servers: readonly string[], isEveryRow = false): PeerRow[] {
  const streamCounts = [...new Set(results.map((result) => result.streams))].sort((a, b) => a - b);
  if (streamCounts.length === 0) return [];
  const rows: PeerRow[] = [];
  const wanted = /^(memory-per-stream|burst-cpu|burst-rate|burst-peak|single-cpu|latency-p50|latency-p99|delivered-100|connect-rate|connect-cpu|headers-p99|census-path|census-failed)/;
  for (const metric of metrics(streamCounts, rates)) {
    if (!isEveryRow && !wanted.test(metric.id)) continue;
    const byServer = new Map(servers.map((server) => [server, figuresOf(results, server, metric)] as const));
    if ([...byServer.values()].every((figures) => Number.isNaN(figures.median))) continue;
    rows.push({ id: metric.id, label: metric.label, unit: metric.unit, byServer });
  }
  return rows;
}

/** The peers' table in Markdown: median and range per server, the best of each row in bold. */
export function renderPeersMarkdown(rows: readonly PeerRow[], servers: readonly string[]): string {
  const lines = [`| metric | ${servers.join(' | ')} |`, `| --- |${servers.map(() => ' ---: |').join('')}`];
  for (const row of rows) {
    const medians = servers.map((server) => row.byServer.get(server)?.median ?? Number.NaN).filter(Number.isFinite);
    const best = medians.length === 0 ? Number.NaN : isLowerBetter(row.unit) ? Math.min(...medians) : Math.max(...medians);
    const cells = servers.map((server) => {
      const figures = row.byServer.get(server);
      if (figures === undefined || !Number.isFinite(figures.median)) return '–';
      const text = `${withUnit(figures.median, row.unit)} <sub>${formatNumber(figures.range[0])}–${formatNumber(figures.range[1])}</sub>`;
      return figures.median === best && row.id !== 'delivered-100' ? `**${text}**` : text;
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Reduces every repetition to one row per metric: the median per server, and the ratio
 * reference / baseline of the medians.
 *
 * @param results - all repetitions, servers named `reference` and `naive`
 */
export function summarize(results: readonly CountResult[], rates: readonly number[]): MetricRow[] {
  const streamCounts = [...new Set(results.map((result) => result.streams))].sort((a, b) => a - b);
  if (streamCounts.length === 0) return [];
  const rows: MetricRow[] = [];
  for (const metric of metrics(streamCounts, rates)) {
    const reference = figuresOf(results, 'reference', metric);
    const baseline = figuresOf(results, 'naive', metric);
    if (Number.isNaN(reference.median) && Number.isNaN(baseline.median)) continue;
    const q = ratio(reference.median, baseline.median);
    rows.push({
      id: metric.id,
      label: metric.label,
      unit: metric.unit,
      reference: reference.median,
      baseline: baseline.median,
      ratio: q,
      referenceRange: reference.range,
      baselineRange: baseline.range,
      ...(metric.target === undefined
        ? {}
        : { target: metric.target.text, isMet: !Number.isNaN(reference.median) && metric.target.check(reference.median, q) }),
    });
  }
  return rows;
}

/** A figure with about three significant digits, thousands grouped; `–` for none. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const size = Math.abs(value);
  const digits = size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function withUnit(value: number, unit: string): string {
  const text = formatNumber(value);
  return text === '–' || unit === '' ? text : unit === '%' || unit === '×' ? `${text}${unit === '%' ? ' %' : '×'}` : `${text} ${unit}`;
}

function textRange([low, high]: readonly [number, number]): string {
  return Number.isFinite(low) && Number.isFinite(high) ? `${formatNumber(low)}–${formatNumber(high)}` : '';
}

function verdict(row: MetricRow): string {
  if (row.isMet === undefined) return '';
  return row.isMet ? 'met' : 'MISSED';
}

/**
 * The table as fixed-width text for the terminal.
 *
 * @param isSingle - one server measured alone (`--url`): no baseline, ratio or target columns
 */
export function renderTextTable(rows: readonly MetricRow[], isSingle = false): string {
  const cells = isSingle
    ? [['metric', 'server'], ...rows.map((row) => [row.label, withUnit(row.reference, row.unit)])]
    : [
        ['metric', 'reference', 'range', 'baseline', 'range', 'ref/base', 'target', ''],
        ...rows.map((row) => [
          row.label,
          withUnit(row.reference, row.unit),
          textRange(row.referenceRange),
          withUnit(row.baseline, row.unit),
          textRange(row.baselineRange),
          formatRatio(row.ratio),
          row.target ?? '',
          verdict(row),
        ]),
      ];
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  return cells
    .map((line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}

/** A ratio as `0.038×`; `–` for none. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${formatNumber(value)}×` : '–';
}

function range([low, high]: readonly [number, number]): string {
  return Number.isFinite(low) && Number.isFinite(high) && low !== high ? ` <sub>${formatNumber(low)}–${formatNumber(high)}</sub>` : '';
}

/** The table in Markdown, each median followed by its range over the repetitions. */
export function renderMarkdownTable(rows: readonly MetricRow[]): string {
  const lines = ['| metric | reference | baseline | reference / baseline | target | |', '| --- | ---: | ---: | ---: | --- | --- |'];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${withUnit(row.reference, row.unit)}${range(row.referenceRange)} | ${withUnit(row.baseline, row.unit)}${range(row.baselineRange)} | ${formatRatio(row.ratio)} | ${row.target ?? ''} | ${verdict(row)} |`,
    );
  }
  return lines.join('\n');
}

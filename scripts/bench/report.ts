import type { CountResult } from './measure.js';
import { median, ratio } from './stats.js';

/** One line of the results table: medians per server and their ratio. */
export interface MetricRow {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly reference: number;
  readonly baseline: number;
  /** reference / baseline */
  readonly ratio: number;
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
      ...(c === largest && c >= 10_000 ? { target: { text: '≤ 0.95×', check: (_: number, q: number) => q <= 0.95 } } : {}),
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
        ...(c === largest && c >= 10_000 ? { target: { text: 'reference ≤ 1.15', check: (v: number) => v <= 1.15 } } : {}),
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
  const at = largest.toLocaleString('en-US');
  list.push(
    {
      id: 'connect-rate',
      label: `Connect rate, ${at} new streams`,
      unit: '/s',
      streams: largest,
      value: (r) => r.open.connectRate,
      target: { text: '≥ 1×', check: (_, q) => q >= 1 },
    },
    {
      id: 'connect-cpu',
      label: `Server CPU per new stream, ${at} new streams`,
      unit: 'µs',
      streams: largest,
      value: (r) => (r.openServerCpuSeconds === undefined ? undefined : (r.openServerCpuSeconds / largest) * 1e6),
    },
    {
      id: 'connect-load-cpu',
      label: `Load CPU per new stream, ${at} new streams`,
      unit: 'µs',
      streams: largest,
      value: (r) => (r.openLoadCpuSeconds / largest) * 1e6,
    },
    { id: 'headers-p50', label: `Time to headers p50, ${at} new streams`, unit: 'ms', streams: largest, value: (r) => r.open.headersP50Ms },
    {
      id: 'headers-p99',
      label: `Time to headers p99, ${at} new streams`,
      unit: 'ms',
      streams: largest,
      value: (r) => r.open.headersP99Ms,
      target: { text: '≤ 1×', check: (_, q) => q <= 1 },
    },
    {
      id: 'served',
      label: `Streams served of ${at}`,
      unit: '',
      streams: largest,
      value: (r) => r.open.opened,
      target: { text: `reference all ${at}`, check: (v) => v >= largest },
    },
  );
  return list;
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
    const of = (server: string): number => {
      const values = results
        .filter((result) => result.server === server && result.streams === metric.streams)
        .map(metric.value)
        .filter((value): value is number => value !== undefined && !Number.isNaN(value));
      return median(values);
    };
    const reference = of('reference');
    const baseline = of('naive');
    if (Number.isNaN(reference) && Number.isNaN(baseline)) continue;
    const q = ratio(reference, baseline);
    rows.push({
      id: metric.id,
      label: metric.label,
      unit: metric.unit,
      reference,
      baseline,
      ratio: q,
      ...(metric.target === undefined
        ? {}
        : { target: metric.target.text, isMet: !Number.isNaN(reference) && metric.target.check(reference, q) }),
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
        ['metric', 'reference', 'baseline', 'ref/base', 'target', ''],
        ...rows.map((row) => [
          row.label,
          withUnit(row.reference, row.unit),
          withUnit(row.baseline, row.unit),
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

/** The table in Markdown. */
export function renderMarkdownTable(rows: readonly MetricRow[]): string {
  const lines = ['| metric | reference | baseline | reference / baseline | target | |', '| --- | ---: | ---: | ---: | --- | --- |'];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${withUnit(row.reference, row.unit)} | ${withUnit(row.baseline, row.unit)} | ${formatRatio(row.ratio)} | ${row.target ?? ''} | ${verdict(row)} |`,
    );
  }
  return lines.join('\n');
}

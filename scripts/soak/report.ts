import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from '../lib/stats.js';
import type { Profile } from './profile.js';

/** One scenario's outcome: the figures, and every broken expectation in plain words. */
export interface ScenarioResult {
  readonly name: string;
  readonly profile: string;
  /** Rows of the printed table: figure name and value. */
  readonly rows: readonly (readonly [string, string | number])[];
  /** Each broken expectation; empty means the scenario passed. */
  readonly failures: readonly string[];
  readonly seconds: number;
  /** Everything else worth keeping in the JSON. */
  readonly data?: unknown;
}

/** Collects figures and failures while a scenario runs. */
export class Findings {
  readonly rows: [string, string | number][] = [];
  readonly failures: string[] = [];

  /** Records a figure for the table. */
  row(name: string, value: string | number): void {
    this.rows.push([name, value]);
  }

  /** Records a failure unless `isOk`. */
  expect(isOk: boolean, failure: string): void {
    if (!isOk) this.failures.push(failure);
  }
}

/**
 * A soak scenario's shell: `run` records its figures and expectations in `findings` and returns
 * what else its JSON keeps (`data`); the shell names the result, times it and collects the rows
 * and failures, so a scenario is only what it does and checks.
 */
export function scenario<A extends unknown[]>(
  name: string,
  run: (findings: Findings, profile: Profile, ...args: A) => Promise<unknown>,
): (profile: Profile, ...args: A) => Promise<ScenarioResult> {
  return async (profile, ...args) => {
    const started = performance.now();
    const findings = new Findings();
    const data = await run(findings, profile, ...args);
    return { name, profile: profile.name, rows: findings.rows, failures: findings.failures, seconds: (performance.now() - started) / 1000, ...(data === undefined ? {} : { data }) };
  };
}

/** Renders a scenario as a two-column text table. */
export function formatTable(result: ScenarioResult): string {
  const status = result.failures.length === 0 ? 'PASS' : `FAIL (${result.failures.length})`;
  const rows: [string, string][] = [
    [`${result.name} [${result.profile}]`, `${status} in ${result.seconds.toFixed(1)} s`],
    ...result.rows.map(([name, value]): [string, string] => [name, typeof value === 'number' ? formatNumber(value) : value]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value} |`);
  lines.splice(1, 0, `|${'-'.repeat(width + 2)}|---|`);
  for (const failure of result.failures) lines.push(`  ✗ ${failure}`);
  return lines.join('\n');
}

/** Writes `<dir>/<name>.json`. */
export function writeResult(dir: string, result: ScenarioResult): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.name}.json`);
  writeFileSync(file, JSON.stringify({ ...result, node: process.version, at: new Date().toISOString() }, null, 2) + '\n');
  return file;
}

/** Integers with thousands separators, fractions to two decimals. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

/** `p50 / max` of durations in whole milliseconds, for a table row; `n/a` when there are none. */
export function medianAndMax(ms: readonly number[]): string {
  return ms.length === 0 ? 'n/a' : `${percentile(ms, 50).toFixed(0)} / ${Math.max(...ms).toFixed(0)}`;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Renders results as Markdown tables, for docs/reliability.md. */
export function formatMarkdown(results: readonly ScenarioResult[]): string {
  const escape = (text: string | number): string => (typeof text === 'number' ? formatNumber(text) : text.replace(/\|/g, '\\|'));
  return results
    .map((result) => {
      const status = result.failures.length === 0 ? 'pass' : `FAIL: ${result.failures.map(escape).join('; ')}`;
      const lines = [`#### ${result.name} (${status}, ${result.seconds.toFixed(1)} s)`, '', '| figure | value |', '| --- | --- |'];
      for (const [name, value] of result.rows) lines.push(`| ${escape(name)} | ${escape(value)} |`);
      return lines.join('\n');
    })
    .join('\n\n');
}

import { runToEnd } from '../lib/process.js';

/**
 * Reads what `sse-conformance --json` prints, tolerant of the shape changing: rows come from
 * whatever rule ids the JSON holds (new rules appear as new rows), a third level (ADVICE) and a
 * status `advice` are kept, and optional `hint` / `spec` fields are passed through when present.
 */

/** A rule's status as the survey shows it. */
export type CellStatus = 'pass' | 'fail' | 'advice' | 'n/a' | 'unknown';

/** One rule's line of a suite run. */
export interface SuiteRow {
  readonly id: string;
  /** MUST, SHOULD, ADVICE, or whatever the suite says. */
  readonly level: string;
  readonly area: string;
  readonly title: string;
  readonly status: CellStatus;
  /** The status word exactly as the JSON had it. */
  readonly rawStatus: string;
  readonly evidence: string;
  readonly hint?: string;
  readonly spec?: string;
}

/** A suite run, normalised. */
export interface SuiteRun {
  readonly rows: readonly SuiteRow[];
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** Set when no report could be read (a crash, a timeout, not JSON). */
  readonly error?: string;
  /** The suite's own version, when its JSON or `--version` says. */
  readonly version?: string;
  readonly stderr: string;
}

/** Maps a status word of any likely spelling to the survey's five. */
export function cellStatus(word: string, level: string): CellStatus {
  const w = word.trim().toLowerCase();
  let status: CellStatus;
  if (w === 'pass' || w === 'passed' || w === 'ok' || w === 'unexpected pass') status = 'pass';
  else if (w === 'fail' || w === 'failed' || w === 'failure' || w === 'known failure' || w === 'error') status = 'fail';
  else if (w === 'advice' || w === 'advise' || w === 'warn' || w === 'warning' || w === 'info') status = 'advice';
  else if (w === 'n/a' || w === 'na' || w === 'not applicable' || w === 'skip' || w === 'skipped') status = 'n/a';
  else status = 'unknown';
  // An ADVICE rule that is not met is advice, never a failure.
  if (status === 'fail' && level.toUpperCase() === 'ADVICE') status = 'advice';
  return status;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join('; ');
  return JSON.stringify(value);
}

function optional(value: unknown): string | undefined {
  const t = text(value).trim();
  return t === '' ? undefined : t;
}

/** The rows of a parsed `--json` report, whatever its exact shape. */
export function rowsOf(json: unknown): SuiteRow[] {
  const record = (json ?? {}) as Record<string, unknown>;
  const list = Array.isArray(json) ? json : (record['outcomes'] ?? record['rules'] ?? record['results'] ?? record['checks']);
  if (!Array.isArray(list)) throw new Error('the JSON holds no list of rule outcomes (outcomes, rules, results or checks)');
  const rows: SuiteRow[] = [];
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    const id = text(o['id'] ?? o['rule'] ?? o['ruleId']);
    if (id === '') continue;
    const level = text(o['level'] ?? o['severity']).toUpperCase();
    // `status` is what the check found; `verdict` folds in an expectations file (the survey passes none).
    const rawStatus = text(o['status'] ?? o['verdict'] ?? o['result']);
    const hint = optional(o['hint'] ?? o['fix']);
    const spec = optional(o['spec'] ?? o['link'] ?? o['specLink']);
    rows.push({
      id,
      level,
      area: text(o['area'] ?? o['group']),
      title: text(o['title'] ?? o['rule'] ?? o['description']),
      status: cellStatus(rawStatus, level),
      rawStatus,
      evidence: text(o['evidence'] ?? o['detail'] ?? o['message']),
      ...(hint === undefined ? {} : { hint }),
      ...(spec === undefined ? {} : { spec }),
    });
  }
  return rows;
}

/** Parses the suite's stdout; the JSON may be preceded or followed by stray lines. */
export function parseSuiteOutput(stdout: string): { rows: SuiteRow[]; version?: string } {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error('no JSON in the output');
  const json: unknown = JSON.parse(stdout.slice(start));
  const version = optional((json as Record<string, unknown> | null)?.['version'] ?? (json as Record<string, unknown> | null)?.['suiteVersion']);
  return { rows: rowsOf(json), ...(version === undefined ? {} : { version }) };
}

/**
 * Runs the project's compiled CLI against a URL with `--json` and `options` (none: the defaults),
 * bounded by `timeoutMs` (the CLI is killed past it).
 */
export async function runSuite(cliPath: string, url: string, timeoutMs: number, options: readonly string[] = []): Promise<SuiteRun> {
  const started = performance.now();
  const ended = await runToEnd({ file: process.execPath, args: [cliPath, url, '--json', ...options], timeoutMs });
  const base = { exitCode: ended.code, durationMs: performance.now() - started, stderr: ended.stderr.slice(-16_384) };
  if (ended.timedOut) return { ...base, rows: [], error: `the suite did not finish in ${Math.round(timeoutMs / 1000)} s` };
  try {
    return { ...base, ...parseSuiteOutput(ended.stdout) };
  } catch (error) {
    return { ...base, rows: [], error: `could not read the suite's JSON: ${(error as Error).message}` };
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSseServer, type SseServerOptions } from 'sse-reference';
import { buildReport, formatTable, RULES, type Report } from 'sse-reference/conformance';
import { makeCertificate } from 'sse-reference/testing';
import { runToEnd } from './lib/process.js';
import { ROOT } from './paths.js';

/**
 * The README's conformance runs, as generated blocks: each run is recorded once against the
 * reference server (`--record`) into docs/conformance-runs.json, and the block is rendered from that
 * record with today's catalogue and table. A run recorded before a rule existed is stale, and
 * `conformance-docs.test.ts` says so; the third block is the survey's run of a real server with
 * defects, rendered from docs/survey/results.json.
 */

/** Where the recorded runs live. */
export const RUNS_PATH = join(ROOT, 'docs/conformance-runs.json');
const SURVEY_RESULTS = join(ROOT, 'docs/survey/results.json');

/** One recorded run: what the CLI printed as progress, and each rule's status and evidence. */
export interface RecordedRun {
  /** The command as the README shows it, with the port it shows. */
  readonly command: string;
  /** The CLI's progress lines (stderr), the summary line left out (the table ends with it). */
  readonly progress: readonly string[];
  readonly meta: { readonly target: string; readonly startedAt: string; readonly durationMs: number };
  readonly results: readonly { readonly id: string; readonly status: 'pass' | 'fail' | 'n/a'; readonly evidence: string }[];
}

/** How to make one run: the server's options, the suite's flags, and the port the README shows. */
interface RunPlan {
  readonly server: SseServerOptions;
  readonly tls: boolean;
  /** The CLI's flags after the URL; `{base}` is the server's origin. */
  readonly flags: readonly string[];
  readonly shownPort: number;
}

const PLANS: Readonly<Record<string, RunPlan>> = {
  // `node dist/server.js`, its defaults, and the suite with no option at all.
  http: { server: {}, tls: false, flags: [], shownPort: 38871 },
  // Every option that enables a rule, against a server that allows the origin and offers HTTP/2.
  https: {
    server: { heartbeatMs: 5000, maxPerClient: 8, corsOrigins: ['https://app.example'], publishLocal: true },
    tls: true,
    flags: ['--insecure', '--publish', '{base}/publish', '--origin', 'https://app.example', '--observe', '8', '--heartbeat-max', '6000', '--slow-reader'],
    shownPort: 30774,
  },
};

/** The CLI, run as a user runs it, with `--json`: stdout is the report, stderr the progress lines. */
async function runCli(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const ended = await runToEnd({ file: process.execPath, args: [join(ROOT, 'dist/conformance/cli.js'), ...args], timeoutMs: 120_000 });
  if (ended.timedOut) throw new Error(`sse-conformance ${args.join(' ')} ran past 120 s`);
  return ended;
}

/** Records one run: starts the reference server on an ephemeral port, runs the CLI against /feed, stops the server. */
async function record(plan: RunPlan): Promise<RecordedRun> {
  const app = createSseServer({ ...plan.server, port: 0, ...(plan.tls ? { tls: makeCertificate() } : {}) });
  const { port } = await app.listen();
  try {
    const base = `${plan.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const args = [`${base}/feed`, ...plan.flags.map((flag) => flag.replace('{base}', base)), '--json'];
    const { stdout, stderr } = await runCli(args);
    // The port the README shows, so a re-recording changes only what the server did.
    const shown = (text: string): string => text.replaceAll(`127.0.0.1:${port}`, `127.0.0.1:${plan.shownPort}`);
    const report = JSON.parse(shown(stdout)) as Report;
    return {
      command: `sse-conformance ${args.slice(0, -1).map(shown).join(' ')}`,
      progress: shown(stderr).trimEnd().split('\n').filter((line) => !line.startsWith('summary: ')),
      meta: { target: report.target, startedAt: report.startedAt, durationMs: report.durationMs },
      results: report.outcomes.map((o) => ({ id: o.id, status: o.status, evidence: o.evidence })),
    };
  } finally {
    await app.close();
  }
}

/** Records every run, one at a time (each is timed: nothing else should run beside it). */
export async function recordRuns(): Promise<Record<string, RecordedRun>> {
  const out: Record<string, RecordedRun> = {};
  for (const [name, plan] of Object.entries(PLANS)) out[name] = await record(plan);
  return out;
}

/** The recorded runs, as docs/conformance-runs.json holds them. */
export function readRuns(): Record<string, RecordedRun> {
  return JSON.parse(readFileSync(RUNS_PATH, 'utf8')) as Record<string, RecordedRun>;
}

/** The report a recorded run gives with today's catalogue (levels, hints and links come from it). */
function reportOf(run: Pick<RecordedRun, 'meta' | 'results'>): Report {
  return buildReport(run.results as Parameters<typeof buildReport>[0], run.meta);
}

/** A long command cut before its options, as a shell continues it. */
function commandLines(command: string): string {
  const [head, ...flags] = command.split(' --');
  const lines = [`$ ${head}`];
  for (const flag of flags) {
    const last = lines.length - 1;
    if ((lines[last] as string).length + flag.length + 3 <= 100) lines[last] += ` --${flag}`;
    else lines.push(`    --${flag}`);
  }
  return lines.join(' \\\n');
}

/** One run's block: the command, its progress lines and the table, as the CLI prints them. */
export function renderRun(run: RecordedRun): string {
  return ['```text', commandLines(run.command), ...run.progress, formatTable(reportOf(run), 120).trimEnd(), '```'].join('\n');
}

/** The survey target whose run the README shows failing. */
export const SURVEY_FAILING = 'cookbook-e03';

/**
 * The failing lines of the survey's run of the cpp-httplib cookbook's reconnection example (E03),
 * with their fix, and the summary: what a failing rule shows, on a real server.
 */
export function renderSurveyFailures(): string {
  const survey = JSON.parse(readFileSync(SURVEY_RESULTS, 'utf8')) as { targets: { id: string; suite?: { durationMs: number; rows: { id: string; rawStatus: string; evidence: string }[] } }[] };
  const suite = survey.targets.find((t) => t.id === SURVEY_FAILING)?.suite;
  if (suite === undefined) throw new Error(`docs/survey/results.json has no suite run of ${SURVEY_FAILING}`);
  // A rule the survey's run predates is left out of the counts, as n/a.
  const results = RULES.map((rule) => {
    const row = suite.rows.find((r) => r.id === rule.id);
    const status = row?.rawStatus === 'fail' || row?.rawStatus === 'pass' ? row.rawStatus : 'n/a';
    return { id: rule.id, status, evidence: row?.evidence ?? 'not in this run: the rule is newer' } as const;
  });
  const table = formatTable(reportOf({ meta: { target: SURVEY_FAILING, startedAt: '', durationMs: suite.durationMs }, results }), 120).trimEnd().split('\n');
  // The failing rows, each with its fix line, and the summary.
  const failing = table.filter((line, i) => / FAIL {4}/.test(line) || (line.startsWith(' '.repeat(25)) && / FAIL {4}/.test(table[i - 1] ?? '')));
  return ['```text', ...failing, table.at(-1) as string, '```'].join('\n');
}

/** The README's generated blocks of conformance runs, by name. */
export const CONFORMANCE_RUN_BLOCKS: Readonly<Record<string, () => string>> = {
  'conformance-run-http': () => renderRun(readRuns()['http'] as RecordedRun),
  'conformance-run-https': () => renderRun(readRuns()['https'] as RecordedRun),
  'conformance-run-failing': renderSurveyFailures,
};

/** The catalogue's rules a recorded run has no result for: the run predates them and must be recorded again. */
export function rulesNewerThan(run: Pick<RecordedRun, 'results'>): string[] {
  return RULES.filter((rule) => !run.results.some((r) => r.id === rule.id)).map((rule) => rule.id);
}

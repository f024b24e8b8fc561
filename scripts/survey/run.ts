import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../paths.js';
import { clientCheck, endsCheck, loadEventSource } from './client.js';
import { capacity, firstConnection, hostileIds, idle, methods, resume, sharedIds, type CheckEvidence, type Pace } from './evidence.js';
import { ensureApt, ensureNpm, prepareFix, prepareTargets, say, surveyPaths, toolVersions } from './install.js';
import { freePort, startProcess, type Started } from '../lib/process.js';
import { renderSurvey, renderTargetPage, type FixRun, type SurveyResult, type TargetResult } from './report.js';
import { runSuite, type SuiteRow, type SuiteRun } from './suite-json.js';
import { TARGETS, mainPlace, targetById, type Place, type SurveyPaths, type SurveyTarget } from './targets.js';

/**
 * `npm run survey`: installs the targets into a scratch folder, runs the conformance suite against
 * each (one at a time, default options), then the survey's own checks on fresh instances, and
 * writes docs/survey.md and docs/survey/<target>.md. Every server runs in a process group of its
 * own and is stopped by that group's id; an interrupt stops them all.
 */

const SUITE_TIMEOUT_MS = 150_000;
const SUITE_CONCURRENCY = 2;
const EVIDENCE_CONCURRENCY = 4;
const IDLE_CONCURRENCY = 16;
const FIX_CONCURRENCY = 3;
const running = new Set<Started>();

/** Starts one copy of a target (its own, or a fixed one at `place`) in a process group of its own. */
async function start(target: SurveyTarget, paths: SurveyPaths, tick: boolean, place: Place = mainPlace(target, paths)): Promise<{ server: Started; url: string }> {
  const port = target.givenPort === true ? await freePort() : 0;
  const command = target.command(place, paths, port);
  const server = await startProcess({ ...command, env: { ...command.env, PORT: String(port), SURVEY_TICK: tick ? '1' : '0' } });
  running.add(server);
  return { server, url: `http://127.0.0.1:${server.port}${target.path}` };
}

async function stop(server: Started): Promise<void> {
  await server.stop(3000);
  running.delete(server);
}

async function withServer<T>(target: SurveyTarget, paths: SurveyPaths, tick: boolean, body: (url: string) => Promise<T>, place?: Place): Promise<T> {
  const { server, url } = await start(target, paths, tick, place);
  try {
    return await body(url);
  } finally {
    await stop(server);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, body: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await body(items[index] as T);
      }
    }),
  );
  return out;
}

function failed(id: string, title: string, error: unknown): CheckEvidence {
  return { id, title, verdict: 'n/a', summary: `the check could not run: ${(error as Error).message}`, transcript: (error as Error).stack ?? '', opinions: [] };
}

async function evidenceFor(target: SurveyTarget, paths: SurveyPaths, EventSource: Awaited<ReturnType<typeof loadEventSource>>): Promise<CheckEvidence[]> {
  const checks: CheckEvidence[] = [];
  const guard = async (id: string, title: string, body: () => Promise<CheckEvidence>): Promise<void> => {
    try {
      checks.push(await body());
    } catch (error) {
      checks.push(failed(id, title, error));
    }
  };
  // Each group on a fresh instance, so a check that wedges a server (one HEAD on a one-process
  // server) or fills it costs only its own verdict, never the next check's.
  const fresh = (body: (url: string) => Promise<void>): Promise<void> =>
    withServer(target, paths, true, async (url) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await body(url);
    });
  // First, how many streams it serves at once: a server that serves few gets the other checks'
  // probes one at a time, so no probe blames its rule for a full server.
  let pace: Pace = { streams: 16 };
  await fresh((url) =>
    guard('capacity', 'Capacity', async () => {
      const { streams, ...evidence } = await capacity(url);
      pace = { streams };
      return evidence;
    }),
  );
  await fresh(async (url) => {
    // First, while no other connection has touched the server: steps of a shared id counter are clean.
    await guard('shared-ids', 'Shared ids', () => sharedIds(url));
    await guard('first-connection', 'A fresh connection', () => firstConnection(url));
    let seen: readonly string[] = [];
    await guard('resume', 'Resume', async () => {
      const result = await resume(url);
      seen = result.seenIds;
      const { seenIds: _, ...evidence } = result;
      return evidence;
    });
    await guard('hostile-ids', 'Hostile ids', () => hostileIds(url, seen, pace));
  });
  await fresh((url) => guard('methods', 'Methods', () => methods(url, pace)));
  // Two clients side by side: one whose connection is cut, one left alone to see the server end it.
  await fresh(async (url) => {
    await Promise.all([guard('client', 'A real client', () => clientCheck(EventSource, url)), guard('ends', 'A stream that ends', () => endsCheck(EventSource, url))]);
  });
  say(`  evidence ${target.id}: ${checks.map((c) => `${c.id} ${c.verdict}`).join(', ')}`);
  return checks;
}

/** The survey's own check that judges any of these rules, as a function of the URL (one per rule family). */
function checkFor(rules: readonly string[]): ((url: string) => Promise<CheckEvidence>) | undefined {
  const has = (...ids: string[]): boolean => ids.some((id) => rules.includes(id));
  if (has('SSE-S18', 'SSE-S21', 'SSE-S15')) return (url) => methods(url, { streams: 1 });
  if (has('SSE-S12', 'SSE-S13')) return (url) => capacity(url);
  if (has('SSE-M12', 'SSE-R1', 'SSE-S19')) return (url) => hostileIds(url, []);
  if (has('SSE-S02')) return (url) => idle(url);
  if (has('SSE-M16', 'SSE-S20')) return (url) => sharedIds(url);
  if (has('SSE-S04', 'SSE-S08')) return (url) => firstConnection(url);
  return undefined;
}

/** Each cause's fix, applied to a copy of the target and judged by the suite on just its rules. */
async function fixesFor(target: SurveyTarget, paths: SurveyPaths, cli: string): Promise<FixRun[]> {
  const runs: FixRun[] = [];
  for (const [index, cause] of (target.causes ?? []).entries()) {
    if (cause.edits === undefined) continue;
    try {
      const place = await prepareFix(target, cause, index, paths);
      // A heartbeat fix is judged as the idle row is: on an app with nothing to publish.
      const tick = !cause.rules.includes('SSE-S02');
      const suite = await withServer(
        target,
        paths,
        tick,
        async (url) => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return runSuite(cli, url, SUITE_TIMEOUT_MS, ['--only', cause.rules.join(',')]);
        },
        place,
      );
      const rows = suite.rows.filter((r) => cause.rules.includes(r.id));
      // Where the suite cannot say (n/a) or still fails, the survey's own check of those rules judges the copy too.
      const check = rows.some((r) => r.status !== 'pass') ? checkFor(cause.rules) : undefined;
      const opinions =
        check === undefined
          ? []
          : (await withServer(target, paths, tick, async (url) => {
              await new Promise((resolve) => setTimeout(resolve, 1500));
              return check(url);
            }, place)).opinions.filter((o) => cause.rules.includes(o.rule));
      runs.push({ cause: index, rows, ...(opinions.length === 0 ? {} : { opinions }), ...(suite.error === undefined ? {} : { error: suite.error }) });
      say(`  fix ${target.id} #${index + 1}: ${rows.map((r) => `${r.id} ${r.status}`).join(', ') || suite.error}${opinions.length === 0 ? '' : `; survey: ${opinions.map((o) => `${o.rule} ${o.verdict}`).join(', ')}`}`);
    } catch (error) {
      runs.push({ cause: index, rows: [], error: (error as Error).message });
      say(`  fix ${target.id} #${index + 1}: ${(error as Error).message}`);
    }
  }
  return runs;
}

function versionsOf(target: SurveyTarget, versions: Readonly<Record<string, string>>): string[] {
  return target.packages.map((p) => `${p} ${versions[p] ?? '?'}`);
}

async function previous(file: string): Promise<SurveyResult | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SurveyResult;
  } catch {
    return undefined;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { only: { type: 'string' }, 'no-evidence': { type: 'boolean' }, cli: { type: 'string' }, out: { type: 'string' } },
  });
  const chosen = values.only === undefined ? TARGETS : values.only.split(',').map((id) => targetById(id.trim()));
  const started = performance.now();
  const paths = surveyPaths();
  say(`scratch folder: ${paths.scratch}`);
  const versions = { ...(await ensureApt()), ...(await ensureNpm(paths)) };
  await prepareTargets(paths);
  const tools = await toolVersions();
  say(`versions: ${Object.entries({ ...tools, ...versions }).map(([k, v]) => `${k} ${v}`).join('; ')}`);
  // --cli runs another build of the suite (e.g. a branch's dist) against the same targets.
  const cli = resolve(values.cli ?? join(ROOT, 'dist', 'conformance', 'cli.js'));
  const EventSource = await loadEventSource(paths.npm);

  // Two suites at a time: a run mostly waits (its 20 s observation, its timeouts), so two on two
  // cores keep their timing; the survey's own checks come after, apart from every suite run.
  const suites = new Map<string, SuiteRun | Error>();
  await mapLimit(chosen, SUITE_CONCURRENCY, async (target) => {
    try {
      const run = await withServer(target, paths, true, async (url) => {
        // A second for the app's first events, as a server that has been up a while has some.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        say(`suite: ${target.id} ${url}`);
        return runSuite(cli, url, SUITE_TIMEOUT_MS);
      });
      suites.set(target.id, run);
      const fails = run.rows.filter((r) => r.status === 'fail').map((r) => r.id);
      say(`  ${target.id}: ${run.error ?? `${run.rows.length} rules, FAIL ${fails.join(' ') || 'none'}`} (${(run.durationMs / 1000).toFixed(0)} s)`);
    } catch (error) {
      suites.set(target.id, error as Error);
      say(`  ${target.id}: ${(error as Error).message}`);
    }
  });

  // The survey's own checks, the idle watches and the fixes run side by side: each mostly waits.
  const evidence = new Map<string, CheckEvidence[]>();
  const watches = new Map<string, CheckEvidence>();
  // The suite's SSE-S02 on an instance with the app's ticker off: the condition of the idle watch.
  const idleRows = new Map<string, SuiteRow>();
  const fixes = new Map<string, FixRun[]>();
  if (values['no-evidence'] !== true) {
    const quiet = chosen.filter((t) => t.hasTicker);
    const fixable = chosen.filter((t) => (t.causes ?? []).some((c) => c.edits !== undefined));
    say(`evidence: fresh instances, the survey's own checks; idle: ${quiet.map((t) => t.id).join(', ')} with the app's ticker off, the idle watch (35 s) beside the suite's SSE-S02; fixes: each cause's fix on a copy, judged with --only`);
    await Promise.all([
      mapLimit(chosen, EVIDENCE_CONCURRENCY, async (target) => {
        try {
          evidence.set(target.id, await evidenceFor(target, paths, EventSource));
        } catch (error) {
          evidence.set(target.id, [failed('start', 'Start', error)]);
        }
      }),
      mapLimit(quiet, IDLE_CONCURRENCY, async (target) => {
        try {
          const [watch, suite] = await withServer(target, paths, false, async (url) => {
            await new Promise((resolve) => setTimeout(resolve, 500));
            return Promise.all([idle(url), runSuite(cli, url, SUITE_TIMEOUT_MS, ['--only', 'SSE-S02'])]);
          });
          watches.set(target.id, watch);
          const row = suite.rows.find((r) => r.id === 'SSE-S02');
          if (row !== undefined) idleRows.set(target.id, row);
          say(`  idle ${target.id}: watch ${watch.verdict}, suite SSE-S02 ${row?.status ?? suite.error ?? 'no row'}`);
        } catch (error) {
          watches.set(target.id, failed('idle', 'Idle', error));
        }
      }),
      mapLimit(fixable, FIX_CONCURRENCY, async (target) => {
        fixes.set(target.id, await fixesFor(target, paths, cli));
      }),
    ]);
    for (const [id, watch] of watches) evidence.get(id)?.push(watch);
  }

  // --out writes the pages elsewhere (a preview that leaves docs/ alone); the links inside stay relative.
  const docs = resolve(values.out ?? join(ROOT, 'docs'));
  await mkdir(join(docs, 'survey'), { recursive: true });
  const resultsFile = join(docs, 'survey', 'results.json');
  const earlier = values.only === undefined ? undefined : await previous(resultsFile);
  const fresh: TargetResult[] = chosen.map((target) => {
    const suite = suites.get(target.id);
    const idleRow = idleRows.get(target.id);
    return {
      id: target.id,
      language: target.language,
      stack: target.stack,
      path: target.path,
      source: target.source,
      from: target.from,
      changes: target.changes,
      versions: versionsOf(target, versions),
      suite: suite instanceof Error ? undefined : suite,
      checks: evidence.get(target.id) ?? [],
      ...(idleRow === undefined ? {} : { idleRow }),
      causes: target.causes ?? [],
      fixes: fixes.get(target.id) ?? [],
      ...(suite instanceof Error ? { error: suite.message } : {}),
    };
  });
  const merged = TARGETS.map((t) => fresh.find((r) => r.id === t.id) ?? earlier?.targets.find((r) => r.id === t.id)).filter((r): r is TargetResult => r !== undefined);
  const result: SurveyResult = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    command: `npm run survey${argv.length === 0 ? '' : ` -- ${argv.join(' ')}`}`,
    wallMs: performance.now() - started,
    tools,
    targets: merged,
  };
  for (const target of fresh) await writeFile(join(docs, 'survey', `${target.id}.md`), renderTargetPage(target, result));
  // The transcripts live in the pages; results.json keeps what the matrix needs, to merge a later --only run.
  const lean = { ...result, targets: result.targets.map((t) => ({ ...t, checks: t.checks.map((c) => ({ ...c, transcript: '' })), ...(t.suite === undefined ? {} : { suite: { ...t.suite, stderr: '' } }) })) };
  await writeFile(resultsFile, `${JSON.stringify(lean, null, 1)}\n`);
  await writeFile(join(docs, 'survey.md'), renderSurvey(result));
  say(`wrote docs/survey.md and docs/survey/ in ${(result.wallMs / 1000).toFixed(0)} s`);
  return 0;
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => stop(s)));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping ${running.size} servers`);
    void stopAll().then(() => process.exit(130));
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  say(`survey: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}

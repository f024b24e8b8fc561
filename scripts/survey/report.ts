import { RULES } from 'sse-reference/conformance';
import type { CheckEvidence, Opinion } from './evidence.js';
import type { CellStatus, SuiteRow, SuiteRun } from './suite-json.js';
import { APT_PACKAGES, type Cause } from './targets.js';

const APT_LIST = APT_PACKAGES.join(', ');

/**
 * Renders the survey: docs/survey.md (the matrix, the costs, the disagreements) and one evidence
 * page per target (docs/survey/<id>.md). Pure: results in, Markdown out. Rows come from whatever
 * rule ids the suite's JSON held, so new rules and levels show up without a change here.
 */

/** One target's results. */
export interface TargetResult {
  readonly id: string;
  readonly language: string;
  readonly stack: string;
  readonly path: string;
  readonly source: string;
  readonly from: string;
  readonly changes: string;
  /** `name version` of what it runs on. */
  readonly versions: readonly string[];
  readonly suite: SuiteRun | undefined;
  readonly checks: readonly CheckEvidence[];
  /** The suite's SSE-S02 on an instance with the app's ticker off: the idle watch's condition. */
  readonly idleRow?: SuiteRow;
  /** Its defects, found in its code (see {@link Cause}). */
  readonly causes?: readonly Cause[];
  /** Each cause's fix, applied to a copy and judged by the suite with `--only` its rules. */
  readonly fixes?: readonly FixRun[];
  /** Set when the target could not be built or started. */
  readonly error?: string;
}

/** The suite's verdicts on a copy of a target with one cause's fix applied. */
export interface FixRun {
  /** The index of the cause in the target's `causes`. */
  readonly cause: number;
  readonly rows: readonly SuiteRow[];
  /** The survey's own check on the copy, where the suite could not say (n/a) or still failed. */
  readonly opinions?: readonly Opinion[];
  readonly error?: string;
}

/** A whole survey run. */
export interface SurveyResult {
  readonly date: string;
  readonly command: string;
  readonly wallMs: number;
  readonly tools: Readonly<Record<string, string>>;
  readonly targets: readonly TargetResult[];
}

/** What a failure of a rule costs a user, in one line: the catalogue's `cost`, else the title the suite reported (an ADVICE rule, or one this catalogue does not know). */
export function ruleCost(row: Pick<SuiteRow, 'id' | 'title'>): string {
  return RULES.find((rule) => rule.id === row.id)?.cost ?? row.title;
}

const SHOWN: Record<CellStatus, string> = { pass: 'pass', fail: 'FAIL', advice: 'advice', 'n/a': 'n/a', unknown: '?' };

/** The anchor GitHub makes of a heading. */
export function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** A table cell: no pipes or line breaks. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function fence(text: string): string {
  return ['```text', text.replace(/```/g, "'''"), '```'].join('\n');
}

/** Every rule id of the run, in the order the suite reported them (first target first). */
export function ruleIds(result: SurveyResult): { id: string; level: string; title: string }[] {
  const seen = new Map<string, { id: string; level: string; title: string }>();
  for (const target of result.targets) {
    for (const row of target.suite?.rows ?? []) if (!seen.has(row.id)) seen.set(row.id, { id: row.id, level: row.level, title: row.title });
  }
  return [...seen.values()];
}

/** The survey's own opinions on a rule, with the check that gave each. */
export function opinionsOn(target: TargetResult, rule: string): (Opinion & { check: string })[] {
  return target.checks.flatMap((c) => c.opinions.filter((o) => o.rule === rule).map((o) => ({ ...o, check: c.id })));
}

/** Where the suite and the survey's own checks disagree about a rule on a target. */
export interface Disagreement {
  readonly target: string;
  readonly rule: string;
  readonly level: string;
  readonly suite: CellStatus;
  readonly suiteEvidence: string;
  readonly evidence: string;
  /** 'false FAIL': the suite failed it, the evidence saw no defect; 'missed': the other way round. */
  readonly kind: 'false FAIL' | 'missed';
  /** The suite's row it is about (the idle row for SSE-S02 on the idle instance). */
  readonly row: SuiteRow;
  /** The survey's opinions that disagree. */
  readonly opinions: readonly (Opinion & { check: string })[];
}

/** A target's disagreements: each suite verdict meets the opinions formed under its own condition (the main run, or the app idle). */
export function disagreementsOf(target: TargetResult): Disagreement[] {
  const out: Disagreement[] = [];
  const pairs = (target.suite?.rows ?? []).map((row) => ({ row, rule: row.id, under: (o: Opinion) => o.elsewhere === undefined }));
  if (target.idleRow !== undefined) pairs.push({ row: target.idleRow, rule: IDLE_RULE, under: (o: Opinion) => o.elsewhere !== undefined });
  for (const { row, rule, under } of pairs) {
    const opinions = opinionsOn(target, row.id).filter(under);
    const fails = opinions.filter((o) => o.verdict === 'fail');
    const passes = opinions.filter((o) => o.verdict === 'pass');
    const base = { target: target.id, rule, level: row.level, suite: row.status, suiteEvidence: row.evidence, row };
    if (row.status === 'fail' && fails.length === 0 && passes.length > 0) {
      out.push({ ...base, evidence: passes.map((p) => `${p.check}: ${p.why}`).join('; '), kind: 'false FAIL', opinions: passes });
    }
    if ((row.status === 'pass' || row.status === 'n/a') && fails.length > 0) {
      out.push({ ...base, evidence: fails.map((f) => `${f.check}: ${f.why}`).join('; '), kind: 'missed', opinions: fails });
    }
  }
  return out;
}

/** The disagreements of a run. */
export function disagreements(result: SurveyResult): Disagreement[] {
  return result.targets.flatMap(disagreementsOf);
}

/** How the matrix and the pages name the suite's SSE-S02 on an idle instance. */
export const IDLE_RULE = 'SSE-S02, app idle';

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

function page(target: TargetResult): string {
  return `survey/${target.id}.md`;
}

/** A matrix cell; a FAIL or advice links to the page's section `heading` (the rule id by default). */
function statusCell(target: TargetResult, row: SuiteRow | undefined, heading = row?.id ?? ''): string {
  if (row === undefined) return target.error !== undefined || target.suite?.error !== undefined ? 'error' : '';
  const shown = SHOWN[row.status];
  return row.status === 'fail' || row.status === 'advice' ? `[${shown}](${page(target)}#${anchor(heading)})` : shown;
}

function counts(target: TargetResult): string {
  const rows = target.suite?.rows ?? [];
  if (rows.length === 0) return target.error ?? target.suite?.error ?? 'no result';
  const n = (s: CellStatus): number => rows.filter((r) => r.status === s).length;
  const byLevel = [...new Set(rows.filter((r) => r.status === 'fail').map((r) => r.level))].map((l) => `${rows.filter((r) => r.status === 'fail' && r.level === l).length} ${l}`);
  return `${n('pass')} pass, ${n('fail')} FAIL${byLevel.length === 0 ? '' : ` (${byLevel.join(', ')})`}, ${n('advice')} advice, ${n('n/a')} n/a`;
}

/** A failure's one-line cost: the survey's own evidence when it saw the same, else the rule's. */
export function costOf(target: TargetResult, row: SuiteRow): string {
  const fromCheck = opinionsOn(target, row.id)
    .filter((o) => o.verdict === 'fail')
    .map((o) => o.cost)
    .find((c) => c !== undefined);
  return fromCheck ?? ruleCost(row);
}

/** The command that reproduces one finding on its own: the target started, the suite on just those rules. */
export function reproduce(target: Pick<TargetResult, 'id'>, rules: readonly string[]): string {
  return `node dist/scripts/survey/serve.js ${target.id} --check ${rules.join(',')}`;
}

/** The suite rows of a target that failed: the main run's, and the idle run's SSE-S02 when only it failed. */
function failedRows(target: TargetResult): SuiteRow[] {
  const fails = (target.suite?.rows ?? []).filter((r) => r.status === 'fail');
  const idle = target.idleRow?.status === 'fail' && !fails.some((r) => r.id === target.idleRow?.id) ? [target.idleRow] : [];
  return [...fails, ...idle];
}

/**
 * What a target's defects are by both means: the suite's FAILs the evidence does not contradict,
 * and the MUST/SHOULD rules the suite passed or left n/a where the evidence saw the defect (a miss).
 * A FAIL the evidence contradicts is no defect: it is billed nowhere, and listed as a false FAIL.
 */
export function defectRows(target: TargetResult): { confirmed: SuiteRow[]; missed: Disagreement[]; falseFails: Disagreement[] } {
  const diffs = disagreementsOf(target);
  const falseFails = diffs.filter((d) => d.kind === 'false FAIL');
  const missed = diffs.filter((d) => d.kind === 'missed' && d.level !== 'ADVICE');
  const confirmed = failedRows(target).filter((r) => !falseFails.some((d) => d.row === r));
  return { confirmed, missed, falseFails };
}

const LEVEL_ORDER = ['MUST', 'SHOULD', 'ADVICE'];

/** The causes of a target that this run saw (a confirmed FAIL, or a defect the suite missed), each with those rows. */
export function seenCauses(target: TargetResult): { index: number; cause: Cause; rows: SuiteRow[] }[] {
  const { confirmed, missed } = defectRows(target);
  const rows = [...confirmed, ...missed.map((d) => d.row)];
  return (target.causes ?? []).flatMap((cause, index) => {
    const own = rows.filter((r) => cause.rules.includes(r.id));
    return own.length === 0 ? [] : [{ index, cause, rows: own }];
  });
}

/** What checking a cause's fix showed, in one line. */
export function fixOutcome(target: TargetResult, index: number): string {
  const cause = target.causes?.[index];
  if (cause === undefined) return '';
  if (cause.edits === undefined) return 'not checked by the survey: the fix lies outside the target\'s own files';
  const run = target.fixes?.find((f) => f.cause === index);
  if (run === undefined) return 'not checked in this run';
  if (run.error !== undefined) return `could not be checked: ${run.error}`;
  const verdicts = cause.rules.map((rule) => `${rule} ${SHOWN[run.rows.find((r) => r.id === rule)?.status ?? 'unknown']}`);
  const suitePasses = run.rows.length > 0 && run.rows.every((r) => r.status === 'pass' || r.status === 'n/a');
  const own = run.opinions ?? [];
  // The suite's n/a is no pass of its own: then the survey's check on the copy decides.
  const unsaid = run.rows.some((r) => r.status === 'n/a');
  const ownPasses = own.length > 0 && own.every((o) => o.verdict === 'pass');
  const checked = suitePasses && (!unsaid || ownPasses || own.length === 0);
  const ownText = own.length === 0 ? '' : `; the survey's own check on the copy: ${own.map((o) => `${o.rule} ${o.verdict} (${o.why})`).join('; ')}`;
  return `${checked ? 'checked' : '**not confirmed**'}: the suite with \`--only ${cause.rules.join(',')}\` on a copy with the fix: ${verdicts.join(', ')}${ownText}`;
}

function causeAnchor(index: number): string {
  return `cause-${index + 1}`;
}

/** docs/survey.md. */
export function renderSurvey(result: SurveyResult): string {
  // A defect no failing opinion speaks for, or a part of one (a loop that outlives its client) no rule judges.
  // A failure seen under other conditions speaks only where the suite failed the same rule.
  const suiteFailed = (t: TargetResult, rule: string): boolean =>
    (t.suite?.rows ?? []).some((r) => r.id === rule && r.status === 'fail') || (t.idleRow?.id === rule && t.idleRow.status === 'fail');
  // An opinion on a rule the suite does not have (a newer catalogue's) judges nothing here: its defect is listed apart.
  const judged = (t: TargetResult, rule: string): boolean => (t.suite?.rows ?? []).some((r) => r.id === rule) || t.idleRow?.id === rule;
  const speaks = (t: TargetResult, o: Opinion): boolean => o.verdict === 'fail' && judged(t, o.rule) && (o.elsewhere === undefined || suiteFailed(t, o.rule));
  const unjudged = (t: TargetResult, c: CheckEvidence): string | undefined =>
    c.unjudged ?? (c.verdict === 'defect' && !c.opinions.some((o) => speaks(t, o)) ? c.summary : undefined);
  const rules = ruleIds(result);
  const targets = result.targets;
  const lines: string[] = [];
  lines.push('# SSE server survey', '');
  lines.push(
    'What the conformance suite finds in the SSE servers people write from the docs they read, each',
    'verdict checked a second way: raw-socket transcripts of the exchange (node:net), and a real',
    'client (the `eventsource` package) whose connection is cut, showing what the application gets.',
    'Each target is written the way its own documentation (or the seed documents) show it; where the',
    'code does not run as printed, the smallest change is named below. Each defect found has its cause',
    'in the code (a file and line of the target or of the installed package), a one-line command that',
    'reproduces it, and a fix that the survey applies to a copy of the target and checks with `--only`.',
    'The servers themselves run unchanged.',
    '',
  );
  lines.push(`- Date: ${result.date}`);
  lines.push(`- Command: \`${result.command}\` (wall time ${(result.wallMs / 1000).toFixed(0)} s)`);
  lines.push(`- Suite: the project's own CLI, \`node dist/conformance/cli.js <url> --json\`, default options, two targets at a time (a run mostly waits).`);
  lines.push(`- Tools: ${Object.entries(result.tools).map(([k, v]) => (v.toLowerCase().startsWith(k.toLowerCase()) ? v : `${k} ${v}`)).join('; ')}`);
  lines.push('');
  const withMust = targets.filter((t) => defectRows(t).confirmed.some((r) => r.level === 'MUST'));
  const withDefect = targets.filter((t) => {
    const { confirmed, missed } = defectRows(t);
    return confirmed.length > 0 || missed.length > 0 || t.checks.some((c) => unjudged(t, c) !== undefined);
  });
  const diffs = disagreements(result);
  const falseFails = diffs.filter((d) => d.kind === 'false FAIL' && d.level !== 'ADVICE').length;
  const misses = diffs.filter((d) => d.kind === 'missed' && d.level !== 'ADVICE').length;
  lines.push(
    `In short: ${withDefect.length} of ${targets.length} targets have at least one defect a user pays for; ${withMust.length} fail a MUST rule in the suite's default run, confirmed by the evidence (${withMust.map((t) => t.id).join(', ') || 'none'}); the suite and the evidence disagree ${times(diffs.length)} (below): ${falseFails} false MUST/SHOULD FAIL${falseFails === 1 ? '' : 's'}, ${misses} MUST/SHOULD defect${misses === 1 ? '' : 's'} missed.`,
    '',
  );
  lines.push('## Targets', '', '| target | language | what runs | versions | stream |', '| --- | --- | --- | --- | --- |');
  for (const t of targets) {
    lines.push(`| [${t.id}](${page(t)}) | ${t.language} | ${cell(t.stack)} | ${cell(t.versions.join(', '))} | \`${t.path}\` |`);
  }
  lines.push('', '## The matrix', '');
  lines.push(
    'Each FAIL links to its evidence. `advice` is a recommendation, never a failure; `n/a` means the rule needs an option the default run does not give (a publish URL, a capacity) or the stream gave it nothing to judge.',
    `The last row, ${IDLE_RULE}, is the suite run again with \`--only SSE-S02\` on an instance with the app's ticker off (an app with nothing to publish), beside the survey's idle watch.`,
    '',
  );
  lines.push(`| rule | level | ${targets.map((t) => `[${t.id}](${page(t)})`).join(' | ')} |`);
  lines.push(`| --- | --- | ${targets.map(() => '---').join(' | ')} |`);
  for (const rule of rules) {
    lines.push(`| ${rule.id} | ${rule.level} | ${targets.map((t) => statusCell(t, t.suite?.rows.find((r) => r.id === rule.id))).join(' | ')} |`);
  }
  if (targets.some((t) => t.idleRow !== undefined)) {
    // A target without a ticker has no idle run: an empty cell, not `error`.
    const idleCell = (t: TargetResult): string => (t.idleRow === undefined ? '' : statusCell(t, t.idleRow, IDLE_RULE));
    lines.push(`| ${IDLE_RULE} | SHOULD | ${targets.map(idleCell).join(' | ')} |`);
  }
  // A rule added to the catalogue after the run has no row: the page says so instead of going stale silently.
  const newer = RULES.filter((rule) => !rules.some((r) => r.id === rule.id)).map((rule) => rule.id);
  if (newer.length > 0) lines.push('', `Rules newer than this run, not judged on these targets yet (\`npm run survey\` judges them): ${newer.join(', ')}.`);
  lines.push('', '| target | suite summary | suite run |', '| --- | --- | --- |');
  for (const t of targets) lines.push(`| ${t.id} | ${cell(counts(t))} | ${t.suite === undefined ? '' : `${(t.suite.durationMs / 1000).toFixed(0)} s, exit ${t.suite.exitCode}`} |`);
  const checkIds = [...new Map(targets.flatMap((t) => t.checks.map((c) => [c.id, c.title] as const))).entries()];
  lines.push('', "## The survey's own checks", '');
  lines.push('Run on a fresh instance of each target, apart from the suite. `defect` links to the transcript.', '');
  lines.push(`| check | ${targets.map((t) => t.id).join(' | ')} |`, `| --- | ${targets.map(() => '---').join(' | ')} |`);
  for (const [id, title] of checkIds) {
    const cells = targets.map((t) => {
      const c = t.checks.find((x) => x.id === id);
      if (c === undefined) return '';
      return c.verdict === 'defect' ? `[defect](${page(t)}#${anchor(`check: ${c.id}`)})` : c.verdict;
    });
    lines.push(`| ${cell(title)} | ${cells.join(' | ')} |`);
  }
  lines.push('', '## What each defect costs a user', '');
  lines.push(
    "One line per cause: a defect whose cause the survey found in the code is billed once, with every rule it fails. A FAIL the survey's evidence contradicts is no defect and is not billed; a defect the suite missed is billed, and says so.",
    '',
  );
  for (const t of targets) {
    const { confirmed, missed, falseFails } = defectRows(t);
    const causes = seenCauses(t);
    const covered = new Set(causes.flatMap((c) => c.rows));
    const apart = t.checks.filter((c) => c.cost !== undefined && unjudged(t, c) !== undefined);
    if (confirmed.length === 0 && missed.length === 0 && falseFails.length === 0 && apart.length === 0) continue;
    const name = (r: SuiteRow): string => (r === t.idleRow ? IDLE_RULE : r.id);
    const missedNote = (r: SuiteRow): string => (missed.some((d) => d.row === r) ? `, missed by the suite: ${SHOWN[r.status]}` : '');
    lines.push(`**${t.id}**`, '');
    for (const { index, cause, rows } of causes) {
      const level = LEVEL_ORDER.find((l) => rows.some((r) => r.level === l)) ?? rows[0]?.level ?? '';
      lines.push(`- [${rows.map(name).join(', ')}](${page(t)}#${causeAnchor(index)}) (${level}${rows.map(missedNote).join('')}): ${cause.cost}`);
    }
    for (const row of confirmed.filter((r) => !covered.has(r))) lines.push(`- [${name(row)}](${page(t)}#${anchor(name(row))}) (${row.level}): ${costOf(t, row)}`);
    for (const d of missed.filter((x) => !covered.has(x.row))) {
      const first = d.opinions[0];
      lines.push(`- [${d.rule}](${page(t)}#${anchor(`check: ${first?.check ?? ''}`)}) (${d.level}${missedNote(d.row)}): ${first?.cost ?? ruleCost(d.row)}`);
    }
    for (const d of falseFails) lines.push(`- ${d.rule} (${d.level}): not billed: the suite failed it, the survey's evidence does not confirm it (a false FAIL, below)`);
    for (const c of apart) lines.push(`- [${c.title}](${page(t)}#${anchor(`check: ${c.id}`)}) (survey check, no rule judges it): ${c.cost}`);
    lines.push('');
  }
  lines.push('## Where the suite and the evidence disagree', '');
  if (diffs.length === 0) lines.push('Nowhere: every rule the survey could judge on its own got the same verdict from the suite.', '');
  else {
    lines.push(
      'A FAIL the evidence does not confirm is a false alarm of the suite; a defect the evidence sees that the suite passed is a miss.',
      'Both are bugs of the suite: each goes to the suite with a way to reproduce it, and a fixture once fixed. Run against a later suite, this table shows what is left.',
      '',
      '| target | rule | level | suite | evidence | kind |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const d of diffs) lines.push(`| ${d.target} | ${d.rule} | ${d.level} | ${d.suite}: ${cell(d.suiteEvidence)} | ${cell(d.evidence)} | ${d.kind} |`);
    lines.push('');
  }
  const missedByDefault = targets.flatMap((t) => t.checks.flatMap((c) => (unjudged(t, c) === undefined ? [] : [{ t, c, what: unjudged(t, c) as string }])));
  if (missedByDefault.length > 0) {
    lines.push(
      `Defects seen only by the survey's own checks, which no rule of the suite judged (an idle watch's silence is judged by the row ${IDLE_RULE}).`,
      '',
    );
    for (const { t, c, what } of missedByDefault) lines.push(`- ${t.id}, [${c.title}](${page(t)}#${anchor(`check: ${c.id}`)}): ${what}`);
    lines.push('');
  }
  lines.push('## How each target is written', '');
  for (const t of targets) {
    lines.push(`- **${t.id}** ([\`scripts/survey/targets/${t.source}\`](../scripts/survey/targets/${t.source})): ${t.from}.${t.changes === '' ? ' Unchanged.' : ` Changes: ${t.changes}.`}`);
  }
  lines.push('', '## Run it again', '');
  lines.push(
    '```sh',
    'npm ci',
    'npm run survey                       # installs into $SSE_SURVEY_DIR (default: <tmp>/sse-survey), runs, writes docs/survey.md',
    'npm run survey -- --only hono,cookbook-e03   # some targets; the others keep their last results (docs/survey/results.json)',
    'npm run survey -- --out /tmp/preview --cli ../other/dist/conformance/cli.js   # another build of the suite, pages written elsewhere',
    'node dist/scripts/survey/serve.js hono       # start one target by hand; prints its URL; Ctrl-C (or SIGTERM) stops it',
    'node dist/scripts/survey/serve.js nchan --check SSE-S18   # reproduce one finding: the target, the suite with --only, stopped',
    '```',
    '',
    `The survey needs Debian (apt-get for ${APT_LIST}, installed only when missing) and npm for the pinned packages. It starts each server in a process group of its own on 127.0.0.1 (an ephemeral port, or a free one it is told), and stops the group when done. Two suite runs go at a time; then the survey's checks (on fresh instances, four targets at a time), the idle watches and the fixes run side by side.`,
    '',
  );
  return lines.join('\n');
}

/** docs/survey/<id>.md: the suite's rows, each FAIL's evidence, each check's transcript. */
export function renderTargetPage(target: TargetResult, result: Pick<SurveyResult, 'date' | 'command'>): string {
  const lines: string[] = [`# ${target.id}: ${target.stack}`, ''];
  lines.push(`- Source: [\`scripts/survey/targets/${target.source}\`](../../scripts/survey/targets/${target.source}), stream \`${target.path}\``);
  lines.push(`- Written from: ${target.from}`);
  lines.push(`- Changes: ${target.changes === '' ? 'none' : target.changes}`);
  lines.push(`- Versions: ${target.versions.join(', ')}`);
  lines.push(`- Run: ${result.date}, \`${result.command}\``);
  lines.push(`- Start it by hand: \`node dist/scripts/survey/serve.js ${target.id}\``, '');
  if (target.error !== undefined) lines.push(`**The target did not run:** ${target.error}`, '');
  if (target.suite?.error !== undefined) lines.push(`**The suite gave no report:** ${target.suite.error}`, '', fence(target.suite.stderr.slice(-2000)), '');
  const rows = target.suite?.rows ?? [];
  if (rows.length > 0) {
    lines.push('## The suite', '', '| rule | level | result | the suite\'s evidence |', '| --- | --- | --- | --- |');
    for (const row of rows) lines.push(`| ${row.id} | ${row.level} | ${row.status === 'fail' || row.status === 'advice' ? `[${SHOWN[row.status]}](#${anchor(row.id)})` : SHOWN[row.status]} | ${cell(row.evidence)} |`);
    lines.push('');
  }
  for (const row of rows.filter((r) => r.status === 'fail' || r.status === 'advice')) {
    lines.push(`## ${row.id}`, '');
    lines.push(`${row.level}: ${row.title}`, '');
    lines.push(`- The suite: ${SHOWN[row.status]}, "${row.evidence}"`);
    if (row.hint !== undefined) lines.push(`- Fix: ${row.hint}`);
    if (row.spec !== undefined) lines.push(`- Spec: ${row.spec}`);
    const cause = (target.causes ?? []).findIndex((c) => c.rules.includes(row.id));
    if (row.status === 'fail') lines.push(`- Cost: ${cause >= 0 ? (target.causes?.[cause] as Cause).cost : costOf(target, row)}`);
    if (cause >= 0) lines.push(`- Cause: [cause ${cause + 1}](#${causeAnchor(cause)}), in the code`);
    lines.push(`- Reproduce: \`${reproduce(target, [row.id])}\``);
    const opinions = opinionsOn(target, row.id);
    if (opinions.length === 0) lines.push('- Second means: no check of the survey judges this rule on its own; the transcripts below show the exchange.');
    for (const o of opinions) {
      const word = o.verdict === 'fail' ? 'confirms' : '**does not confirm**';
      lines.push(`- Second means, [${o.check}](#${anchor(`check: ${o.check}`)})${o.elsewhere === undefined ? '' : ` (on ${o.elsewhere})`}: ${word}: ${o.why}`);
    }
    lines.push('');
  }
  const idleRow = target.idleRow;
  if (idleRow !== undefined) {
    lines.push(`## ${IDLE_RULE}`, '');
    lines.push(`The suite run again with \`--only SSE-S02\` on an instance with the app's ticker off, beside the idle watch.`, '');
    lines.push(`- The suite: ${SHOWN[idleRow.status]}, "${idleRow.evidence}"`);
    if (idleRow.status === 'fail') lines.push(`- Cost: ${costOf(target, idleRow)}`);
    for (const o of opinionsOn(target, idleRow.id).filter((x) => x.elsewhere !== undefined)) {
      lines.push(`- Second means, [${o.check}](#${anchor(`check: ${o.check}`)}): ${(o.verdict === 'fail') === (idleRow.status === 'fail') ? 'agrees' : '**disagrees**'}: ${o.why}`);
    }
    lines.push('');
  }
  for (const [index, cause] of (target.causes ?? []).entries()) {
    const seen = seenCauses(target).find((c) => c.index === index);
    lines.push(`## cause ${index + 1}`, '');
    // Each rule as this run judged it: a FAIL or advice links to its section.
    const misses = defectRows(target).missed;
    const judged = (rule: string): string => {
      const miss = misses.find((d) => d.row.id === rule);
      if (miss !== undefined) return `[${rule}](#${anchor(`check: ${miss.opinions[0]?.check ?? ''}`)}) (missed by the suite: ${SHOWN[miss.row.status]}; the survey's ${miss.opinions[0]?.check} check fails it)`;
      if (seen?.rows.some((x) => x.id === rule) === true) return `[${rule}](#${anchor(rule === target.idleRow?.id && !(target.suite?.rows ?? []).some((r) => r.id === rule && r.status === 'fail') ? IDLE_RULE : rule)})`;
      const row = (target.suite?.rows ?? []).find((r) => r.id === rule);
      if (row === undefined) return `${rule} (not in this suite)`;
      return row.status === 'advice' ? `[${rule}](#${anchor(rule)}) (advice in this suite)` : `${rule} (${SHOWN[row.status]} in this run)`;
    };
    lines.push(`- Fails: ${cause.rules.map(judged).join(', ')}`);
    lines.push(`- Where: \`${cause.where}\``, '', fence(cause.quote), '');
    lines.push(`- Why: ${cause.why}`);
    lines.push(`- Cost: ${cause.cost}`);
    lines.push(`- Fix: ${cause.fix}`);
    lines.push(`- Fix ${fixOutcome(target, index)}`);
    lines.push(`- Reproduce: \`${reproduce(target, cause.rules)}\``);
    if (cause.edits !== undefined) {
      lines.push('', 'The fix, as the survey applies it to a copy:', '');
      // A text that ends a line shows as whole lines, without an empty one after.
      const diffLines = (text: string, sign: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n').map((l) => `${sign} ${l}`));
      lines.push(['```diff', ...cause.edits.flatMap((e) => [`# ${e.file ?? target.source}`, ...diffLines(e.find, '-'), ...diffLines(e.replace, '+')]), '```'].join('\n'));
    }
    lines.push('');
  }
  for (const check of target.checks) {
    lines.push(`## check: ${check.id}`, '');
    lines.push(`${check.title}: **${check.verdict}**. ${check.summary}`, '');
    if (check.cost !== undefined) lines.push(`Cost: ${check.cost}`, '');
    lines.push(fence(check.transcript), '');
  }
  return lines.join('\n');
}

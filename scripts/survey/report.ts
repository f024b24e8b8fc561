import type { CheckEvidence, Opinion } from './evidence.js';
import type { CellStatus, SuiteRow, SuiteRun } from './suite-json.js';

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
  /** Set when the target could not be built or started. */
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

/** What a failure of a known rule costs a user, in one line; unknown rules fall back to their title. */
export const COSTS: Readonly<Record<string, string>> = {
  'SSE-M01': 'EventSource gives up for good on any status but 200: the page stops updating.',
  'SSE-M02': 'EventSource refuses the stream: nothing is ever delivered.',
  'SSE-M03': 'bad bytes become U+FFFD: the application gets different data.',
  'SSE-M04': 'the last event is held back or dropped.',
  'SSE-M05': 'a misspelled field silently drops what it carried.',
  'SSE-M06': 'multi-line data arrives cut or merged.',
  'SSE-M07': 'field injection: a value can forge events or ids.',
  'SSE-M08': 'the retry hint is ignored (clients come back at their default pace), or is so short that every client comes back several times a second during an outage.',
  'SSE-M09': 'events wait in a buffer: late, in batches, or only when the stream ends.',
  'SSE-M10': 'a compressor holds events back until its buffer fills.',
  'SSE-M11': 'Safari drops the HTTP/2 stream.',
  'SSE-M12': 'a reconnecting client gets an error and gives up for good: one network blip ends the page\'s updates.',
  'SSE-M13': 'pages on other origins cannot connect or reconnect.',
  'SSE-M14': 'over HTTP/2, events wait for a buffer to fill.',
  'SSE-F1': 'the application gets different data than was published.',
  'SSE-S01': 'while the app is quiet the request gets no answer: a proxy answers 504 after its read timeout and EventSource gives up for good.',
  'SSE-S02': 'proxies and load balancers cut the idle stream (30–60 s): constant reconnects.',
  'SSE-S03': 'a heartbeat inside an event corrupts it.',
  'SSE-S04': 'a shared cache (Varnish by default) hands the stream to the next clients from its start: another client\'s old events.',
  'SSE-S05': 'nginx-style proxies buffer the stream: events arrive in batches.',
  'SSE-S06': 'the eventsource package for Node compares the media type case-sensitively and gives up for good.',
  'SSE-S07': 'a stray BOM corrupts a field name: what it carried is lost.',
  'SSE-S08': 'no retry hint: after an outage every client reconnects at the browser default, all at once.',
  'SSE-S09': 'ids that repeat or go backwards make Last-Event-ID meaningless: resume loses or repeats events.',
  'SSE-S10': 'after a reconnect the client gets duplicates or silently misses events.',
  'SSE-S11': 'a client whose id is unknown resumes silently with a gap it cannot see.',
  'SSE-S12': 'over capacity, clients give up for good instead of backing off.',
  'SSE-S13': 'slots of gone clients stay taken: the server fills up.',
  'SSE-S14': 'a stalled reader grows the server\'s memory without bound.',
  'SSE-S15': 'a client that sends another Accept (or none) gets no stream.',
  'SSE-S16': 'a stream that ends badly looks like a network error to the client.',
  'SSE-S17': 'over HTTP/1.1 a seventh tab stalls silently.',
  'SSE-S18': 'a HEAD request (health check, link preview) hangs, gets stream bytes after its head, or stops the server answering.',
  'SSE-S19': 'an id the server cannot place (or none) replays old events: the client handles them twice.',
  'SSE-S20': 'ids name connections, not events: a resume skips or repeats events.',
  'SSE-S21': 'a mistaken POST or OPTIONS holds an open stream each.',
  'SSE-S22': 'the stream ends once its Content-Length is reached; what is written past it never arrives.',
  'SSE-S23': 'a fetch()-based client that resumes cross-origin is refused at its preflight.',
  'SSE-S24': 'after a server restart, clients hear nothing until the counter passes their id.',
  'SSE-S25': 'the stream ends without ids: what happens during each reconnect is lost.',
  'SSE-M15': 'after a reconnect the client stays connected and gets nothing, for good.',
  'SSE-M16': 'each new client makes the connected ones get old events again.',
  'SSE-R1': 'a hostile header gets a 5xx or hangs the server.',
};

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
  readonly suite: CellStatus;
  readonly suiteEvidence: string;
  readonly evidence: string;
  /** 'false FAIL': the suite failed it, the evidence saw no defect; 'missed': the other way round. */
  readonly kind: 'false FAIL' | 'missed';
}

/** The disagreements of a run. */
export function disagreements(result: SurveyResult): Disagreement[] {
  const out: Disagreement[] = [];
  for (const target of result.targets) {
    // Each suite verdict meets the opinions formed under its own condition: the main run, or the app idle.
    const pairs = (target.suite?.rows ?? []).map((row) => ({ row, rule: row.id, under: (o: Opinion) => o.elsewhere === undefined }));
    if (target.idleRow !== undefined) pairs.push({ row: target.idleRow, rule: IDLE_RULE, under: (o: Opinion) => o.elsewhere !== undefined });
    for (const { row, rule, under } of pairs) {
      const opinions = opinionsOn(target, row.id).filter(under);
      const fails = opinions.filter((o) => o.verdict === 'fail');
      const passes = opinions.filter((o) => o.verdict === 'pass');
      if (row.status === 'fail' && fails.length === 0 && passes.length > 0) {
        out.push({ target: target.id, rule, suite: row.status, suiteEvidence: row.evidence, evidence: passes.map((p) => `${p.check}: ${p.why}`).join('; '), kind: 'false FAIL' });
      }
      if ((row.status === 'pass' || row.status === 'n/a') && fails.length > 0) {
        out.push({ target: target.id, rule, suite: row.status, suiteEvidence: row.evidence, evidence: fails.map((f) => `${f.check}: ${f.why}`).join('; '), kind: 'missed' });
      }
    }
  }
  return out;
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
  return fromCheck ?? COSTS[row.id] ?? row.title;
}

/** docs/survey.md. */
export function renderSurvey(result: SurveyResult): string {
  // A defect no failing opinion speaks for, or a part of one (a loop that outlives its client) no rule judges.
  // A failure seen under other conditions speaks only where the suite failed the same rule.
  const suiteFailed = (t: TargetResult, rule: string): boolean =>
    (t.suite?.rows ?? []).some((r) => r.id === rule && r.status === 'fail') || (t.idleRow?.id === rule && t.idleRow.status === 'fail');
  const speaks = (t: TargetResult, o: Opinion): boolean => o.verdict === 'fail' && (o.elsewhere === undefined || suiteFailed(t, o.rule));
  const unjudged = (t: TargetResult, c: CheckEvidence): string | undefined =>
    c.unjudged ?? (c.verdict === 'defect' && !c.opinions.some((o) => speaks(t, o)) ? c.summary : undefined);
  const rules = ruleIds(result);
  const targets = result.targets;
  const lines: string[] = [];
  lines.push('# SSE server survey', '');
  lines.push(
    'What the conformance suite finds in the SSE servers people write from the docs they read, each',
    'verdict checked a second way: a raw-socket transcript of the exchange (node:net), and a real',
    'client (the `eventsource` package) whose connection is cut, showing what the application gets.',
    'Each target is written the way its own documentation (or the seed documents) show it; where the',
    'code does not compile as printed, the smallest change is named below. No fixes of ours.',
    '',
  );
  lines.push(`- Date: ${result.date}`);
  lines.push(`- Command: \`${result.command}\` (wall time ${(result.wallMs / 1000).toFixed(0)} s)`);
  lines.push(`- Suite: the project's own CLI, \`node dist/conformance/cli.js <url> --json\`, default options, one target at a time.`);
  lines.push(`- Tools: ${Object.entries(result.tools).map(([k, v]) => (v.toLowerCase().startsWith(k.toLowerCase()) ? v : `${k} ${v}`)).join('; ')}`);
  lines.push('');
  const withMust = targets.filter((t) => (t.suite?.rows ?? []).some((r) => r.status === 'fail' && r.level === 'MUST'));
  const withDefect = targets.filter((t) => (t.suite?.rows ?? []).some((r) => r.status === 'fail') || t.checks.some((c) => c.verdict === 'defect'));
  lines.push(
    `In short: ${withDefect.length} of ${targets.length} targets have at least one defect a user pays for; ${withMust.length} fail a MUST rule in the suite's default run (${withMust.map((t) => t.id).join(', ') || 'none'}); the suite and the evidence disagree ${times(disagreements(result).length)} (below).`,
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
  for (const t of targets) {
    const fails = (t.suite?.rows ?? []).filter((r) => r.status === 'fail');
    const idleFail = t.idleRow?.status === 'fail' && !fails.some((r) => r.id === t.idleRow?.id) ? t.idleRow : undefined;
    const priced = idleFail === undefined ? fails : [...fails, idleFail];
    // A check's cost, unless each rule it failed is already listed above with the same cost.
    const extra = t.checks.filter(
      (c) => c.cost !== undefined && (unjudged(t, c) !== undefined || c.opinions.some((o) => speaks(t, o) && !priced.some((r) => r.id === o.rule))),
    );
    if (priced.length === 0 && extra.length === 0) continue;
    lines.push(`**${t.id}**`, '');
    for (const row of fails) lines.push(`- [${row.id}](${page(t)}#${anchor(row.id)}) (${row.level}): ${costOf(t, row)}`);
    if (idleFail !== undefined) lines.push(`- [${IDLE_RULE}](${page(t)}#${anchor(IDLE_RULE)}) (${idleFail.level}): ${costOf(t, idleFail)}`);
    for (const c of extra) lines.push(`- [${c.title}](${page(t)}#${anchor(`check: ${c.id}`)}) (survey check): ${c.cost}`);
    lines.push('');
  }
  const diffs = disagreements(result);
  lines.push('## Where the suite and the evidence disagree', '');
  if (diffs.length === 0) lines.push('Nowhere: every rule the survey could judge on its own got the same verdict from the suite.', '');
  else {
    lines.push(
      'A FAIL the evidence does not confirm is a false alarm of the suite; a defect the evidence sees that the suite passed is a miss.',
      'Both are bugs of the suite: each goes to the suite with a way to reproduce it, and a fixture once fixed. Run against a later suite, this table shows what is left.',
      '',
      '| target | rule | suite | evidence | kind |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const d of diffs) lines.push(`| ${d.target} | ${d.rule} | ${d.suite}: ${cell(d.suiteEvidence)} | ${cell(d.evidence)} | ${d.kind} |`);
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
    '```',
    '',
    'The survey needs Debian (apt-get for g++, libcpp-httplib-dev, golang-go, python3-starlette, python3-uvicorn, installed only when missing) and npm for the pinned packages. It starts each server in a process group of its own on 127.0.0.1 and an ephemeral port, and stops the group when done.',
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
    if (row.status === 'fail') lines.push(`- Cost: ${costOf(target, row)}`);
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
  for (const check of target.checks) {
    lines.push(`## check: ${check.id}`, '');
    lines.push(`${check.title}: **${check.verdict}**. ${check.summary}`, '');
    if (check.cost !== undefined) lines.push(`Cost: ${check.cost}`, '');
    lines.push(fence(check.transcript), '');
  }
  return lines.join('\n');
}

import type { CheckResult, CheckStatus } from './checks/result.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { RULES, type RuleArea, type RuleId, type RuleLevel } from './rules.js';

/** A rule's final word once expectations are applied. */
export type Verdict = CheckStatus | 'known failure' | 'unexpected pass';

/** Known failures a project accepts for now: rule id → the reason. */
export type Expectations = Readonly<Record<string, { readonly fail: string }>>;

/** One rule's line in the report. */
export interface RuleOutcome {
  readonly id: RuleId;
  readonly level: RuleLevel;
  readonly area: RuleArea;
  readonly title: string;
  /** Who is hurt, and how, when the rule is broken. */
  readonly harm: string;
  /** How to fix a server that breaks it. */
  readonly hint: string;
  /** Where the rule comes from. */
  readonly link: string;
  readonly status: CheckStatus;
  readonly verdict: Verdict;
  readonly evidence: string;
  /** The reason from the expectations file, when the rule is listed there. */
  readonly expected?: string;
}

/** The result of a run, for people (`formatTable`) and machines (`--json`). */
export interface Report {
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Why the target could not be reached at all (connection refused, DNS, TLS), when it could not. */
  readonly unreachable?: string | undefined;
  /** Why the run stopped before judging every rule it was asked for (`--deadline`), when it did. */
  readonly incomplete?: string | undefined;
  readonly outcomes: readonly RuleOutcome[];
  /** Counts of the MUST and SHOULD rules; ADVICE is counted on its own and never fails a run. */
  readonly summary: {
    readonly pass: number;
    readonly fail: number;
    readonly notApplicable: number;
    /** ADVICE rules checked and followed / checked and not followed. */
    readonly adviceFollowed: number;
    readonly adviceNotFollowed: number;
    readonly knownFailures: number;
    readonly unexpectedPasses: number;
    readonly mustFailures: number;
    readonly shouldFailures: number;
  };
}

/** Thrown when an expectations file is not what {@link parseExpectations} accepts. */
export class ExpectationsError extends Error {
  override readonly name = 'ExpectationsError';
}

/**
 * Reads an expectations file's text: `{ "<rule id>": { "fail": "<reason>" } }`.
 *
 * @throws {@link ExpectationsError} on bad JSON, an unknown rule id or a missing reason
 */
export function parseExpectations(text: string): Expectations {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ExpectationsError(`The expectations file is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExpectationsError('The expectations file must be an object: { "<rule id>": { "fail": "<reason>" } }.');
  }
  const out: Record<string, { fail: string }> = {};
  for (const [id, entry] of Object.entries(value)) {
    if (!RULES.some((r) => r.id === id)) throw new ExpectationsError(`The expectations file names an unknown rule ${JSON.stringify(id)}.`);
    const reason = (entry as { fail?: unknown } | null)?.fail;
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new ExpectationsError(`The expectation for ${id} needs a reason: { "fail": "why it fails for now" }.`);
    }
    out[id] = { fail: reason };
  }
  return out;
}

/**
 * Puts check results in catalogue order, applies expectations and counts.
 *
 * @param results - one per rule; a rule without a result is reported as a failure of the suite itself
 */
export function buildReport(
  results: readonly CheckResult[],
  meta: { readonly target: string; readonly startedAt: string; readonly durationMs: number; readonly unreachable?: string | undefined; readonly incomplete?: string | undefined },
  expectations: Expectations = {},
): Report {
  const outcomes = RULES.map((rule): RuleOutcome => {
    const result = results.find((r) => r.id === rule.id) ?? { id: rule.id, status: 'fail', evidence: 'the suite produced no result for this rule' };
    const expected = expectations[rule.id]?.fail;
    const verdict: Verdict =
      expected === undefined ? result.status : result.status === 'fail' ? 'known failure' : result.status === 'pass' ? 'unexpected pass' : 'n/a';
    return {
      id: rule.id,
      level: rule.level,
      area: rule.area,
      title: rule.title,
      harm: rule.harm,
      hint: rule.hint,
      link: rule.link,
      status: result.status,
      verdict,
      evidence: result.evidence,
      ...(expected === undefined ? {} : { expected }),
    };
  });
  const count = (predicate: (o: RuleOutcome) => boolean): number => outcomes.filter(predicate).length;
  const isAdvice = (o: RuleOutcome): boolean => o.level === 'ADVICE';
  return {
    ...meta,
    outcomes,
    summary: {
      pass: count((o) => !isAdvice(o) && o.verdict === 'pass'),
      fail: count((o) => !isAdvice(o) && o.verdict === 'fail'),
      notApplicable: count((o) => !isAdvice(o) && o.verdict === 'n/a'),
      adviceFollowed: count((o) => isAdvice(o) && o.status === 'pass'),
      adviceNotFollowed: count((o) => isAdvice(o) && o.status === 'fail'),
      knownFailures: count((o) => o.verdict === 'known failure'),
      unexpectedPasses: count((o) => o.verdict === 'unexpected pass'),
      mustFailures: count((o) => o.verdict === 'fail' && o.level === 'MUST'),
      shouldFailures: count((o) => o.verdict === 'fail' && o.level === 'SHOULD'),
    },
  };
}

/**
 * The exit code of a run (see {@link EXIT_CODES}): 3 when the target could not be reached at all;
 * 1 when a MUST rule fails (or, with `strict`, a SHOULD rule), or when a rule listed as a known
 * failure passes (so the expectations file is kept honest); 4 when `--deadline` cut the run and
 * nothing judged failed (a failure is an answer a cut cannot undo); else 0. ADVICE never changes it.
 */
export function exitCode(report: Report, strict = false): ExitCode {
  const { mustFailures, shouldFailures, unexpectedPasses } = report.summary;
  if (report.unreachable !== undefined) return EXIT.unreachable;
  if (mustFailures > 0 || unexpectedPasses > 0 || (strict && shouldFailures > 0)) return EXIT.fail;
  return report.incomplete === undefined ? EXIT.pass : EXIT.incomplete;
}

const SHOWN: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'FAIL',
  'n/a': 'n/a',
  'known failure': 'known',
  'unexpected pass': 'PASS?',
};

/**
 * The report as a table, rule by rule, then a summary line.
 *
 * @param width - evidence is cut to fit this many columns @defaultValue 120
 */
export function formatTable(report: Report, width = 120): string {
  const room = Math.max(20, width - 33);
  const row = (o: RuleOutcome, shown: string): string => {
    const evidence = o.expected === undefined ? o.evidence : `${o.evidence} [expected: ${o.expected}]`;
    return `${o.id.padEnd(8)} ${o.level.padEnd(7)} ${shown.padEnd(7)} ${evidence.length > room ? `${evidence.slice(0, room - 1)}…` : evidence}`;
  };
  const lines = [`sse-conformance ${report.target}`, '', 'RULE     LEVEL   RESULT  EVIDENCE'];
  for (const o of report.outcomes) {
    if (o.level === 'ADVICE') continue;
    lines.push(row(o, SHOWN[o.verdict]));
    // A failure says how to fix it, and where the rule comes from.
    if (o.verdict === 'fail') lines.push(`${' '.repeat(25)}fix: ${o.hint} ${o.link}`);
  }
  const advice = report.outcomes.filter((o) => o.level === 'ADVICE');
  if (advice.length > 0) {
    lines.push('', 'ADVICE (recommendations: never a failure, not even with --strict)');
    for (const o of advice) lines.push(row(o, o.status === 'pass' ? 'ok' : o.status === 'fail' ? 'advice' : 'n/a'));
  }
  if (report.incomplete !== undefined) lines.push('', `incomplete: ${report.incomplete}`);
  lines.push('', summaryLine(report));
  if (report.unreachable !== undefined) lines.push(`unreachable: ${report.unreachable}`);
  return lines.join('\n') + '\n';
}

/** One line: the counts, the failures by level and the time taken. */
export function summaryLine(report: Report): string {
  const s = report.summary;
  const parts = [`${s.pass} pass`, `${s.fail} FAIL (${s.mustFailures} MUST, ${s.shouldFailures} SHOULD)`, `${s.notApplicable} n/a`];
  if (s.knownFailures > 0) parts.push(`${s.knownFailures} known failures`);
  if (s.unexpectedPasses > 0) parts.push(`${s.unexpectedPasses} unexpected passes (remove them from the expectations file)`);
  const advice = s.adviceFollowed + s.adviceNotFollowed;
  const adviceText = advice === 0 ? '' : `; advice: ${s.adviceFollowed} of ${advice} followed`;
  return `summary: ${parts.join(', ')}${adviceText} in ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** The live progress line of a watch: "watching: 14 events, 9 ids, 0:08 of 0:20". */
export function watchLine(state: { readonly events: number; readonly ids: number; readonly elapsedMs: number; readonly windowMs: number }): string {
  const clock = (ms: number): string => `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;
  return `watching: ${state.events} events, ${state.ids} ids, ${clock(state.elapsedMs)} of ${clock(state.windowMs)}`;
}

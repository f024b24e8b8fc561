import type { CheckResult, CheckStatus } from './checks/result.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Expectations } from './expectations.js';
import { RULES, type RuleArea, type RuleId, type RuleLevel } from './rules.js';

/** A rule's final word once expectations are applied. */
export type Verdict = CheckStatus | 'known failure' | 'unexpected pass';

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

import type { Report, RuleOutcome, Verdict } from './report.js';

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

import type { Report, RuleOutcome } from './report.js';
import { AREAS } from './rules.js';

// [XML 1.0 §2.2] Char excludes C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and
// U+FFFF: not even a character reference may carry them, so they are written as visible escapes.
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const visible = (char: string): string => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Text content: markup characters escaped, forbidden characters made visible. */
export function xmlText(text: string): string {
  return text.replace(FORBIDDEN, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value in double quotes; tab, LF and CR as references so attribute normalisation keeps them. */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const attributes = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');

/** How one outcome shows in JUnit: passed, failed (with what to put in the failure) or skipped. */
type Case = { readonly kind: 'pass'; readonly out: string } | { readonly kind: 'failure'; readonly message: string; readonly body: string } | { readonly kind: 'skipped'; readonly message: string };

/**
 * Maps an outcome: a MUST or SHOULD failure fails (whatever `--strict` says: a CI report shows
 * every broken rule), and so does a known failure that passed; an ADVICE not followed passes with
 * the advice in its output; n/a and a known failure are skipped with the reason.
 */
function caseOf(o: RuleOutcome): Case {
  const fix = `fix: ${o.hint}\nsee: ${o.link}`;
  switch (o.verdict) {
    case 'pass':
      return { kind: 'pass', out: o.evidence };
    case 'n/a':
      return { kind: 'skipped', message: o.evidence };
    case 'known failure':
      return { kind: 'skipped', message: `known failure (${o.expected ?? ''}): ${o.evidence}` };
    case 'unexpected pass':
      return { kind: 'failure', message: `passes but is listed as a known failure: remove it from the expectations file`, body: o.evidence };
    case 'fail':
      return o.level === 'ADVICE' ? { kind: 'pass', out: `advice not followed: ${o.evidence}\n${fix}` } : { kind: 'failure', message: o.evidence, body: `${o.evidence}\n${fix}` };
  }
}

/**
 * The report as JUnit XML: one `<testsuite>` per area and one `<testcase>` per rule (classname =
 * the area, name = the rule id and title), with the counts every CI reader checks. A target that
 * cannot be reached is one testcase in error, so CI shows why rather than a page of skips.
 *
 * @example
 * ```ts
 * await writeFile('conformance.xml', formatJunit(await check({ url })));
 * ```
 */
export function formatJunit(report: Report): string {
  if (report.unreachable !== undefined) return formatUnreachable(report.target, report.unreachable);
  const seconds = (report.durationMs / 1000).toFixed(3);
  const incomplete = report.incomplete === undefined ? '' : `\n      <property${attributes({ name: 'incomplete', value: report.incomplete })}/>`;
  const properties = `    <properties>\n      <property${attributes({ name: 'target', value: report.target })}/>${incomplete}\n    </properties>`;
  const suites = AREAS.map((area) => {
    const outcomes = report.outcomes.filter((o) => o.area === area);
    const cases = outcomes.map((o) => ({ o, c: caseOf(o) }));
    const count = (kind: Case['kind']): number => cases.filter(({ c }) => c.kind === kind).length;
    const body = cases.map(({ o, c }) => {
      const open = `    <testcase${attributes({ classname: area, name: `${o.id} ${o.title}` })}`;
      if (c.kind === 'skipped') return `${open}>\n      <skipped${attributes({ message: c.message })}/>\n    </testcase>`;
      if (c.kind === 'failure') return `${open}>\n      <failure${attributes({ message: c.message, type: o.level })}>${xmlText(c.body)}</failure>\n    </testcase>`;
      return `${open}>\n      <system-out>${xmlText(c.out)}</system-out>\n    </testcase>`;
    });
    return { tests: cases.length, failures: count('failure'), skipped: count('skipped'), text: `  <testsuite${attributes({ name: area, tests: cases.length, failures: count('failure'), errors: 0, skipped: count('skipped'), timestamp: report.startedAt.slice(0, 19) })}>\n${properties}\n${body.join('\n')}\n  </testsuite>` };
  }).filter((s) => s.tests > 0);
  const total = (key: 'tests' | 'failures' | 'skipped'): number => suites.reduce((sum, s) => sum + s[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: `sse-conformance ${report.target}`, tests: total('tests'), failures: total('failures'), errors: 0, skipped: total('skipped'), time: seconds })}>`,
    ...suites.map((s) => s.text),
    '</testsuites>',
    '',
  ].join('\n');
}

function formatUnreachable(target: string, reason: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: `sse-conformance ${target}`, tests: 1, failures: 0, errors: 1, skipped: 0 })}>`,
    `  <testsuite${attributes({ name: 'reach', tests: 1, failures: 0, errors: 1, skipped: 0 })}>`,
    `    <testcase${attributes({ classname: 'reach', name: 'the target answers HTTP' })}>`,
    `      <error${attributes({ message: `target unreachable: ${reason}`, type: 'unreachable' })}/>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

import { before, describe, it } from 'node:test';
import type { Expectations } from './expectations.js';
import type { Report, RuleOutcome } from './report.js';
import { RULES, type Rule } from './rules.js';
import { check } from './run.js';
import type { Target } from './target.js';

/** What the `node:test` entry does with one rule's outcome, and the message it shows. */
export interface TestAction {
  readonly kind: 'pass' | 'fail' | 'skip' | 'todo';
  readonly message: string;
}

/**
 * Maps a rule's outcome to a `node:test` result: a MUST failure fails; a SHOULD or ADVICE failure
 * and a known failure are `todo`; a rule that cannot apply is skipped with its reason (never silently);
 * a known failure that passes fails, so an expectations file never hides a fix.
 */
export function testAction(rule: Rule, outcome: RuleOutcome | undefined): TestAction {
  if (outcome === undefined) return { kind: 'fail', message: 'The suite did not run (see the before hook).' };
  switch (outcome.verdict) {
    case 'n/a':
      return { kind: 'skip', message: `n/a: ${outcome.evidence}` };
    case 'known failure':
      return { kind: 'todo', message: `known failure: ${outcome.expected ?? ''}: ${outcome.evidence}` };
    case 'unexpected pass':
      return { kind: 'fail', message: `passes but is listed as a known failure: remove it from the expectations (${outcome.evidence})` };
    case 'fail':
      return rule.level === 'MUST' ? { kind: 'fail', message: outcome.evidence } : { kind: 'todo', message: `${rule.level}: ${outcome.evidence}` };
    case 'pass':
      return { kind: 'pass', message: outcome.evidence };
  }
}

/**
 * Registers the suite with `node:test`: one test per rule, so a project can run it in its own CI
 * with `node --test`. A MUST failure fails its test; a SHOULD failure is reported as `todo`; a
 * rule that cannot apply is skipped with its reason (never silently); a known failure from
 * `expectations` is `todo` with the reason (see {@link testAction}).
 *
 * @example
 * ```ts
 * // sse.conformance.test.js
 * import { conformanceSuite } from 'sse-reference/conformance';
 * conformanceSuite({ url: 'http://127.0.0.1:8080/feed', publishUrl: 'http://127.0.0.1:8080/publish' });
 * ```
 */
export function conformanceSuite(target: Target | (() => Target | Promise<Target>), expectations: Expectations = {}): void {
  describe(`SSE conformance: ${typeof target === 'function' ? 'target' : target.url}`, () => {
    let report: Report | undefined;
    before(async () => {
      report = await check(typeof target === 'function' ? await target() : target, { expectations });
    });
    for (const rule of RULES) {
      it(`${rule.id} (${rule.level}) ${rule.title}`, (t) => {
        const action = testAction(rule, report?.outcomes.find((o) => o.id === rule.id));
        if (action.kind === 'skip') return t.skip(action.message);
        if (action.kind === 'todo') return t.todo(action.message);
        if (action.kind === 'fail') throw new Error(action.message);
        t.diagnostic(action.message);
      });
    }
  });
}

import { before, describe, it } from 'node:test';
import type { Report, Expectations } from './report.js';
import { RULES } from './rules.js';
import { check } from './run.js';
import type { Target } from './target.js';

/**
 * Registers the suite with `node:test`: one test per rule, so a project can run it in its own CI
 * with `node --test`. A MUST failure fails its test; a SHOULD failure is reported as `todo`; a
 * rule that cannot apply is skipped with its reason (never silently); a known failure from
 * `expectations` is `todo` with the reason.
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
        const outcome = report?.outcomes.find((o) => o.id === rule.id);
        if (outcome === undefined) throw new Error('The suite did not run (see the before hook).');
        if (outcome.verdict === 'n/a') return t.skip(`n/a: ${outcome.evidence}`);
        if (outcome.verdict === 'known failure') return t.todo(`known failure: ${outcome.expected ?? ''}: ${outcome.evidence}`);
        if (outcome.verdict === 'unexpected pass') throw new Error(`passes but is listed as a known failure: remove it from the expectations (${outcome.evidence})`);
        if (outcome.verdict === 'fail' && rule.level === 'SHOULD') return t.todo(`SHOULD: ${outcome.evidence}`);
        if (outcome.verdict === 'fail') throw new Error(outcome.evidence);
        t.diagnostic(outcome.evidence);
      });
    }
  });
}

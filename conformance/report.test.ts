import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult } from './checks/result.js';
import { buildReport, exitCode, ExpectationsError, formatTable, parseExpectations, summaryLine, watchLine } from './report.js';
import { RULES, ruleById } from './rules.js';

const META = { target: 'http://127.0.0.1:1/stream', startedAt: '2026-11-23T00:00:00.000Z', durationMs: 1234 };
const allPass = (): CheckResult[] => RULES.map((r) => ({ id: r.id, status: 'pass', evidence: 'ok' }));
const withStatus = (id: string, status: CheckResult['status'], evidence = 'seen'): CheckResult[] =>
  allPass().map((r) => (r.id === id ? { id, status, evidence } : r));

describe('the rule catalogue', () => {
  it('has unique ids in the SSE-<letter><digits> scheme, each with a link, a hint and a harm line', () => {
    assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
    for (const rule of RULES) {
      assert.match(rule.id, /^SSE-[MSAFR]\d{1,2}$/);
      assert.ok(rule.harm.length > 20 && !rule.harm.includes('\n'), rule.id);
      assert.match(rule.link, /^https:\/\//);
      assert.ok(rule.hint.length > 10 && rule.title.length > 10, rule.id);
    }
  });

  it('finds a rule by id and refuses an unknown one', () => {
    assert.equal(ruleById('SSE-M01').level, 'MUST');
    assert.throws(() => ruleById('SSE-X99'), RangeError);
  });
});

describe('parseExpectations', () => {
  it('reads known failures with their reasons', () => {
    assert.deepEqual(parseExpectations('{"SSE-S05": {"fail": "behind our own proxy"}}'), { 'SSE-S05': { fail: 'behind our own proxy' } });
  });

  it('refuses bad JSON, a non-object, an unknown rule and a missing reason', () => {
    assert.throws(() => parseExpectations('{'), ExpectationsError);
    assert.throws(() => parseExpectations('[]'), /must be an object/);
    assert.throws(() => parseExpectations('{"SSE-X1": {"fail": "x"}}'), /unknown rule "SSE-X1"/);
    assert.throws(() => parseExpectations('{"SSE-M01": {"fail": " "}}'), /needs a reason/);
    assert.throws(() => parseExpectations('{"SSE-M01": null}'), /needs a reason/);
  });
});

describe('buildReport and exitCode', () => {
  it('exits 0 when everything passes', () => {
    const report = buildReport(allPass(), META);
    const advice = RULES.filter((r) => r.level === 'ADVICE').length;
    assert.equal(report.summary.pass, RULES.length - advice);
    assert.equal(report.summary.adviceFollowed, advice);
    assert.equal(exitCode(report), 0);
  });

  it('exits 1 on a MUST failure, and on a SHOULD failure only when strict', () => {
    assert.equal(exitCode(buildReport(withStatus('SSE-M03', 'fail'), META)), 1);
    const should = buildReport(withStatus('SSE-S04', 'fail'), META);
    assert.equal(should.summary.shouldFailures, 1);
    assert.equal(exitCode(should), 0);
    assert.equal(exitCode(should, true), 1);
  });

  it('never fails a run on ADVICE, not even when strict, and counts it on its own', () => {
    const advice = buildReport(withStatus('SSE-S05', 'fail'), META);
    assert.equal(advice.summary.fail, 0);
    assert.equal(advice.summary.adviceNotFollowed, 1);
    assert.equal(exitCode(advice, true), 0);
    assert.match(summaryLine(advice), /; advice: \d+ of \d+ followed in/);
  });

  it('turns an expected failure into a known failure that does not fail the run', () => {
    const report = buildReport(withStatus('SSE-M03', 'fail'), META, { 'SSE-M03': { fail: 'legacy latin1 feed' } });
    const outcome = report.outcomes.find((o) => o.id === 'SSE-M03');
    assert.equal(outcome?.verdict, 'known failure');
    assert.equal(outcome?.expected, 'legacy latin1 feed');
    assert.equal(report.summary.knownFailures, 1);
    assert.equal(exitCode(report, true), 0);
  });

  it('reports an unexpected pass and fails the run so the expectations stay honest', () => {
    const report = buildReport(allPass(), META, { 'SSE-M03': { fail: 'was broken' } });
    assert.equal(report.summary.unexpectedPasses, 1);
    assert.equal(exitCode(report), 1);
    assert.match(summaryLine(report), /1 unexpected passes/);
  });

  it('keeps n/a as n/a even when listed as expected, and flags a rule the suite gave no result for', () => {
    const results = withStatus('SSE-S16', 'n/a', 'stayed open').filter((r) => r.id !== 'SSE-S01');
    const report = buildReport(results, META, { 'SSE-S16': { fail: 'x' } });
    assert.equal(report.outcomes.find((o) => o.id === 'SSE-S16')?.verdict, 'n/a');
    assert.equal(report.outcomes.find((o) => o.id === 'SSE-S01')?.verdict, 'fail');
  });
});

describe('formatTable', () => {
  it('prints one line per rule with level and result, cuts long evidence, and ends with the summary', () => {
    const results = withStatus('SSE-M02', 'fail', `Content-Type: text/plain ${'x'.repeat(200)}`);
    const table = formatTable(buildReport(withStatus('SSE-A01', 'fail', 'no no-transform').map((r) => (r.id === 'SSE-M02' ? results.find((x) => x.id === 'SSE-M02') ?? r : r)), META, { 'SSE-S04': { fail: 'proxy' } }), 100);
    const lines = table.trimEnd().split('\n');
    // Title, blank, header, the rules (and a fix line under the failure), blank, the advice heading, blank, summary.
    assert.equal(lines.length, RULES.length + 8);
    assert.match(table, /\nSSE-M02 .*\n {25}fix: Send Content-Type: text\/event-stream; charset=utf-8 before the first byte of the body\. https:\/\/html\.spec\.whatwg\.org\/\S+\n/);
    assert.match(table, /\nADVICE \(recommendations: never a failure, not even with --strict\)\nSSE-A01 {2}ADVICE {2}advice {2}no no-transform\n/);
    const m02 = lines.find((l) => l.startsWith('SSE-M02')) ?? '';
    assert.match(m02, /^SSE-M02 {2}MUST {4}FAIL {4}Content-Type: text\/plain x+…$/);
    assert.ok(m02.length <= 100);
    assert.match(table, /SSE-S04 {2}SHOULD {2}PASS\? {3}ok \[expected: proxy\]/);
    assert.match(lines.at(-1) ?? '', /^summary: \d+ pass, 1 FAIL \(1 MUST, 0 SHOULD\), 0 n\/a, 1 unexpected passes .* in 1\.2 s$/);
  });
});

describe('exitCode beyond pass and fail', () => {
  it('exits 3 when the target cannot be reached at all', () => {
    assert.equal(exitCode(buildReport(allPass(), { ...META, unreachable: 'connect ECONNREFUSED' })), 3);
  });

  it('exits 4 when --deadline cut the run, unless something judged failed', () => {
    assert.equal(exitCode(buildReport(allPass(), { ...META, incomplete: '--deadline reached: 3 rules not judged' })), 4);
    assert.equal(exitCode(buildReport(withStatus('SSE-M03', 'fail'), { ...META, incomplete: 'cut' })), 1);
    assert.match(formatTable(buildReport(allPass(), { ...META, incomplete: '--deadline reached: 3 rules not judged' })), /\nincomplete: --deadline reached: 3 rules not judged\n\nsummary: /);
  });
});

describe('watchLine', () => {
  it('says what the watch has seen, and how far into the window it is', () => {
    assert.equal(watchLine({ events: 14, ids: 9, elapsedMs: 8400, windowMs: 20_000 }), 'watching: 14 events, 9 ids, 0:08 of 0:20');
    assert.equal(watchLine({ events: 0, ids: 0, elapsedMs: 61_000, windowMs: 60_000 }), 'watching: 0 events, 0 ids, 1:01 of 1:00');
  });
});

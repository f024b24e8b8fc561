import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult } from './checks/result.js';
import { formatTable, summaryLine } from './format.js';
import { buildReport, exitCode } from './report.js';
import { RULES } from './rules.js';

const META = { target: 'http://127.0.0.1:1/stream', startedAt: '2026-11-23T00:00:00.000Z', durationMs: 1234 };
const allPass = (): CheckResult[] => RULES.map((r) => ({ id: r.id, status: 'pass', evidence: 'ok' }));
const withStatus = (id: string, status: CheckResult['status'], evidence = 'seen'): CheckResult[] =>
  allPass().map((r) => (r.id === id ? { id, status, evidence } : r));

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

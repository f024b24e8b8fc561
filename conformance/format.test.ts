import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult } from './checks/result.js';
import { formatTable } from './format.js';
import { buildReport } from './report.js';
import { RULES } from './rules.js';

const META = { target: 'http://127.0.0.1:1/stream', startedAt: '2026-11-23T00:00:00.000Z', durationMs: 1234 };
const allPass = (): CheckResult[] => RULES.map((r) => ({ id: r.id, status: 'pass', evidence: 'ok' }));
const withStatus = (id: string, status: CheckResult['status'], evidence = 'seen'): CheckResult[] =>
  allPass().map((r) => (r.id === id ? { id, status, evidence } : r));

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

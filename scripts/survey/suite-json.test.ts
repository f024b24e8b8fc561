import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellStatus, parseSuiteOutput, rowsOf } from './suite-json.js';

describe('rowsOf', () => {
  it("reads today's --json shape: outcomes with id, level, status and evidence", () => {
    const rows = rowsOf({
      target: 'http://x/',
      outcomes: [
        { id: 'SSE-M01', level: 'MUST', area: 'status and headers', title: 't', status: 'pass', verdict: 'pass', evidence: '200' },
        { id: 'SSE-S10', level: 'SHOULD', area: 'ids and resume', title: 't', status: 'n/a', verdict: 'n/a', evidence: 'needs ids' },
      ],
    });
    assert.deepEqual(rows.map((r) => [r.id, r.level, r.status, r.evidence]), [
      ['SSE-M01', 'MUST', 'pass', '200'],
      ['SSE-S10', 'SHOULD', 'n/a', 'needs ids'],
    ]);
  });

  it('takes new rule ids, an ADVICE level, an advice status, and hint / spec fields as they come', () => {
    const rows = rowsOf({
      outcomes: [
        { id: 'SSE-A01', level: 'ADVICE', status: 'advice', evidence: 'no no-transform', hint: 'add no-transform', spec: 'https://spec#x' },
        { id: 'SSE-A02', level: 'advice', status: 'fail', evidence: ['a', 'b'] },
        { id: 'SSE-X99', level: 'SHOULD', verdict: 'known failure', evidence: { detail: 1 } },
        { id: 'SSE-X98', level: 'MUST', status: 'skipped' },
        { level: 'MUST', status: 'fail' },
      ],
    });
    assert.deepEqual(rows.map((r) => [r.id, r.level, r.status]), [
      ['SSE-A01', 'ADVICE', 'advice'],
      ['SSE-A02', 'ADVICE', 'advice'],
      ['SSE-X99', 'SHOULD', 'fail'],
      ['SSE-X98', 'MUST', 'n/a'],
    ]);
    assert.equal(rows[0]?.hint, 'add no-transform');
    assert.equal(rows[0]?.spec, 'https://spec#x');
    assert.equal(rows[1]?.evidence, 'a; b');
    assert.equal(rows[2]?.evidence, '{"detail":1}');
    assert.equal(rows[1]?.hint, undefined);
  });

  it('accepts a bare list, or rules / results instead of outcomes; refuses JSON without one', () => {
    assert.equal(rowsOf([{ id: 'A', status: 'pass' }]).length, 1);
    assert.equal(rowsOf({ rules: [{ id: 'A', status: 'pass' }] }).length, 1);
    assert.equal(rowsOf({ results: [{ rule: 'A', result: 'FAIL' }] })[0]?.status, 'fail');
    assert.throws(() => rowsOf({ summary: {} }), /no list of rule outcomes/);
  });

  it('maps status words of any likely spelling, and an unknown one to unknown', () => {
    assert.equal(cellStatus('PASS', 'MUST'), 'pass');
    assert.equal(cellStatus('Not applicable', 'MUST'), 'n/a');
    assert.equal(cellStatus('warning', 'SHOULD'), 'advice');
    assert.equal(cellStatus('maybe', 'MUST'), 'unknown');
  });
});

describe('parseSuiteOutput', () => {
  it('finds the JSON after stray lines and reads a version when present', () => {
    const out = parseSuiteOutput('npm notice something\n{"version": "0.2.0", "outcomes": [{"id": "SSE-M01", "status": "pass"}]}\n');
    assert.equal(out.version, '0.2.0');
    assert.equal(out.rows[0]?.id, 'SSE-M01');
    assert.throws(() => parseSuiteOutput('no json here'), /no JSON/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckResult } from './checks/result.js';
import { RULES } from './rules.js';
import { applySelection, parseSelection, SelectionError, wantsArea } from './select.js';

const idsOf = (area: string): string[] => RULES.filter((r) => r.area === area).map((r) => r.id);

describe('parseSelection', () => {
  it('keeps every rule without --only, and what --only names (ids and areas, any case, hyphens or spaces)', () => {
    assert.equal(parseSelection([], []).rules.size, RULES.length);
    const picked = parseSelection(['sse-m01,Methods', ' ids-and-resume '], []);
    assert.deepEqual([...picked.rules].sort(), ['SSE-M01', ...idsOf('methods'), ...idsOf('ids and resume')].sort());
    assert.deepEqual([...parseSelection(['hostile input'], []).rules], idsOf('hostile input'));
  });

  it('removes what --skip names, after --only, and says why in the evidence', () => {
    const selection = parseSelection(['limits'], ['SSE-S14']);
    assert.deepEqual([...selection.rules].sort(), idsOf('limits').filter((id) => id !== 'SSE-S14').sort());
    assert.equal(selection.why('SSE-S14'), 'not run: --skip');
    assert.equal(selection.why('SSE-M01'), 'not run: not named by --only');
    assert.equal(parseSelection([], ['limits', 'methods']).rules.has('SSE-S12'), false);
  });

  it('refuses an unknown id or area with a sentence that lists the areas, and a selection that leaves nothing', () => {
    assert.throws(() => parseSelection(['SSE-Q99'], []), (error: Error) => error instanceof SelectionError && error instanceof TypeError && /--only names "SSE-Q99", which is neither a rule id \(see --list\) nor an area \(status-and-headers, .*limits\)\./.test(error.message));
    assert.throws(() => parseSelection([], ['timing']), /--skip names "timing"/);
    assert.throws(() => parseSelection(['methods'], ['methods']), /leave no rule to run/);
  });
});

describe('wantsArea and applySelection', () => {
  it('wants an area only when one of its rules is selected', () => {
    const selection = parseSelection(['SSE-M01'], []);
    assert.equal(wantsArea(selection, 'status and headers'), true);
    assert.equal(wantsArea(selection, 'limits'), false);
    assert.equal(wantsArea(undefined, 'limits'), true);
  });

  it('reports every rule: the selected with their results, the others n/a "not run", whatever their check said', () => {
    const results: CheckResult[] = [
      { id: 'SSE-M01', status: 'fail', evidence: '404' },
      { id: 'SSE-M02', status: 'fail', evidence: 'text/plain' },
    ];
    const out = applySelection(results, parseSelection(['SSE-M01'], []));
    assert.equal(out.length, RULES.length);
    assert.deepEqual(out.find((r) => r.id === 'SSE-M01'), results[0]);
    assert.deepEqual(out.find((r) => r.id === 'SSE-M02'), { id: 'SSE-M02', status: 'n/a', evidence: 'not run: not named by --only' });
    assert.deepEqual(applySelection(results, undefined), results);
  });
});

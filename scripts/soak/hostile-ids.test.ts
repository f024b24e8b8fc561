import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedFor, generateHostileCases } from './hostile-ids.js';
import { createRng } from './rng.js';

const STATE = { epoch: '0123456789ab', head: 120, oldest: 71 };

describe('the hostile-id oracle', () => {
  it('decides each boundary of the resume rule', () => {
    assert.deepEqual(expectedFor('', STATE), { kind: 'fresh' });
    assert.deepEqual(expectedFor(' \t', STATE), { kind: 'fresh' });
    assert.deepEqual(expectedFor('0123456789ab-120', STATE), { kind: 'replay', after: 120 });
    assert.deepEqual(expectedFor('\t0123456789ab-70 ', STATE), { kind: 'replay', after: 70 });
    assert.deepEqual(expectedFor('0123456789ab-69', STATE), { kind: 'reset', reason: 'expired' });
    assert.deepEqual(expectedFor('0123456789ab-121', STATE), { kind: 'reset', reason: 'unknown' });
    assert.deepEqual(expectedFor('0123456789ab-9007199254740991', STATE), { kind: 'reset', reason: 'unknown' });
    assert.deepEqual(expectedFor('0123456789ab-9007199254740992', STATE), { kind: 'reset', reason: 'invalid' });
    assert.deepEqual(expectedFor('ffffffffffff-1', STATE), { kind: 'reset', reason: 'epoch' });
    for (const bad of ['0123456789AB-1', '0123456789ab-01', '0123456789ab-1e3', '0123456789ab-+1', '0123456789ab-1\u00a0', '0123456789ab-']) {
      assert.deepEqual(expectedFor(bad, STATE), { kind: 'reset', reason: 'invalid' }, bad);
    }
  });

  it('generates every category, the same for the same seed', () => {
    const a = generateHostileCases(createRng(3), 500, STATE);
    const b = generateHostileCases(createRng(3), 500, STATE);
    assert.deepEqual(a, b);
    assert.equal(new Set(a.map((c) => c.category)).size, 15);
    for (const kind of ['fresh', 'replay', 'reset']) assert.ok(a.some((c) => c.expected.kind === kind), kind);
  });
});

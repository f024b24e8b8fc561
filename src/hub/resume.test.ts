import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numericIds } from './id-policy.js';
import { planResume, planSuppliedResume } from './resume.js';

const state = { epoch: 'aaaaaaaaaaaa', head: 10, oldest: 6 };
const at = (seq: number, epoch = state.epoch) => ({ kind: 'position', epoch, seq }) as const;

describe('planResume', () => {
  it('starts fresh with no cursor', () => {
    assert.deepEqual(planResume({ kind: 'none' }, state), { kind: 'fresh' });
  });

  it('replays from every retained position, including oldest - 1 and head', () => {
    assert.deepEqual(planResume(at(5), state), { kind: 'replay', afterSeq: 5 });
    assert.deepEqual(planResume(at(10), state), { kind: 'replay', afterSeq: 10 });
  });

  it('names the reason for every position it cannot resume exactly', () => {
    assert.deepEqual(planResume({ kind: 'invalid', detail: 'x' }, state), { kind: 'reset', reason: 'invalid' });
    assert.deepEqual(planResume(at(5, 'bbbbbbbbbbbb'), state), { kind: 'reset', reason: 'epoch' });
    assert.deepEqual(planResume(at(11), state), { kind: 'reset', reason: 'unknown' });
    assert.deepEqual(planResume(at(4), state), { kind: 'reset', reason: 'expired' });
  });
});

describe('planSuppliedResume', () => {
  const supplied = (floorId: string | undefined) => ({
    policy: numericIds,
    seqOf: (id: string) => ({ '10': 1, '11': 2 })[id],
    headId: '11',
    floorId,
    startId: 'aaaaaaaaaaaa-0',
  });

  it('replays everything from the start id while nothing was evicted, and says expired after', () => {
    assert.deepEqual(planSuppliedResume('aaaaaaaaaaaa-0', supplied(undefined)), { kind: 'replay', afterSeq: 0 });
    assert.deepEqual(planSuppliedResume('aaaaaaaaaaaa-0', supplied('9')), { kind: 'reset', reason: 'expired' });
    assert.deepEqual(planSuppliedResume('bbbbbbbbbbbb-0', supplied(undefined)), { kind: 'reset', reason: 'invalid' });
    assert.deepEqual(planSuppliedResume('10', supplied(undefined)), { kind: 'replay', afterSeq: 1 });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planResume } from './resume.js';

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

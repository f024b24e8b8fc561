import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numericIds } from './id-policy.js';
import { epochView, planResume, readEpochCursor, readSuppliedCursor, settleResume, suppliedView, SUPPLIED_START, type Cursor, type ResumeView } from './resume.js';

const state = { epoch: 'aaaaaaaaaaaa', head: 10, oldest: 6 };
const view = epochView(state);
const at = (seq: number, epoch = state.epoch) => ({ kind: 'position', epoch, at: seq }) as const;
/** The channel's plan: the decision settled, in sequence numbers. */
const plan = (cursor: Cursor<number>) => settleResume(planResume(cursor, view), (seq) => seq);

describe('planResume with the channel ids (<epoch>-<seq>)', () => {
  it('starts fresh with no cursor', () => {
    assert.deepEqual(plan({ kind: 'none' }), { kind: 'fresh' });
  });

  it('replays from every retained position, including oldest - 1 and head', () => {
    assert.deepEqual(plan(at(5)), { kind: 'replay', afterSeq: 5 });
    assert.deepEqual(plan(at(10)), { kind: 'replay', afterSeq: 10 });
  });

  it('names the reason for every position it cannot resume exactly', () => {
    assert.deepEqual(plan({ kind: 'invalid', detail: 'x' }), { kind: 'reset', reason: 'invalid' });
    assert.deepEqual(plan(at(5, 'bbbbbbbbbbbb')), { kind: 'reset', reason: 'epoch' });
    assert.deepEqual(plan(at(11)), { kind: 'reset', reason: 'unknown' });
    assert.deepEqual(plan(at(4)), { kind: 'reset', reason: 'expired' });
  });

  it('leaves a position past the head as ahead and one before the floor as older, for a history that knows more', () => {
    assert.deepEqual(planResume(at(11), view), { kind: 'ahead', at: 11 });
    assert.deepEqual(planResume(at(4), view), { kind: 'older', at: 4 });
  });

  it('reads the header through the one reader, then the <epoch>-<seq> grammar', () => {
    assert.deepEqual(readEpochCursor(' aaaaaaaaaaaa-7\t'), at(7));
    assert.deepEqual(readEpochCursor(''), { kind: 'none' });
    assert.equal(readEpochCursor(['a', 'b']).kind, 'invalid');
    assert.equal(readEpochCursor('aaaaaaaaaaaa-07').kind, 'invalid');
  });
});

describe('planResume with supplied ids', () => {
  const supplied = (floorId: string | undefined) =>
    suppliedView({ policy: numericIds, seqOf: (id: string) => ({ '9': 0, '10': 1, '11': 2 })[id], headId: '11', floorId });
  const read = (value: string) => readSuppliedCursor(value, numericIds, 'aaaaaaaaaaaa-0');
  const seqOf = (id: string) => (id === SUPPLIED_START ? 0 : ({ '9': 0, '10': 1, '11': 2 } as Record<string, number>)[id] as number);
  const plan = (value: string, floorId: string | undefined) => settleResume(planResume(read(value), supplied(floorId)), seqOf);

  it('replays everything from the start id while nothing was evicted, and says expired after', () => {
    assert.deepEqual(plan('aaaaaaaaaaaa-0', undefined), { kind: 'replay', afterSeq: 0 });
    assert.deepEqual(plan('aaaaaaaaaaaa-0', '9'), { kind: 'reset', reason: 'expired' });
    assert.deepEqual(plan('bbbbbbbbbbbb-0', undefined), { kind: 'reset', reason: 'invalid' });
    assert.deepEqual(plan('10', undefined), { kind: 'replay', afterSeq: 1 });
  });

  it('gives the same reasons as the channel ids: expired before the floor, unknown between kept ids or past the head', () => {
    assert.deepEqual(plan('8', '9'), { kind: 'reset', reason: 'expired' });
    assert.deepEqual(plan('9', '9'), { kind: 'replay', afterSeq: 0 });
    assert.deepEqual(plan('12', '9'), { kind: 'reset', reason: 'unknown' });
    assert.deepEqual(plan('', '9'), { kind: 'fresh' });
  });
});

describe('planResume with any other scheme (pairs, as Redis stream ids are)', () => {
  type Pair = readonly [number, number];
  const held: Pair[] = [[5, 0], [5, 1], [7, 0]];
  const compare = (a: Pair, b: Pair) => (a[0] === b[0] ? a[1] - b[1] : a[0] - b[0]);
  const pairs: ResumeView<Pair> = {
    epoch: 'e',
    compare,
    head: [7, 0],
    floor: [4, 0],
    holds: (p) => compare(p, [4, 0]) === 0 || held.some((h) => compare(h, p) === 0),
  };
  const pos = (p: Pair) => ({ kind: 'position', epoch: 'e', at: p }) as const;

  it('answers in the scheme\'s order: held, ahead, older, or an id never issued', () => {
    assert.deepEqual(planResume(pos([5, 1]), pairs), { kind: 'replay', after: [5, 1] });
    assert.deepEqual(planResume(pos([4, 0]), pairs), { kind: 'replay', after: [4, 0] });
    assert.deepEqual(planResume(pos([7, 1]), pairs), { kind: 'ahead', at: [7, 1] });
    assert.deepEqual(planResume(pos([3, 9]), pairs), { kind: 'older', at: [3, 9] });
    assert.deepEqual(planResume(pos([6, 0]), pairs), { kind: 'reset', reason: 'unknown' });
    assert.deepEqual(planResume({ kind: 'position', epoch: 'f', at: [5, 1] }, pairs), { kind: 'reset', reason: 'epoch' });
  });
});

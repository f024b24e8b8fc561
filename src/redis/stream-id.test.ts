import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareStreamIds, formatStreamEventId, formatStreamId, parseStreamCursor, parseStreamId } from './stream-id.js';

const EPOCH = 'c0ffee000001';

describe('stream ids', () => {
  it('reads a Redis entry id and writes it back unchanged', () => {
    assert.deepEqual(parseStreamId('1700000000000-3'), { ms: 1700000000000, seq: 3 });
    assert.equal(formatStreamId({ ms: 1700000000000, seq: 3 }), '1700000000000-3');
    assert.equal(formatStreamEventId(EPOCH, { ms: 5, seq: 0 }), `${EPOCH}-5-0`);
  });

  it('orders ids by milliseconds, then by sequence', () => {
    assert.ok(compareStreamIds({ ms: 1, seq: 9 }, { ms: 2, seq: 0 }) < 0);
    assert.ok(compareStreamIds({ ms: 2, seq: 1 }, { ms: 2, seq: 0 }) > 0);
    assert.equal(compareStreamIds({ ms: 2, seq: 1 }, { ms: 2, seq: 1 }), 0);
  });

  it('parses a cursor of the form <epoch>-<ms>-<seq>, trimming only spaces and tabs', () => {
    assert.deepEqual(parseStreamCursor(` \t${EPOCH}-1700000000000-2 `), { kind: 'position', epoch: EPOCH, at: { ms: 1700000000000, seq: 2 } });
    assert.deepEqual(parseStreamCursor(undefined), { kind: 'none' });
    assert.deepEqual(parseStreamCursor(''), { kind: 'none' });
  });

  it('calls anything else invalid, never guessing a number out of it', () => {
    const hostile = [
      `${EPOCH}-1`,
      `${EPOCH}-1e3-0`,
      `${EPOCH}-0x10-0`,
      `${EPOCH}-01-0`,
      `${EPOCH}--1-0`,
      `${EPOCH}-1-+2`,
      `${EPOCH}-1-2 3`,
      `${EPOCH}-1.5-0`,
      `${EPOCH}-١-0`,
      `${EPOCH.toUpperCase()}-1-0`,
      `${EPOCH}-1-0\u00a0`,
      `${EPOCH}-${'9'.repeat(17)}-0`,
      'x'.repeat(200),
    ];
    for (const value of hostile) assert.equal(parseStreamCursor(value).kind, 'invalid', value);
    assert.deepEqual(parseStreamCursor(`${EPOCH}-9007199254740993-0`), { kind: 'invalid', detail: 'a number above 2^53 - 1' });
    assert.equal(parseStreamCursor(['a', 'b']).kind, 'invalid');
    for (const value of ['1-', '-1', '1e3-0', '01-0', '1-0 ', '9007199254740993-0']) assert.equal(parseStreamId(value), undefined, value);
  });
});

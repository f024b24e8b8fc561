import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile, ratio } from './stats.js';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even one', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('is NaN for no values and leaves its input unsorted', () => {
    assert.ok(Number.isNaN(median([])));
    const input = [3, 1, 2];
    median(input);
    assert.deepEqual(input, [3, 1, 2]);
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);

  it('uses the nearest rank', () => {
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile(hundred, 100), 100);
    assert.equal(percentile([5], 99), 5);
    assert.equal(percentile([1, 2], 50), 1);
  });

  it('sorts numerically, not as text', () => {
    assert.equal(percentile([10, 9, 100], 50), 10);
  });

  it('is NaN for no values and refuses a rank outside (0, 100]', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1], 0), RangeError);
    assert.throws(() => percentile([1], 101), RangeError);
  });
});

describe('ratio', () => {
  it('divides, and is NaN for a missing side or a zero baseline', () => {
    assert.equal(ratio(1, 4), 0.25);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(undefined, 1)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 1)));
  });
});

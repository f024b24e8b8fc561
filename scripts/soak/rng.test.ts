import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from './rng.js';

describe('the seeded generator', () => {
  it('gives the same values for the same seed', () => {
    const a = createRng(7);
    const b = createRng(7);
    const values = Array.from({ length: 100 }, () => a.int(1000));
    assert.deepEqual(values, Array.from({ length: 100 }, () => b.int(1000)));
    assert.ok(new Set(values).size > 50);
    assert.ok(values.every((v) => v >= 0 && v < 1000));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapLimit } from './heap-limit.js';
import { profile } from './profile.js';

describe('soak: a small heap under bursts to slow readers (short profile)', () => {
  it('cuts every slow reader before the heap fills, and does not crash', async () => {
    const result = await heapLimit(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowReaders } from './slow-readers.js';
import { profile } from './profile.js';

describe('soak: slow and dead readers (short profile)', () => {
  it('cuts the slow readers within the memory bound, keeps the fast ones on time, and resumes each cut one with no loss', async () => {
    const result = await slowReaders(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

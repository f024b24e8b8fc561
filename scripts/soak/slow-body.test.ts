import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profile } from './profile.js';
import { slowBody } from './slow-body.js';

describe('soak: slow bodies (short profile)', () => {
  it('closes a trickled body at once where it is not read, answers 408 where it is, and keeps serving', async () => {
    const result = await slowBody(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

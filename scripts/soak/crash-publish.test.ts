import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crashPublish } from './crash-publish.js';
import { profile } from './profile.js';

describe('soak: kill -9 while publishing with a history file (short profile)', () => {
  it('keeps every event answered 202, in order, exactly once, and the following client sees no gap', async () => {
    const result = await crashPublish(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fdExhaustion } from './fd-exhaustion.js';
import { profile } from './profile.js';

describe('soak: EMFILE during a connection storm (short profile)', () => {
  it('keeps the streams it has, refuses new ones, logs the cause once, and recovers', async () => {
    const result = await fdExhaustion(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { churn } from './churn.js';
import { profile } from './profile.js';

describe('soak: churn (short profile)', () => {
  it('returns streams, subscribers, timers, sockets and heap to the baseline after every kind of disconnect', async () => {
    const result = await churn(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

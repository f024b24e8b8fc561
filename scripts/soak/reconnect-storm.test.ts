import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconnectStorm } from './reconnect-storm.js';
import { profile } from './profile.js';

describe('soak: reconnect storm (short profile)', () => {
  it('serves every returning client or tells it retry:, never another status', async () => {
    const result = await reconnectStorm(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

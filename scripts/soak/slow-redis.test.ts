import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profile } from './profile.js';
import { slowRedis } from './slow-redis.js';

describe('soak: a slow Redis (short profile)', () => {
  it('answers publishes within the publish timeout with a clear error, keeps streams up, and loses nothing acknowledged', async () => {
    const result = await slowRedis(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

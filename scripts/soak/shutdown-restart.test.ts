import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shutdownRestart } from './shutdown-restart.js';
import { profile } from './profile.js';

describe('soak: shutdown and restart (short profile)', () => {
  it('ends every stream with a retry: hint on SIGTERM, exits 0, and tells returning clients reset (epoch)', async () => {
    const result = await shutdownRestart(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskFull } from './disk-full.js';
import { profile } from './profile.js';

describe('soak: ENOSPC on the history file (short profile)', () => {
  it('refuses publishes with 503 and a clear body, stores nothing half-written, and resumes when space returns', async () => {
    const result = await diskFull(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventContent } from './event-content.js';
import { profile } from './profile.js';

describe('soak: event content (short profile)', () => {
  it('delivers every accepted publish exactly and refuses the rest with a code, writing nothing half-way', async () => {
    const result = await eventContent(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { malformedRequests } from './malformed-requests.js';
import { profile } from './profile.js';

describe('soak: malformed requests (short profile)', () => {
  it('answers each sensibly (400, 404, 405 with Allow, 408, 431) and keeps serving good clients', async () => {
    const result = await malformedRequests(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

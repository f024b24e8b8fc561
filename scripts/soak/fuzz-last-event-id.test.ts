import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzLastEventId } from './fuzz-last-event-id.js';
import { profile } from './profile.js';

describe('soak: hostile Last-Event-ID fuzz (short profile)', () => {
  it('answers every hostile value with 200, the event stream and the right first event, with /health up throughout', async () => {
    const result = await fuzzLastEventId(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdsWithin } from './wait.js';

describe('holdsWithin', () => {
  it('says whether the condition came to hold in time, without throwing when it did not', async () => {
    let checks = 0;
    assert.equal(await holdsWithin(() => ++checks >= 3, 1000, 1), true);
    assert.equal(checks, 3);
    const started = Date.now();
    assert.equal(await holdsWithin(() => false, 50, 5), false);
    assert.ok(Date.now() - started >= 50);
  });

  it('lets an error of the check through', async () => {
    await assert.rejects(
      holdsWithin(() => {
        throw new Error('broken check');
      }, 100),
      /broken check/,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profile, type Profile } from './profile.js';
import type { ScenarioResult } from './report.js';

/**
 * One soak scenario's test in `npm test`: a run of the short profile that must report no failure
 * (its figures in the message when it does). Imported by the `*.test.ts` files only.
 *
 * @param title - what the scenario does to the server, e.g. `reconnect storm`
 * @param promise - what the server must do under it
 */
export function passesShort(title: string, promise: string, scenario: (p: Profile) => Promise<ScenarioResult>): void {
  describe(`soak: ${title} (short profile)`, () => {
    it(promise, async () => {
      const result = await scenario(profile('short'));
      assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
    });
  });
}

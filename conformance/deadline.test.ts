import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeadline } from './deadline.js';

describe('createDeadline', () => {
  it('lets work that finishes in time through, and cuts work that does not', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let reached = 0;
    const deadline = createDeadline(1000, () => reached++);
    assert.equal(await deadline.race(Promise.resolve('fast')), 'fast');
    const slow = deadline.race(new Promise<string>(() => {}));
    t.mock.timers.tick(1000);
    assert.equal(await slow, undefined);
    assert.equal(deadline.isReached, true);
    assert.equal(reached, 1);
    // Once past, nothing new starts a race it could win.
    assert.equal(await deadline.race(Promise.resolve('late')), undefined);
  });

  it('never passes without a budget, and stops its timer when disposed', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const none = createDeadline(undefined);
    assert.equal(await none.race(Promise.resolve(1)), 1);
    let reached = false;
    const disposed = createDeadline(10, () => (reached = true));
    disposed.dispose();
    t.mock.timers.tick(20);
    assert.equal(disposed.isReached, false);
    assert.equal(reached, false);
  });
});

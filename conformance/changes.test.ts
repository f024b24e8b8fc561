import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Changes } from './changes.js';

describe('Changes', () => {
  it('resolves at once with what is already there, or undefined when already over', async () => {
    const changes = new Changes();
    assert.equal(await changes.waitFor(() => 'seen', () => false, 10_000), 'seen');
    assert.equal(await changes.waitFor(() => undefined, () => true, 10_000), undefined);
  });

  it('looks again after each change, and stops listening once it found something', async () => {
    const changes = new Changes();
    let value: number | undefined;
    let calls = 0;
    const waiting = changes.waitFor(() => (calls++, value), () => false, 10_000);
    changes.notify();
    value = 7;
    changes.notify();
    assert.equal(await waiting, 7);
    const before = calls;
    changes.notify();
    assert.equal(calls, before, 'no listener left behind');
  });

  it('resolves with what it finds when it is over, or when the time is up', async () => {
    const changes = new Changes();
    let isOver = false;
    const ending = changes.waitFor(() => undefined, () => isOver, 10_000);
    isOver = true;
    changes.notify();
    assert.equal(await ending, undefined);
    let late: string | undefined;
    const timed = changes.waitFor(() => late, () => false, 20);
    late = 'set without a change';
    assert.equal(await timed, 'set without a change');
  });

  it('calls a listener on every change until it is removed', () => {
    const changes = new Changes();
    let count = 0;
    const stop = changes.listen(() => count++);
    changes.notify();
    changes.notify();
    stop();
    changes.notify();
    assert.equal(count, 2);
  });
});

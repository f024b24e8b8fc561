import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from './install.js';

describe('applyEdits', () => {
  it('replaces each text that occurs exactly once, in order', () => {
    assert.equal(applyEdits('a\nb\nc\n', [{ find: 'b\n', replace: 'B\nb2\n' }, { find: 'c', replace: 'C' }]), 'a\nB\nb2\nC\n');
  });

  it('refuses a fix whose text is missing or ambiguous, never applying it silently', () => {
    assert.throws(() => applyEdits('x', [{ find: 'y', replace: 'z' }]), /"y" occurs nowhere/);
    assert.throws(() => applyEdits('x x', [{ find: 'x', replace: 'z' }]), /"x" occurs more than once/);
  });
});

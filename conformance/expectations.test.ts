import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpectationsError, parseExpectations } from './expectations.js';

describe('parseExpectations', () => {
  it('reads known failures with their reasons', () => {
    assert.deepEqual(parseExpectations('{"SSE-S05": {"fail": "behind our own proxy"}}'), { 'SSE-S05': { fail: 'behind our own proxy' } });
  });

  it('refuses bad JSON, a non-object, an unknown rule and a missing reason', () => {
    assert.throws(() => parseExpectations('{'), ExpectationsError);
    assert.throws(() => parseExpectations('[]'), /must be an object/);
    assert.throws(() => parseExpectations('{"SSE-X1": {"fail": "x"}}'), /unknown rule "SSE-X1"/);
    assert.throws(() => parseExpectations('{"SSE-M01": {"fail": " "}}'), /needs a reason/);
    assert.throws(() => parseExpectations('{"SSE-M01": null}'), /needs a reason/);
  });
});

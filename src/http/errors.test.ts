import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SSE_ERRORS, type SseErrorCode } from '../protocol/errors.js';
import { HTTP_ERRORS, isHttpErrorCode } from './errors.js';

describe('HTTP_ERRORS', () => {
  it('names a snake_case code or a library event refusal, and gives a library code the status SSE_ERRORS gives it', () => {
    for (const [code, spec] of Object.entries(HTTP_ERRORS)) {
      assert.ok(spec.uses.length > 0, code);
      if (!code.startsWith('SSE_ERR_')) {
        assert.match(code, /^[a-z]+(_[a-z0-9]+)*$/);
        continue;
      }
      const row = SSE_ERRORS[code as SseErrorCode];
      assert.ok(row !== undefined, `${code} is not in SSE_ERRORS`);
      assert.equal(row.class, 'SseError', `${code} is no event refusal`);
      assert.equal(spec.status, row.status, code);
    }
  });

  it('tells its own codes from anything else, inherited names included', () => {
    assert.equal(isHttpErrorCode('not_found'), true);
    assert.equal(isHttpErrorCode('SSE_ERR_EVENT_RESERVED'), true);
    assert.equal(isHttpErrorCode('SSE_ERR_ID_MISSING'), false);
    assert.equal(isHttpErrorCode('toString'), false);
  });
});

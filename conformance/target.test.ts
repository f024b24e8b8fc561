import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstInvalidUtf8 } from './checks/grammar.js';
import { check, type CheckOptions } from './run.js';
import { resolveTarget, TARGET_DEFAULTS, type Target } from './target.js';

describe('resolveTarget', () => {
  it('fills in every default', () => {
    const target = resolveTarget({ url: 'http://127.0.0.1:1/s' });
    assert.equal(target.observeSeconds, TARGET_DEFAULTS.observeSeconds);
    assert.equal(target.heartbeatMaxMs, 17_000);
    assert.deepEqual(target.headers, {});
    assert.equal(target.publishUrl, undefined);
  });

  it('refuses a bad URL, a bad publish URL, a non-positive number and a wild capacity, saying which', () => {
    assert.throws(() => resolveTarget({ url: 'not a url' }), /url must be an absolute/);
    assert.throws(() => resolveTarget({ url: 'http://127.0.0.1/', publishUrl: 'file:///x' }), /publishUrl must be an http/);
    assert.throws(() => resolveTarget({ url: 'http://127.0.0.1/', observeSeconds: 0 }), /observeSeconds must be a positive number/);
    assert.throws(() => resolveTarget({ url: 'http://127.0.0.1/', capacity: 1.5 }), /capacity must be an integer/);
  });

  it('refuses an option it does not have, instead of ignoring it', async () => {
    const typo = { url: 'http://127.0.0.1/', observe_seconds: 5 } as Target;
    assert.throws(() => resolveTarget(typo), /^TypeError: The target has no option "observe_seconds"\. Its options: url, publishUrl, /);
    await assert.rejects(check({ url: 'http://127.0.0.1:1/' }, { ony: ['SSE-M01'] } as CheckOptions), /check\(\) has no option "ony"/);
  });
});

describe('firstInvalidUtf8', () => {
  it('accepts valid text of every width', () => {
    assert.equal(firstInvalidUtf8(Buffer.from('a é ✓ 😀'), false), -1);
  });

  it('finds a latin1 byte, an overlong form, a surrogate and a code point past U+10FFFF', () => {
    assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]), false), 1);
    assert.equal(firstInvalidUtf8(Buffer.from([0xc0, 0x80]), false), 0);
    assert.equal(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0x80]), false), 0);
    assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]), false), 0);
    assert.equal(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]), false), 0);
  });

  it('accepts a character cut at the very end only when the reader cut it', () => {
    const cut = Buffer.from('ok ✓').subarray(0, 5);
    assert.equal(firstInvalidUtf8(cut, true), -1);
    assert.equal(firstInvalidUtf8(cut, false), 3);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SseRequest } from '../http/types.js';
import { jitter, streamHeaders } from './headers.js';

const over = (httpVersionMajor: number, httpVersionMinor = httpVersionMajor === 1 ? 1 : 0): SseRequest => ({ httpVersionMajor, httpVersionMinor }) as SseRequest;

describe('streamHeaders', () => {
  it('adds Connection: keep-alive over HTTP/1.1 only (RFC 9113 §8.2.2 forbids it over HTTP/2; an HTTP/1.0 body ends with the connection)', () => {
    assert.equal(streamHeaders(over(1))['connection'], 'keep-alive');
    assert.equal('connection' in streamHeaders(over(1, 0)), false);
    assert.equal('connection' in streamHeaders(over(2)), false);
    assert.equal(streamHeaders(over(2))['content-type'], 'text/event-stream; charset=utf-8');
  });

  it('builds each set once and shares it, frozen so that no caller can change another stream\'s', () => {
    assert.equal(streamHeaders(over(1)), streamHeaders(over(1)));
    assert.equal(Object.isFrozen(streamHeaders(over(1))), true);
    assert.equal(Object.isFrozen(streamHeaders(over(2))), true);
    assert.throws(() => {
      (streamHeaders(over(1)) as Record<string, string>)['x-test'] = '1';
    }, TypeError);
  });
});

describe('jitter', () => {
  it('spreads ±20 % around the base', () => {
    assert.equal(jitter(3000, 0.2, () => 0), 2400);
    assert.equal(jitter(3000, 0.2, () => 0.5), 3000);
    assert.ok(jitter(3000, 0.2, () => 0.999_999) <= 3600);
  });
});

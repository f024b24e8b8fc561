import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate.js';

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with the time to the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) assert.deepEqual(limiter.take('a', 0), { isAllowed: true });
    assert.deepEqual(limiter.take('a', 0), { isAllowed: false, retryAfterMs: 500 });
    assert.deepEqual(limiter.take('a', 400), { isAllowed: false, retryAfterMs: 100 });
    assert.deepEqual(limiter.take('a', 500), { isAllowed: true });
  });

  it('keeps each client to its own bucket', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    assert.ok(limiter.take('a', 0).isAllowed);
    assert.ok(!limiter.take('a', 0).isAllowed);
    assert.ok(limiter.take('b', 0).isAllowed);
  });

  it('refills at the sustained rate and never past the burst', () => {
    const limiter = new RateLimiter({ perSecond: 10 });
    assert.equal(limiter.burst, 20);
    let allowed = 0;
    for (let t = 0; t < 10_000; t += 10) if (limiter.take('a', t).isAllowed) allowed++;
    // 20 at once, then 10 a second for 10 s (the first 2 s of refill overlap the burst).
    assert.ok(allowed >= 100 && allowed <= 121, String(allowed));
    const rested = new RateLimiter({ perSecond: 10, burst: 5 });
    rested.take('a', 0);
    for (let i = 0; i < 5; i++) assert.ok(rested.take('a', 3_600_000).isAllowed);
    assert.ok(!rested.take('a', 3_600_000).isAllowed);
  });

  it('holds at most maxClients buckets, dropping full ones first', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2, maxClients: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, i);
    assert.ok(limiter.size <= 100, String(limiter.size));
    // A client whose bucket is empty keeps it while quiet full ones are dropped.
    const busy = new RateLimiter({ perSecond: 1, burst: 1, maxClients: 3 });
    busy.take('x', 0);
    busy.take('y', 0);
    busy.take('hot', 1000);
    assert.ok(busy.take('z', 1000).isAllowed);
    assert.equal(busy.size, 2);
    assert.ok(!busy.take('hot', 1000).isAllowed);
  });

  it('refuses rates that are not positive integers', () => {
    assert.throws(() => new RateLimiter({ perSecond: 0 }), RangeError);
    assert.throws(() => new RateLimiter({ perSecond: 1.5 }), RangeError);
  });
});

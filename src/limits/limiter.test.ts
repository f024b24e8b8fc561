import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientKey, Limiter, type Lease } from './limiter.js';

describe('Limiter', () => {
  it('refuses past the per-client cap while other clients still get slots', () => {
    const limiter = new Limiter({ maxConnections: 10, maxPerClient: 2 });
    const leases = [limiter.acquire('a'), limiter.acquire('a')];
    assert.equal(limiter.acquire('a'), 'client');
    assert.notEqual(typeof limiter.acquire('b'), 'string');
    assert.equal(limiter.openFor('a'), 2);
    (leases[0] as Lease).release();
    assert.notEqual(typeof limiter.acquire('a'), 'string');
  });

  it('refuses past the global cap', () => {
    const limiter = new Limiter({ maxConnections: 2, maxPerClient: 5 });
    limiter.acquire('a');
    limiter.acquire('b');
    assert.equal(limiter.acquire('c'), 'global');
  });

  it('gives a slot back exactly once, however often release is called', () => {
    const limiter = new Limiter({ maxConnections: 3, maxPerClient: 3 });
    const lease = limiter.acquire('a') as Lease;
    limiter.acquire('a');
    lease.release();
    lease.release();
    assert.equal(limiter.open, 1);
    assert.equal(limiter.openFor('a'), 1);
  });

  it('forgets a client with no slots, so the map does not grow', () => {
    const limiter = new Limiter();
    for (let i = 0; i < 1000; i++) (limiter.acquire(`10.0.0.${i}`) as Lease).release();
    assert.equal(limiter.open, 0);
    assert.equal(limiter.openFor('10.0.0.1'), 0);
  });

  it('refuses caps that are not positive integers', () => {
    assert.throws(() => new Limiter({ maxConnections: 0 }), /maxConnections must be an integer of at least 1/);
    assert.throws(() => new Limiter({ maxPerClient: -1 }), RangeError);
  });
});

describe('clientKey', () => {
  it('folds IPv4-mapped IPv6 addresses to IPv4', () => {
    assert.equal(clientKey('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(clientKey('::1'), '::1');
    assert.equal(clientKey(undefined), 'unknown');
  });
});

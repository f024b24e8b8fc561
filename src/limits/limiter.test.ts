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
    assert.equal(clientKey('198.51.100.7'), '198.51.100.7');
    assert.equal(clientKey(undefined), 'unknown');
  });

  it('keys an IPv6 client on its /64, however the address is written', () => {
    const key = '2001:db8:0:1::/64';
    for (const address of ['2001:db8:0:1::1', '2001:DB8:0:1:ffff:ffff:ffff:ffff', '2001:0db8:0000:0001:0:0:0:2', '2001:db8::1:1:2:3:4', '2001:db8:0:1::1.2.3.4', '2001:db8:0:1::7%eth0']) {
      assert.equal(clientKey(address), key, address);
    }
    assert.equal(clientKey('2001:db8:0:2::1'), '2001:db8:0:2::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1'), 'fe80:0:0:0::/64');
  });
});

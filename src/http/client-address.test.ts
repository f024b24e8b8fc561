import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddress, createTrustedProxies, unmapIpv4 } from './client-address.js';

const request = (peer: string, headers: Record<string, string | string[]> = {}) => ({ socket: { remoteAddress: peer }, headers });

describe('clientAddress', () => {
  const none = createTrustedProxies([]);
  const local = createTrustedProxies(['127.0.0.1', '10.0.0.0/8']);

  it('is the socket peer when no proxy is trusted, whatever the headers say', () => {
    assert.equal(clientAddress(request('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' }), none), '203.0.113.9');
    assert.equal(clientAddress(request('::ffff:127.0.0.1', { forwarded: 'for=1.2.3.4' }), none), '127.0.0.1');
  });

  it('ignores the headers of a peer that is not a trusted proxy', () => {
    assert.equal(clientAddress(request('203.0.113.9', { 'x-forwarded-for': '1.2.3.4' }), local), '203.0.113.9');
  });

  it('takes the rightmost untrusted hop of X-Forwarded-For from a trusted proxy', () => {
    // The client wrote "6.6.6.6" itself; nginx appended the real peer, then a second trusted hop.
    assert.equal(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.1.2.3' }), local), '198.51.100.7');
    assert.equal(clientAddress(request('::ffff:10.0.0.5', { 'x-forwarded-for': '198.51.100.7' }), local), '198.51.100.7');
    assert.equal(clientAddress(request('127.0.0.1', { 'x-forwarded-for': ['6.6.6.6', '198.51.100.8'] }), local), '198.51.100.8');
  });

  it('reads Forwarded for= when there is no X-Forwarded-For, with quotes, brackets and ports', () => {
    assert.equal(clientAddress(request('127.0.0.1', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }), local), '192.0.2.60');
    assert.equal(clientAddress(request('127.0.0.1', { forwarded: 'for="[2001:db8:cafe::17]:4711"' }), local), '2001:db8:cafe::17');
    assert.equal(clientAddress(request('127.0.0.1', { forwarded: 'for="192.0.2.43:47011", for=10.9.9.9' }), local), '192.0.2.43');
  });

  it('prefers X-Forwarded-For over Forwarded', () => {
    assert.equal(clientAddress(request('127.0.0.1', { forwarded: 'for=6.6.6.6', 'x-forwarded-for': '198.51.100.7' }), local), '198.51.100.7');
  });

  it('stops at the last trusted hop when a hop is not an address', () => {
    assert.equal(clientAddress(request('127.0.0.1', { forwarded: 'for=unknown' }), local), '127.0.0.1');
    assert.equal(clientAddress(request('127.0.0.1', { forwarded: 'for=_hidden, for=10.0.0.2' }), local), '10.0.0.2');
    assert.equal(clientAddress(request('127.0.0.1', { 'x-forwarded-for': 'nonsense' }), local), '127.0.0.1');
    assert.equal(clientAddress(request('127.0.0.1', { 'x-forwarded-for': '' }), local), '127.0.0.1');
    assert.equal(clientAddress(request('127.0.0.1'), local), '127.0.0.1');
  });

  it('folds IPv4-mapped IPv6 only when it is one', () => {
    assert.equal(unmapIpv4('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(unmapIpv4('::ffff:abcd'), '::ffff:abcd');
  });

  it('refuses a value that is neither an address nor a CIDR block, naming it', () => {
    for (const value of ['localhost', '10.0.0.0/33', '::/129', '1.2.3.4/', '1.2.3.4/8/1', '10.0.0.0/08']) {
      assert.throws(() => createTrustedProxies([value]), new RegExp(`--trust-proxy .*${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    }
    assert.ok(createTrustedProxies(['fd00::/8']).isTrusted('fd12::1'));
  });
});

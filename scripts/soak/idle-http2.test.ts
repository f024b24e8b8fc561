import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleHttp2 } from './idle-http2.js';
import { profile } from './profile.js';

describe('soak: idle HTTP/2 connections (short profile)', () => {
  it('closes h2c connections with no stream after the headers timeout, never one with a live stream', async () => {
    const result = await idleHttp2(profile('short'));
    assert.deepEqual(result.failures, [], JSON.stringify(result.rows));
  });
});

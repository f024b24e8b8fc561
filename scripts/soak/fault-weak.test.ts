import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapLimit } from './heap-limit.js';
import { profile, type Profile } from './profile.js';
import { slowRedis } from './slow-redis.js';

// A fault scenario that cannot fail proves nothing. Two of them take the server's own flags, so
// each runs once, small, against the real command line weakened in the way the scenario exists to
// catch, and must report that failure. (disk-full, fd-exhaustion and slow-redis also failed
// against the server as it was before their fixes: docs/reliability.md, "Faults below the process".)
const TINY: Profile = { ...profile('short'), slowRedisPublishes: 2, heapSlowClients: 4, heapBurstBytes: 4 * 1024 * 1024 };

describe('fault expectations fail against a weakened server (a tiny profile)', () => {
  it('slow-redis reports late 202s when the publish timeout is longer than Redis is slow', async () => {
    const result = await slowRedis(TINY, ['--publish-timeout', '10000']);
    assert.ok(result.failures.some((f) => /late 202s|past the 1000 ms timeout/.test(f)), JSON.stringify(result.failures));
  });

  it('heap-limit reports slow readers left uncut when their budget is larger than everything published', async () => {
    const result = await heapLimit(TINY, ['--max-pending', String(1024 * 1024 * 1024)]);
    assert.ok(result.failures.some((f) => /0 of 4 slow readers were cut/.test(f)), JSON.stringify(result.failures));
  });
});

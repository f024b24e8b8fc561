import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { descriptorBudget, readOpenFilesLimit, RESERVED_DESCRIPTORS } from './open-files.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            160                  4096                 files
Max locked memory         8388608              8388608              bytes
`;

describe('open files', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    assert.equal(readOpenFilesLimit(LIMITS), 160);
    assert.equal(readOpenFilesLimit(LIMITS.replace('160 ', 'unlimited ')), undefined);
    assert.equal(readOpenFilesLimit(''), undefined);
  });

  it('reads this process’s own limit on Linux', { skip: process.platform === 'linux' ? false : '/proc/self/limits is Linux only' }, () => {
    const limit = readOpenFilesLimit();
    assert.ok(limit !== undefined && limit > 0);
  });

  it('keeps descriptors free of streams, and stops accepting before the kernel does', () => {
    assert.deepEqual(descriptorBudget(1024), { limit: 1024, streams: 1024 - RESERVED_DESCRIPTORS, sockets: 1024 - RESERVED_DESCRIPTORS / 2 });
    assert.equal(descriptorBudget(10).streams, 1);
  });
});

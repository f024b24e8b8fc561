import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStraceSummary, perStream } from './census.js';

// A summary as `strace -c -f` writes it (Linux, strace 6.1), cut short.
const SUMMARY = `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 91.64    0.487484         542       898        40 futex
  1.61    0.008589           4      2000           writev
  0.95    0.005075           0      6000      2000 setsockopt
  0.66    0.003498           0      2012        12 read
  0.42    0.002211           1      2000           getpeername
  0.05    0.000277           6        42           brk
------ ----------- ----------- --------- --------- ----------------
100.00    0.531936          20     12952      2052 total
`;

describe('census', () => {
  const syscalls = parseStraceSummary(SUMMARY);

  it('reads calls and errors per system call, and not the total line', () => {
    assert.deepEqual(syscalls['setsockopt'], { calls: 6000, errors: 2000 });
    assert.deepEqual(syscalls['writev'], { calls: 2000, errors: 0 });
    assert.equal(syscalls['total'], undefined);
    assert.equal(Object.keys(syscalls).length, 6);
  });

  it('divides by the streams opened, leaving memory and thread calls out of the path figure', () => {
    const census = { streams: 2000, syscalls };
    assert.equal(perStream(census, 'setsockopt'), 3);
    assert.equal(perStream(census, 'path'), (2000 + 6000 + 2012 + 2000) / 2000);
    assert.equal(perStream(census, 'failed'), (2000 + 12) / 2000);
    assert.equal(perStream(census, 'all'), 12952 / 2000);
  });
});

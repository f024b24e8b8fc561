import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcStat, parseStatusKb, readOpenFileLimit, sampleProcess } from './proc-stat.js';

describe('parseProcStat', () => {
  it('reads utime + stime and rss counting from the last parenthesis', () => {
    const line =
      '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 11 0 100 1234567 3000 18446744073709551615';
    assert.deepEqual(parseProcStat(line), { cpuTicks: 175, systemTicks: 25, rssPages: 3000 });
  });

  it('refuses text that is not a stat line', () => {
    assert.throws(() => parseProcStat('hello'), TypeError);
  });
});

describe('parseStatusKb', () => {
  it('returns the field in bytes, or undefined when absent', () => {
    const text = 'Name:\tnode\nVmHWM:\t  158000 kB\nVmRSS:\t  120000 kB\n';
    assert.equal(parseStatusKb(text, 'VmHWM'), 158_000 * 1024);
    assert.equal(parseStatusKb(text, 'VmSwap'), undefined);
  });
});

describe('reading a live process', { skip: process.platform !== 'linux' ? 'needs /proc (Linux)' : false }, () => {
  it('samples this process: some CPU spent, some memory resident, a file limit', () => {
    const sample = sampleProcess(process.pid);
    assert.ok(sample.cpuSeconds > 0);
    assert.ok(sample.rssBytes > 1024 * 1024);
    assert.ok((readOpenFileLimit(process.pid) ?? 0) > 0);
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Calls and failed calls of one system call. */
export interface SyscallCount {
  readonly calls: number;
  readonly errors: number;
}

/** What a server's process asked of the kernel while N streams connected. */
export interface Census {
  readonly streams: number;
  readonly syscalls: Readonly<Record<string, SyscallCount>>;
}

const STRACE = '/usr/bin/strace';

/**
 * Calls the V8 heap, its helper threads and the allocator make: they follow garbage collection,
 * not the connect path, and vary from run to run, so the per-stream figure leaves them out.
 */
export const MEMORY_AND_THREAD_CALLS: ReadonlySet<string> = new Set(['futex', 'mmap', 'munmap', 'mprotect', 'madvise', 'brk', 'mremap']);

/** Whether strace is installed here. */
export function canCensus(): boolean {
  return existsSync(STRACE);
}

/**
 * Parses the table `strace -c` prints:
 * `% time  seconds  usecs/call  calls  errors  syscall`, the errors column empty when none failed.
 */
export function parseStraceSummary(text: string): Record<string, SyscallCount> {
  const counts: Record<string, SyscallCount> = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // A data line: four numbers, an optional errors number, then the name.
    if (fields.length < 5 || !/^\d+\.\d+$/.test(fields[0] ?? '') || fields[fields.length - 1] === 'total') continue;
    const name = fields[fields.length - 1] as string;
    const calls = Number(fields[3]);
    const errors = fields.length >= 6 ? Number(fields[4]) : 0;
    if (Number.isInteger(calls) && Number.isInteger(errors)) counts[name] = { calls, errors };
  }
  return counts;
}

/** Per-stream figures of a census: all calls, those of the connect path, and single calls. */
export function perStream(census: Census, pick: 'all' | 'path' | 'failed' | string): number {
  let sum = 0;
  for (const [name, count] of Object.entries(census.syscalls)) {
    if (pick === 'all') sum += count.calls;
    else if (pick === 'path') sum += MEMORY_AND_THREAD_CALLS.has(name) ? 0 : count.calls;
    else if (pick === 'failed') sum += MEMORY_AND_THREAD_CALLS.has(name) ? 0 : count.errors;
    else if (name === pick) sum += count.calls;
  }
  return census.streams === 0 ? Number.NaN : sum / census.streams;
}

/**
 * Counts the system calls of process `pid` (every thread) while `body` runs, with `strace -c -f`.
 * ptrace slows the traced process several times over, so a census is taken on its own, never
 * while timing anything.
 */
export async function traceWhile<T>(pid: number, streams: number, body: () => Promise<T>): Promise<{ census: Census; result: T }> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-census-'));
  const file = join(dir, 'strace.txt');
  const tracer = spawn(STRACE, ['-c', '-f', '-p', String(pid), '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let stderr = '';
    // strace says "attached" on stderr once it holds every thread; calls before that would be missed.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`strace did not attach in 10 s: ${stderr}`)), 10_000);
      tracer.stderr.setEncoding('utf8').on('data', (part: string) => {
        stderr += part;
        if (stderr.includes('attached')) {
          clearTimeout(timer);
          resolve();
        }
      });
      tracer.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`strace exited with ${code}: ${stderr.trim()}`));
      });
    });
    const result = await body();
    const exited = new Promise((resolve) => tracer.once('exit', resolve));
    tracer.kill('SIGINT');
    await exited;
    return { census: { streams, syscalls: parseStraceSummary(readFileSync(file, 'utf8')) }, result };
  } finally {
    if (tracer.exitCode === null && tracer.signalCode === null) tracer.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** CPU ticks and resident memory of one process, from `/proc/<pid>/stat`. */
export interface ProcSample {
  /** User plus system CPU time, in clock ticks. */
  readonly cpuTicks: number;
  /** System (kernel) CPU time alone, in clock ticks. */
  readonly systemTicks: number;
  /** Resident set size in pages. */
  readonly rssPages: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name (field 2) may hold spaces and
 * parentheses, so the fields are counted from the last `)`.
 *
 * @throws TypeError when the text is not a stat line
 */
export function parseProcStat(text: string): ProcSample {
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).trim().split(' ');
  // After the name: state is field 3, utime 14, stime 15, rss 24 (proc(5)), so index = field - 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (close === -1 || !Number.isInteger(utime) || !Number.isInteger(stime) || !Number.isInteger(rss)) {
    throw new TypeError(`Not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { cpuTicks: utime + stime, systemTicks: stime, rssPages: rss };
}

/**
 * Reads one `kB` field (e.g. `VmHWM`, `VmRSS`) of a `/proc/<pid>/status` text.
 *
 * @returns bytes, or undefined when the field is absent
 */
export function parseStatusKb(text: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]) * 1024;
}

let clockTicks: number | undefined;
let pageBytes: number | undefined;

/** Reads a live process's CPU seconds and RSS bytes (Linux only). */
export function sampleProcess(pid: number): {
  readonly cpuSeconds: number;
  readonly systemSeconds: number;
  readonly rssBytes: number;
} {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  pageBytes ??= Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  const sample = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  return { cpuSeconds: sample.cpuTicks / clockTicks, systemSeconds: sample.systemTicks / clockTicks, rssBytes: sample.rssPages * pageBytes };
}

/**
 * Resets the process's peak RSS (`VmHWM`) so the next {@link readPeakRss} covers only what follows.
 *
 * @returns false where the kernel does not allow it
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The process's peak RSS in bytes since start or the last {@link resetPeakRss}. */
export function readPeakRss(pid: number): number | undefined {
  return parseStatusKb(readFileSync(`/proc/${pid}/status`, 'latin1'), 'VmHWM');
}

/** The soft limit on open files of a live process, from `/proc/<pid>/limits`. */
export function readOpenFileLimit(pid: number): number | undefined {
  const match = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'latin1'));
  return match === null ? undefined : Number(match[1]);
}

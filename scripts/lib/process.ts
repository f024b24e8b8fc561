import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { holdsWithin } from './wait.js';

/**
 * When a started process counts as ready:
 * - `line`: a line of its stdout matches (its port: the group named `port`, else the first group
 *   if it is a number, else 0). The default is
 *   `listening <port>`, what every server of the bench, the survey and the soak prints.
 * - `port`: that port on 127.0.0.1 accepts a connection (php -S, thin, nginx bind the port they are
 *   given and print nothing useful);
 * - `message`: an IPC message satisfies it (it returns the port, or undefined to keep waiting);
 * - `spawned`: as soon as it runs (a worker driven over IPC).
 */
export type Ready =
  | { readonly line: RegExp }
  | { readonly port: number }
  | { readonly message: (message: unknown) => number | undefined }
  | { readonly spawned: true };

/** How to start one process. */
export interface StartOptions {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string | undefined;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** @defaultValue `{ line: /^listening (\d+)$/ }` */
  readonly ready?: Ready | undefined;
  /** How long it may take to be ready. @defaultValue 15000 */
  readonly startMs?: number | undefined;
  /** Open an IPC channel (`child.send`, `message` events). */
  readonly ipc?: boolean | undefined;
  /** Where its stdout and stderr go: kept (readable through the handle) or shared with ours. @defaultValue 'pipe' */
  readonly stdout?: 'pipe' | 'inherit' | undefined;
  readonly stderr?: 'pipe' | 'inherit' | undefined;
  /** How long {@link Started.stop} waits after SIGTERM before SIGKILL. @defaultValue 5000 */
  readonly graceMs?: number | undefined;
  /** How much of each stream is kept (the tail). @defaultValue 1 MiB */
  readonly keepChars?: number | undefined;
}

/** A started process, leading a process group of its own. */
export interface Started {
  readonly pid: number;
  /** The port it told (or was given); 0 when its readiness names none. */
  readonly port: number;
  readonly child: ChildProcess;
  /** The stdout line that made it ready, if `ready` was a `line`. */
  readonly readyLine: RegExpExecArray | undefined;
  /** The IPC message that made it ready, if `ready` was a `message`. */
  readonly readyMessage: unknown;
  /** What it printed so far (the kept tail): stdout, stderr, and both as they came. */
  stdout(): string;
  stderr(): string;
  output(): string;
  /** Resolves once the leader is gone. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Whether the leader still runs. */
  isRunning(): boolean;
  /** Whether it exited before {@link Started.stop} or {@link Started.kill} asked it to. */
  hasCrashed(): boolean;
  /**
   * SIGTERM to the whole group, SIGKILL after `graceMs`; resolves with the leader's exit code
   * (null if a signal ended it) once no member of the group is left.
   */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL to the whole group, a crash: no shutdown code runs. Resolves once the leader is gone. */
  kill(): Promise<void>;
  /** The first match of `pattern` in its stdout (or stderr), or undefined after `timeoutMs` or its exit. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray | undefined>;
}

/** Thrown when a process does not become ready. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

const LISTENING = /^listening (\d+)$/;
/** The line `dist/server.js` (the CLI) prints once it accepts connections. */
export const CLI_LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)\//;
const KEEP = 1024 * 1024;

/** A port on 127.0.0.1 that was free a moment ago, for a server that must be told its port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// The groups started and not yet gone: killed if this process exits first (one listener for all,
// however many servers a survey runs at once).
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already, or not ours to kill: nothing more can be done while exiting.
    }
  }
});

/** Signals the group `pid` leads; a group already gone is not an error. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // A negative pid signals the whole group the detached child leads.
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Whether any process of the group `pid` leads is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a process in a new process group (detached), so that stopping it stops every process it
 * started (a shell, a runtime's workers) by the group's id, and nothing else; and waits until it is
 * ready. If this process exits first, the group is killed: no server is left behind a run.
 *
 * @throws {@link StartError} when it cannot start, exits, or is not ready within `startMs` (it is
 *   killed then), with what it printed
 */
export async function startProcess(options: StartOptions): Promise<Started> {
  const ready = options.ready ?? { line: LISTENING };
  if ('line' in ready && options.stdout === 'inherit') throw new TypeError('a ready line is read from stdout: it cannot be inherited');
  const keepChars = options.keepChars ?? KEEP;
  const child = spawn(options.file, [...options.args], {
    cwd: options.cwd,
    env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    stdio: ['ignore', options.stdout ?? 'pipe', options.stderr ?? 'pipe', ...(options.ipc === true ? ['ipc' as const] : [])],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  let isAsked = false;
  const keep = (text: string, part: string): string => (text.length + part.length > keepChars ? (text + part).slice(-keepChars) : text + part);
  child.stdout?.setEncoding('utf8').on('data', (part: string) => {
    stdout = keep(stdout, part);
    output = keep(output, part);
  });
  child.stderr?.setEncoding('utf8').on('data', (part: string) => {
    stderr = keep(stderr, part);
    output = keep(output, part);
  });
  if (child.pid !== undefined) live.add(child.pid);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const untilGroupGone = async (graceMs: number): Promise<void> => {
    const pid = child.pid;
    if (pid === undefined) return;
    // The leader is gone; make sure no member of its group lingers.
    await holdsWithin(() => {
      if (!groupAlive(pid)) return true;
      signalGroup(pid, 'SIGKILL');
      return false;
    }, graceMs + 1000);
  };
  void exited.then(() => live.delete(child.pid as number));

  const handle = (port: number, readyLine: RegExpExecArray | undefined, readyMessage: unknown): Started => ({
    pid: child.pid as number,
    port,
    child,
    readyLine,
    readyMessage,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    exited,
    isRunning,
    hasCrashed: () => !isRunning() && !isAsked,
    async stop(graceMs = options.graceMs ?? 5000) {
      isAsked = true;
      // To the group even when the leader is gone: what it started may still run.
      signalGroup(child.pid, 'SIGTERM');
      if (isRunning()) {
        const force = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(force);
      }
      await untilGroupGone(graceMs);
      return child.exitCode;
    },
    async kill() {
      isAsked = true;
      signalGroup(child.pid, 'SIGKILL');
      await exited;
    },
    async waitForOutput(pattern, timeoutMs = 5000) {
      let match: RegExpExecArray | undefined;
      await holdsWithin(() => (match = pattern.exec(stdout) ?? pattern.exec(stderr) ?? undefined) !== undefined || !isRunning(), timeoutMs);
      return match;
    },
  });

  const startMs = options.startMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let isReady = false;
    const fail = (why: string): void => {
      if (isReady) return;
      isReady = true;
      clearTimeout(timer);
      signalGroup(child.pid, 'SIGKILL');
      reject(new StartError(`${options.file} ${why}. Output:\n${output}`));
    };
    const succeed = (port: number, line?: RegExpExecArray, message?: unknown): void => {
      if (isReady) return;
      isReady = true;
      clearTimeout(timer);
      resolve(handle(port, line, message));
    };
    const what = 'line' in ready ? `no line matching ${String(ready.line)}` : 'port' in ready ? `port ${ready.port} accepted nothing` : 'no ready message';
    const timer = setTimeout(() => fail(`was not ready in ${startMs} ms (${what})`), startMs);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal} before listening`));
    if ('spawned' in ready) child.once('spawn', () => succeed(0));
    else if ('message' in ready) {
      child.on('message', (message) => {
        const port = ready.message(message);
        if (port !== undefined) succeed(port, undefined, message);
      });
    } else if ('line' in ready) {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const match = ready.line.exec(line.trim());
        if (match === null) return;
        const port = Number(match.groups?.['port'] ?? match[1]);
        succeed(Number.isInteger(port) ? port : 0, match);
      });
    } else {
      const port = ready.port;
      // The timer above fails a port that never accepts.
      void holdsWithin(async () => isReady || (await accepts(port)), startMs, 100).then((accepted) => accepted && succeed(port));
    }
  });
}

/** How a process run to its end ended, and what it printed (kept whole unless `keepChars` says). */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether it was killed for running past `timeoutMs`. */
  readonly timedOut: boolean;
}

/**
 * Runs a process to its end (a CLI, a one-shot worker) in a group of its own, the whole group
 * killed if it runs past `timeoutMs`; resolves once its output is read to the end, whatever its
 * exit code. Rejects only when it cannot start.
 */
export async function runToEnd(options: Omit<StartOptions, 'ready' | 'startMs' | 'ipc'> & { readonly timeoutMs?: number }): Promise<Ended> {
  const started = await startProcess({ keepChars: Number.POSITIVE_INFINITY, ...options, ready: { spawned: true } });
  // 'close', not 'exit': the last bytes of its output may still be on their way after the exit.
  const closed = new Promise<void>((resolve) => started.child.once('close', () => resolve()));
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void started.kill();
        }, options.timeoutMs);
  const { code, signal } = await started.exited;
  await closed;
  clearTimeout(timer);
  return { code, signal, stdout: started.stdout(), stderr: started.stderr(), timedOut };
}

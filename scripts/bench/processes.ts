import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LoadReply, LoadRequest } from './load-main.js';

/** How a child is started: pinned to a core where `taskset` exists, with a raised open-files limit. */
export interface ChildOptions {
  /** The core to pin to; undefined leaves it to the scheduler. */
  readonly cpu?: number | undefined;
  /** The soft open-files limit to ask for. */
  readonly openFiles: number;
  /** Extra arguments for node itself (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** The script is an executable of its own (a peer's Go binary), not run with node. */
  readonly isNative?: boolean;
  /** The node binary to run the script with. @defaultValue this process's */
  readonly nodePath?: string | undefined;
}

const TASKSET = '/usr/bin/taskset';

/** Whether children can be pinned to cores here. */
export function canPin(): boolean {
  return existsSync(TASKSET);
}

/**
 * The command that starts `node <script> <args>` (or a native `<script> <args>`) under bash so `ulimit -n` can be raised first (up to the
 * hard limit when a higher one is refused), then `exec`s, keeping the pid and the IPC channel.
 */
export function childCommand(script: string, args: readonly string[], options: ChildOptions): { file: string; args: string[] } {
  const pin = options.cpu !== undefined && canPin() ? [TASKSET, '-c', String(options.cpu)] : [];
  const limit = `ulimit -n ${options.openFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  return {
    file: 'bash',
    args: ['-c', limit, 'bash', ...pin, ...(options.isNative === true ? [] : [options.nodePath ?? process.execPath, ...(options.nodeArgs ?? [])]), script, ...args],
  };
}

/** A server child process, ready to take streams. */
export interface ServerChild {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** Whatever it wrote on stderr. */
  readonly stderr: () => string;
  /** Whether it died before {@link stopServer} asked it to. */
  readonly hasCrashed: () => boolean;
}

// Children that were asked to stop: their exit is not a crash.
const stopping = new WeakSet<ChildProcess>();

/** Starts a server script that prints `listening <port>` when ready. */
export function startServer(script: string, args: readonly string[], options: ChildOptions): Promise<ServerChild> {
  const command = childCommand(script, args, options);
  const child = spawn(command.file, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let hasExited = false;
  child.stderr?.setEncoding('utf8').on('data', (part: string) => (stderr += part));
  return new Promise((resolve, reject) => {
    let isListening = false;
    const timer = setTimeout(() => reject(new Error(`The server did not start in 10 s. stderr: ${stderr}`)), 10_000);
    child.once('exit', (code) => {
      hasExited = true;
      clearTimeout(timer);
      if (!isListening) reject(new Error(`The server exited with ${code} before listening. stderr: ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match === null || isListening) return;
      isListening = true;
      clearTimeout(timer);
      resolve({
        pid: child.pid as number,
        port: Number(match[1]),
        child,
        stderr: () => stderr,
        hasCrashed: () => hasExited && !stopping.has(child),
      });
    });
  });
}

/** Asks a server to stop (SIGTERM), and kills it if it has not exited after `graceMs`. */
export function stopServer(server: ServerChild, graceMs = 5000): Promise<void> {
  stopping.add(server.child);
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.kill('SIGTERM');
  });
}

type RequestBody = LoadRequest extends infer R ? (R extends LoadRequest ? Omit<R, 'id'> : never) : never;

/** A load child process, driven over IPC. */
export interface LoadChild {
  readonly pid: number;
  call(request: RequestBody): Promise<LoadReply>;
  stop(): Promise<void>;
}

/** Starts the load process. */
export function startLoad(script: string, options: ChildOptions): Promise<LoadChild> {
  const command = childCommand(script, [], options);
  const child = spawn(command.file, command.args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (reply: LoadReply) => void>();
  let nextId = 1;
  child.on('message', (reply: LoadReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  child.once('exit', (code) => {
    for (const settle of pending.values()) {
      settle({ id: 0, error: `the load process exited with ${code}`, cpuSeconds: 0, systemSeconds: 0, errors: [], unexpectedCloses: 0 });
    }
    pending.clear();
  });
  const load: LoadChild = {
    pid: child.pid as number,
    call(request) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ ...request, id });
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(load));
    child.once('error', reject);
  });
}

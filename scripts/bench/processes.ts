import { existsSync } from 'node:fs';
import { startProcess, type Started } from '../lib/process.js';
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

/**
 * Starts a server script that prints `listening <port>` when ready, in a process group of its own
 * (`scripts/lib/process.ts`); `stop()` ends it, `hasCrashed()` tells a crash from a stop.
 */
export function startServer(script: string, args: readonly string[], options: ChildOptions): Promise<Started> {
  return startProcess({ ...childCommand(script, args, options), startMs: 10_000 });
}

type RequestBody = LoadRequest extends infer R ? (R extends LoadRequest ? Omit<R, 'id'> : never) : never;

/** A load child process, driven over IPC. */
export interface LoadChild {
  readonly pid: number;
  call(request: RequestBody): Promise<LoadReply>;
  stop(): Promise<void>;
}

/** Starts the load process. */
export async function startLoad(script: string, options: ChildOptions): Promise<LoadChild> {
  const started = await startProcess({ ...childCommand(script, [], options), ipc: true, ready: { spawned: true }, stdout: 'inherit', stderr: 'inherit' });
  const { child } = started;
  const pending = new Map<number, (reply: LoadReply) => void>();
  let nextId = 1;
  child.on('message', (reply: LoadReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  void started.exited.then(({ code }) => {
    for (const settle of pending.values()) {
      settle({ id: 0, error: `the load process exited with ${code}`, cpuSeconds: 0, systemSeconds: 0, errors: [], unexpectedCloses: 0 });
    }
    pending.clear();
  });
  return {
    pid: started.pid,
    call(request) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ ...request, id });
      });
    },
    async stop() {
      // It exits when its channel closes (load-main.ts); the group stop is the bound.
      if (child.connected) child.disconnect();
      await started.stop(3000);
    },
  };
}

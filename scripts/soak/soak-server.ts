import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../lib/process.js';
import { holdsWithin } from '../lib/wait.js';
import type { ServerCommand, ServerMainConfig, ServerStats, Weakness } from './server-main.js';

const MAIN = fileURLToPath(new URL('./server-main.js', import.meta.url));

/** A server under soak, running in a child process. */
export interface SoakServer {
  readonly port: number;
  readonly epoch: string;
  readonly child: ChildProcess;
  /** Sends a command and resolves with the answer. */
  command<T>(command: ServerCommand): Promise<T>;
  stats(gc?: boolean): Promise<ServerStats>;
  /** Polls the stats (after a collection) until `predicate` holds or `timeoutMs` passes; returns the last. */
  settle(predicate: (stats: ServerStats) => boolean, timeoutMs?: number): Promise<ServerStats>;
  /** SIGTERM, then waits for the exit; resolves with the exit code (null if killed by a signal). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, a crash: no shutdown code runs. Resolves once the process is gone. */
  crash(): Promise<void>;
  /** Whatever the child wrote on stderr. */
  readonly stderr: () => string;
}

// Carried by the async context, not a module variable: `weak-server.test.ts` runs its cases side
// by side, each against a server weakened its own way.
const weakness = new AsyncLocalStorage<Weakness>();

/**
 * Runs `work` with every soak server it starts weak in the given way (outside it: as built). For
 * `weak-server.test.ts`, which proves each scenario's expectations can fail.
 */
export function withWeakSoakServers<T>(weak: Weakness, work: () => Promise<T>): Promise<T> {
  return weakness.run(weak, work);
}

/**
 * Starts the server under soak (`server-main.js`) with `--expose-gc`, so its heap can be measured
 * after a collection.
 */
export async function startSoakServer(config: ServerMainConfig): Promise<SoakServer> {
  const weak = weakness.getStore();
  const full: ServerMainConfig = weak === undefined ? config : { ...config, weakness: weak };
  const pending = new Map<number, (body: unknown) => void>();
  let nextId = 1;
  const started = await startProcess({
    file: process.execPath,
    args: ['--expose-gc', MAIN, JSON.stringify(full)],
    ipc: true,
    stdout: 'inherit',
    ready: { message: (message) => ((message as { ready?: boolean }).ready === true ? (message as { port: number }).port : undefined) },
    startMs: 10_000,
    graceMs: 10_000,
  });
  const proc = started.child;
  const stderr = started.stderr;
  proc.on('message', (message: { id?: number; body?: unknown }) => pending.get(message.id as number)?.(message.body));
  const server: SoakServer = {
    port: started.port,
    epoch: (started.readyMessage as { epoch: string }).epoch,
    child: proc,
    stderr,
    command<T>(command: ServerCommand): Promise<T> {
      const id = nextId++;
      return new Promise<T>((done, fail) => {
        // Bounded, and failed at once if the child dies: a soak never hangs on a lost answer.
        const timer = setTimeout(() => settle(new Error(`The soak server did not answer ${command.cmd} in 120 s.`)), 120_000);
        const onExit = (code: number | null): void => settle(new Error(`The soak server exited (${code}) during ${command.cmd}: ${stderr()}`));
        const settle = (error: Error | undefined, body?: unknown): void => {
          clearTimeout(timer);
          proc.off('exit', onExit);
          pending.delete(id);
          if (error === undefined) done(body as T);
          else fail(error);
        };
        proc.once('exit', onExit);
        pending.set(id, (body) => settle(undefined, body));
        proc.send({ ...command, id }, (error) => {
          if (error !== null) settle(error);
        });
      });
    },
    stats: (gc = false) => server.command<ServerStats>({ cmd: 'stats', gc }),
    stop: (timeoutMs) => started.stop(timeoutMs),
    crash: () => started.kill(),
    async settle(predicate, timeoutMs = 3000) {
      // The last stats, whether or not the predicate came to hold.
      let stats: ServerStats | undefined;
      await holdsWithin(async () => predicate((stats = await server.stats(true))), timeoutMs, 50);
      return stats as ServerStats;
    },
  };
  return server;
}

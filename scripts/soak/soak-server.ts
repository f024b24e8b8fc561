import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServerCommand, ServerMainConfig, ServerStats, Weakness } from './server-main.js';

const MAIN = fileURLToPath(new URL('./server-main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../server.js', import.meta.url));

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
export function startSoakServer(config: ServerMainConfig): Promise<SoakServer> {
  const weak = weakness.getStore();
  const full: ServerMainConfig = weak === undefined ? config : { ...config, weakness: weak };
  const child = spawn(process.execPath, ['--expose-gc', MAIN, JSON.stringify(full)], {
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (part: string) => (stderr += part));
  const pending = new Map<number, (body: unknown) => void>();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The soak server did not start in 10 s: ${stderr}`)), 10_000);
    const onEarlyExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`The soak server exited with ${code} before listening: ${stderr}`));
    };
    child.once('exit', onEarlyExit);
    child.on('message', (message: { ready?: boolean; port?: number; epoch?: string; id?: number; body?: unknown }) => {
      if (message.ready === true) {
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        resolve(handle(child, message.port as number, message.epoch as string));
        return;
      }
      pending.get(message.id as number)?.(message.body);
    });
  });

  function handle(proc: ChildProcess, port: number, epoch: string): SoakServer {
    const server: SoakServer = {
      port,
      epoch,
      child: proc,
      stderr: () => stderr,
      command<T>(command: ServerCommand): Promise<T> {
        const id = nextId++;
        return new Promise<T>((done, fail) => {
          // Bounded, and failed at once if the child dies: a soak never hangs on a lost answer.
          const timer = setTimeout(() => settle(new Error(`The soak server did not answer ${command.cmd} in 120 s.`)), 120_000);
          const onExit = (code: number | null): void => settle(new Error(`The soak server exited (${code}) during ${command.cmd}: ${stderr}`));
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
      stop: (timeoutMs = 10_000) => stopChild(proc, timeoutMs),
      crash: () =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGKILL');
        }),
      async settle(predicate, timeoutMs = 3000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const stats = await server.stats(true);
          if (predicate(stats) || Date.now() > deadline) return stats;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    };
    return server;
  }
}

/** The real CLI (`dist/server.js`) as a child: what an operator runs. */
export interface CliServer {
  readonly port: number;
  readonly child: ChildProcess;
  readonly stdout: () => string;
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts `node dist/server.js --port 0 <args>` and waits for its `listening` line. */
export function startCliServer(args: readonly string[]): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // The CLI has no IPC channel to notice its parent is gone: never leave it running behind us.
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (part: string) => (stderr += part));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The server did not start in 10 s: ${stderr}`)), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited with ${code} before listening: ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      stdout += line + '\n';
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ port: Number(match[1]), child, stdout: () => stdout, stop: (timeoutMs = 10_000) => stopChild(child, timeoutMs) });
    });
  });
}

function stopChild(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

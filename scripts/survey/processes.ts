import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * How to start one server. By default it must print `listening <port>` on stdout once it accepts
 * connections; a server that cannot (php -S, thin, nginx: they bind the port they are given) names
 * its `port` instead, and is ready once that port accepts a connection.
 */
export interface ServerCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** How long it may take to be ready. @defaultValue 15000 */
  readonly startMs?: number;
  /** The port it was told to bind on 127.0.0.1 (see {@link freePort}); unset: it prints its port. */
  readonly port?: number;
}

/** A running server, in a process group of its own. */
export interface RunningServer {
  readonly pid: number;
  readonly port: number;
  /** What it wrote on stdout and stderr so far (bounded). */
  readonly output: () => string;
  /** Whether it exited before {@link stopServer} asked it to. */
  readonly hasExited: () => boolean;
  readonly child: ChildProcess;
}

/** Thrown when a server does not start. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

const KEEP = 64 * 1024;

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

/**
 * Starts a server in a new process group (detached), so that stopping it kills every process it
 * started (a shell, a runtime's workers) by the group's id, and nothing else.
 *
 * @throws {@link StartError} when it exits or stays silent past `startMs`
 */
export function startServer(command: ServerCommand): Promise<RunningServer> {
  const child = spawn(command.file, [...command.args], {
    cwd: command.cwd,
    env: { ...process.env, ...command.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let exited = false;
  const keep = (part: string): void => {
    output = (output + part).slice(-KEEP);
  };
  child.stderr?.setEncoding('utf8').on('data', keep);
  return new Promise((resolve, reject) => {
    let isListening = false;
    const fail = (why: string): void => {
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      reject(new StartError(`${command.file} ${why}. Output:\n${output}`));
    };
    const timer = setTimeout(() => fail(`was not ready in ${command.startMs ?? 15_000} ms (${command.port === undefined ? 'no "listening <port>" line' : `port ${command.port} accepted nothing`})`), command.startMs ?? 15_000);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => {
      exited = true;
      if (!isListening) fail(`exited (${code ?? signal}) before listening`);
    });
    const ready = (port: number): void => {
      if (isListening || exited) return;
      isListening = true;
      clearTimeout(timer);
      resolve({ pid: child.pid as number, port, output: () => output, hasExited: () => exited, child });
    };
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      keep(`${line}\n`);
      const match = /^listening (\d+)$/.exec(line.trim());
      if (match !== null && command.port === undefined) ready(Number(match[1]));
    });
    const given = command.port;
    if (given !== undefined) {
      const poll = async (): Promise<void> => {
        while (!isListening && !exited) {
          if (await accepts(given)) ready(given);
          else await new Promise((wait) => setTimeout(wait, 100));
        }
      };
      void poll();
    }
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // A negative pid signals the whole group the detached child leads.
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Whether any process of the group is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a server's whole process group: SIGTERM, then SIGKILL after `graceMs`; resolves when the
 * group is gone (or after the SIGKILL had a second to land).
 */
export async function stopServer(server: RunningServer, graceMs = 3000): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) resolve();
    else server.child.once('exit', () => resolve());
  });
  killGroup(server.child, 'SIGTERM');
  const killer = setTimeout(() => killGroup(server.child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
  // The leader is gone; make sure no member of its group lingers.
  const deadline = performance.now() + graceMs + 1000;
  while (groupAlive(server.pid) && performance.now() < deadline) {
    killGroup(server.child, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { request, Agent } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { CLI_LISTENING, startProcess, type Started } from '../lib/process.js';

const CLI = fileURLToPath(new URL('../../server.js', import.meta.url));

/**
 * The real command line (`dist/server.js`) under a fault: a node flag, a wrapper, a signal. A
 * {@link Started} process (`scripts/lib/process.ts`): `stop()` is SIGTERM then SIGKILL after its
 * bound (10 s) and resolves with the exit code, `kill()` a crash (SIGKILL).
 */
export interface FaultCli extends Started {
  /** The process's peak resident set (VmHWM), in bytes; 0 once it is gone. */
  peakRss(): number;
}

/** How to start the CLI. */
export interface FaultCliOptions {
  /** Flags for node itself, e.g. `--max-old-space-size=48`. */
  readonly nodeArgs?: readonly string[];
  /** A command the server runs under, e.g. `['prlimit', '--nofile=256:256', '--']`. */
  readonly prefix?: readonly string[];
  /** How long to wait for the `listening` line. @defaultValue 15000 */
  readonly startTimeoutMs?: number;
}

/**
 * Starts `node [nodeArgs] dist/server.js --port 0 <args>` (under `prefix`, if any) and waits for
 * its `listening` line. The child is killed if this process exits first. A missing wrapper
 * (prlimit) is a clear failure, never a skip.
 */
export async function startFaultCli(args: readonly string[], options: FaultCliOptions = {}): Promise<FaultCli> {
  const command = [...(options.prefix ?? []), process.execPath, ...(options.nodeArgs ?? []), CLI, '--port', '0', ...args];
  const started = await startProcess({
    file: command[0] as string,
    args: command.slice(1),
    ready: { line: CLI_LISTENING },
    startMs: options.startTimeoutMs,
    graceMs: 10_000,
  });
  return Object.assign(started, {
    peakRss() {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${started.pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? 0 : Number(kb) * 1024;
      } catch {
        return 0;
      }
    },
  });
}

/** One answer to a POST, or the error that stopped it. */
export interface PostResult {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly ms: number;
  readonly error: string | undefined;
}

/** A keep-alive agent for publishers; destroy it when done. */
export function publisherAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/**
 * `POST <path>` with a JSON body; never rejects: a reset or a timeout is recorded as `error`.
 *
 * @param timeoutMs - the whole exchange's bound
 */
export function postJson(
  port: number,
  path: string,
  body: unknown,
  options: { readonly agent?: Agent; readonly headers?: Record<string, string>; readonly timeoutMs?: number; readonly localAddress?: string } = {},
): Promise<PostResult> {
  const started = performance.now();
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    let isDone = false;
    const done = (result: Omit<PostResult, 'ms'>): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      resolve({ ...result, ms: performance.now() - started });
    };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, error: undefined }));
        res.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, body: '', headers: {}, error: error.code ?? error.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, body: '', headers: {}, error: 'timeout' });
    }, options.timeoutMs ?? 10_000);
    req.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, body: '', headers: {}, error: error.code ?? error.message }));
    req.end(text);
  });
}

/** A TCP proxy on loopback that holds every reply (server to client) back by `delayMs`. */
export interface DelayProxy {
  readonly port: number;
  /** The delay applied to bytes read from the target from now on; 0 passes them at once. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * Starts a proxy to `127.0.0.1:targetPort` whose replies are delayed: a slow server, not a dead
 * one. Each chunk keeps its order; requests go through at once.
 */
export function startDelayProxy(targetPort: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const proxy: { delayMs: number } = { delayMs: 0 };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    // Replies leave in order, each no earlier than delayMs after it arrived.
    let chain = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const due = performance.now() + proxy.delayMs;
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            setTimeout(() => {
              if (!client.destroyed) client.write(chunk);
              resolve();
            }, Math.max(0, due - performance.now()));
          }),
      );
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.on('close', () => void chain.then(close));
    client.on('close', close);
    upstream.on('error', close);
    client.on('error', close);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve(
        Object.assign(proxy, {
          port,
          close: () =>
            new Promise<void>((done) => {
              for (const socket of sockets) socket.destroy();
              server.close(() => done());
            }),
        }),
      );
    });
  });
}

/** The sequence number of an `<epoch>-<seq>` id (0 for none). */
export function seqOf(id: string | undefined): number {
  return Number(id?.split('-')[1] ?? 0);
}

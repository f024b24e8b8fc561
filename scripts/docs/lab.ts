import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createSseServer, type SseServer, type SseServerOptions } from 'sse-reference';
import { CLI_LISTENING, startProcess, type Started } from '../lib/process.js';
import { ROOT } from '../paths.js';

/** How long one recorded request may take before the recording fails. */
const REQUEST_TIMEOUT_MS = 3000;

/** The timings every recording starts from: fast, and nothing that fires on its own. */
const RECORDING_OPTIONS: SseServerOptions = {
  port: 0,
  host: '127.0.0.1',
  heartbeatMs: 0,
  retryMs: 3000,
  tickMs: 0,
  recipeIntervalMs: 40,
  shutdownGraceMs: 200,
};

/** Stand-ins for what changes from run to run, so a recording can be compared with the book. */
const EPOCHS = ['3f9a0c1b2d4e', '7c21e05d9b38'];
const RETRIES = [2817, 3194, 2642, 3391, 2955, 3078];
const DATE = 'Mon, 23 Nov 2026 12:00:00 GMT';
const FIRST_TIME = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A server started for a recording, with its printable address. */
export interface LabServer {
  readonly app: SseServer;
  /** What it was started with, beyond the recording timings. */
  readonly options: SseServerOptions;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/** A `node dist/server.js` child process started for a recording. */
export interface SpawnedServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Everything it printed so far. */
  printed(): string;
  /** Sends SIGTERM, waits for the exit, returns everything it printed. */
  stop(): Promise<string>;
}

/** What a recorded request sends. */
export interface LabRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Stop after this many complete blocks of the body (each ends with a blank line); 0: after the head. */
  readonly blocks?: number;
  /** The curl options shown in the transcript, e.g. `-N -i`; with `-i` or `-I` the head is shown. */
  readonly curl: string;
}

/**
 * Starts reference servers for a recording, records requests against them as `curl` would print
 * them, and closes everything at the end whatever happened.
 */
export class Lab {
  readonly #servers: LabServer[] = [];
  readonly #sockets = new Set<{ destroy(): void }>();
  #usedRecipes = false;
  readonly #children = new Set<Started>();
  /** Epochs and origins of spawned servers, in the order they appeared. */
  readonly #epochs: string[] = [];
  readonly #origins: string[] = [];

  /** Starts a reference server with the recording timings plus `options`. */
  async start(options: SseServerOptions = {}): Promise<LabServer> {
    const app = createSseServer({ ...RECORDING_OPTIONS, ...options });
    const { port } = await app.listen();
    const server = { app, options, origin: `http://127.0.0.1:${port}` };
    this.#servers.push(server);
    return server;
  }

  /**
   * Starts `node dist/server.js` with `args` as a child process, as a reader would, and waits for
   * its "listening" line. Its epoch is learnt from the ids it hands out ({@link Lab.learnEpoch}).
   *
   * @returns its origin, what it printed so far, and a stop that sends SIGTERM and waits for exit
   */
  async spawnServer(args: readonly string[]): Promise<SpawnedServer> {
    const child = await startProcess({ file: process.execPath, args: [join(ROOT, 'dist/server.js'), '--host', '127.0.0.1', ...args], ready: { line: CLI_LISTENING }, startMs: 10_000 });
    this.#children.add(child);
    const origin = `http://127.0.0.1:${child.port}`;
    if (!this.#origins.includes(origin)) this.#origins.push(origin);
    return {
      origin,
      port: child.port,
      printed: () => child.output(),
      stop: async () => {
        await child.stop();
        this.#children.delete(child);
        return child.output();
      },
    };
  }

  /** Records an epoch seen in an id, so {@link Lab.normalise} replaces it like the others. */
  learnEpoch(epoch: string): void {
    if (!this.#epochs.includes(epoch)) this.#epochs.push(epoch);
  }

  /** Keeps a socket so {@link Lab.close} destroys it. */
  track(socket: { destroy(): void }): void {
    this.#sockets.add(socket);
  }

  /**
   * Runs `curl` with the flags the transcript shows and returns the transcript: the command line,
   * then exactly what curl printed (the status line and headers with `-i` or `-I`, then the body),
   * up to `blocks` blocks of the body (then `^C`, as if stopped by hand).
   */
  record(url: string, options: LabRequest): Promise<string> {
    if (/(^|\/)(events|time|named)$/.test(new URL(url).pathname)) this.#usedRecipes = true;
    const args = [...options.curl.split(' ')];
    // curl picks the method from its flags: -d makes a POST, -I a HEAD, -X anything else.
    const method = options.method ?? 'GET';
    const implied = options.curl.includes(`-X ${method}`) ? method : /(^| )-I( |$)/.test(options.curl) ? 'HEAD' : options.body !== undefined ? 'POST' : 'GET';
    if (implied !== method) throw new Error(`${url}: curl ${options.curl} would send ${implied}, not ${method}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
    if (options.body !== undefined) args.push('-d', options.body);
    args.push(url);
    const headerFlags = Object.entries(options.headers ?? {}).map(([name, value]) => ` -H '${name}: ${value}'`).join('');
    const bodyFlag = options.body === undefined ? '' : ` -d '${options.body}'`;
    // A query's `?` and `&` mean something to the shell: quote such a URL, as a reader must.
    const shownUrl = /[?&]/.test(url) ? `'${url}'` : url;
    const command = `$ curl ${options.curl}${headerFlags}${bodyFlag} ${shownUrl}`;
    // -i and -I print the head before the body; `-D -` prints it to stdout while -o discards the body.
    const showsHead = /(^| )(-[iI]|-D -)( |$)/.test(options.curl);
    // A curl bounded by --max-time ends by itself: the transcript shows no Ctrl-C.
    const stopsItself = /(^| )--max-time /.test(options.curl);
    return new Promise((resolve, reject) => {
      const curl = spawn('curl', ['--no-progress-meter', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.track({ destroy: () => curl.kill('SIGKILL') });
      let out = '';
      let err = '';
      let isStopped = false;
      const timer = setTimeout(() => {
        curl.kill('SIGKILL');
        reject(new Error(`${command}: no answer within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      /** The head as curl printed it (CRLF line ends), and the body. */
      const split = (): { head: string; body: string } | undefined => {
        if (!showsHead) return { head: '', body: out };
        const end = out.indexOf('\r\n\r\n');
        return end === -1 ? undefined : { head: out.slice(0, end).replaceAll('\r\n', '\n'), body: out.slice(end + 4) };
      };
      const finish = (): void => {
        clearTimeout(timer);
        const parts = split() ?? { head: out.replaceAll('\r\n', '\n'), body: '' };
        let body = parts.body;
        if (isStopped && options.blocks !== undefined) body = body.slice(0, nthBlockEnd(body, options.blocks));
        const text = (showsHead ? [command, parts.head, '', body] : [command, body]).join('\n');
        resolve(isStopped && !stopsItself ? `${text}^C\n` : text.endsWith('\n') ? text : `${text}\n`);
      };
      curl.stdout.setEncoding('utf8');
      curl.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (options.blocks === undefined || isStopped) return;
        const parts = split();
        if (parts !== undefined && nthBlockEnd(parts.body, options.blocks) !== -1) {
          isStopped = true;
          curl.kill('SIGINT');
        }
      });
      curl.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      curl.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run curl (npm test installs it, or tells you how): ${error.message}`));
      });
      curl.on('close', (code) => {
        if (!isStopped && code !== 0) {
          clearTimeout(timer);
          reject(new Error(`${command}: curl exited with ${String(code)}: ${err.trim()}`));
          return;
        }
        finish();
      });
    });
  }

  /**
   * How the servers of this recording were started, as the command a reader would type: the first
   * line of every transcript, so that the reader knows which flags give the same output.
   */
  serverLine(): string {
    if (this.#servers.length === 0) return '';
    const several = this.#servers.length > 1;
    // A hook has no command-line flag: say so, and give the flags of everything else.
    if (this.#servers.some((server) => server.options.authorize !== undefined)) {
      return `# recorded against a server made with createSseServer({ authorize, … }) (library only), its other options as in:\n$ node dist/server.js ${cliFlags(this.#servers[0]?.options ?? {})}\n`;
    }
    const lines = this.#servers.map((server, index) => `$ node dist/server.js ${several ? `--port ${8080 + index} ` : ''}${cliFlags(server.options)}`);
    const interval = this.#usedRecipes ? ' (its recipes every 40 ms instead of every second, so the clock readings are shown a second apart)' : '';
    return `# recorded against ${several ? 'servers' : 'a server'} started as${interval}:\n${lines.join('\n')}\n`;
  }

  /**
   * Replaces what varies between runs: epochs, jittered `retry:` values, dates, clock readings,
   * uptimes and ports. Each kind is numbered in order of appearance, so a transcript stays readable.
   */
  normalise(text: string): string {
    let out = text;
    const epochs = [...this.#servers.map((server) => server.app.broker.epoch).filter((epoch) => epoch !== undefined), ...this.#epochs];
    epochs.forEach((epoch, index) => {
      out = out.replaceAll(epoch, EPOCHS[index] ?? `e${String(index).padStart(11, '0')}`);
    });
    [...this.#servers.map((server) => server.origin), ...this.#origins].forEach((origin, index) => {
      out = out.replaceAll(origin, `http://127.0.0.1:${8080 + index}`);
    });
    let retries = 0;
    out = out.replace(/^retry: \d+$/gm, () => `retry: ${RETRIES[retries++ % RETRIES.length] ?? 3000}`);
    out = out.replace(/^Date: .*$/gm, `Date: ${DATE}`);
    let times = 0;
    out = out.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, () => new Date(FIRST_TIME + 1000 * times++).toISOString());
    return out.replace(/"uptimeSeconds":\d+/g, '"uptimeSeconds":42');
  }

  /** Destroys every tracked socket and closes every server. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all([...this.#children].map((child) => child.kill()));
    await Promise.all(this.#servers.map((server) => server.app.close()));
  }
}

/** The index just past the `count`-th blank-line-terminated block, or -1. */
function nthBlockEnd(body: string, count: number): number {
  let from = 0;
  for (let n = 0; n < count; n++) {
    const end = body.indexOf('\n\n', from);
    if (end === -1) return -1;
    from = end + 2;
  }
  return from;
}

/**
 * The command-line flags that start a server like one of the recording's. The recording timings
 * turn heartbeats and the ticker off; everything else is the default unless the scenario says.
 */
export function cliFlags(options: SseServerOptions): string {
  const all = { ...RECORDING_OPTIONS, ...options };
  const flags: string[] = [];
  flags.push(`--heartbeat ${all.heartbeatMs ?? 15000}`);
  if (all.tickMs !== undefined && all.tickMs !== 1000) flags.push(`--tick ${all.tickMs}`);
  if (all.retryMs !== undefined && all.retryMs !== 3000) flags.push(`--retry ${all.retryMs}`);
  if (all.maxConnections !== undefined) flags.push(`--max-connections ${all.maxConnections}`);
  if (all.maxPendingBytes !== undefined) flags.push(`--max-pending ${all.maxPendingBytes}`);
  if (all.publishLocal === true) flags.push('--publish-local');
  for (const origin of all.corsOrigins ?? []) flags.push(`--cors-origin ${origin}`);
  if (all.historyFile !== undefined) flags.push('--history-file feed.log');
  if (all.redisUrl !== undefined) flags.push('--redis redis://127.0.0.1:6379/0');
  return flags.join(' ');
}

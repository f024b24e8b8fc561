import { request, type IncomingMessage } from 'node:http';
import { createSseServer, type SseServer, type SseServerOptions } from 'sse-reference';

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
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/** What a recorded request sends. */
export interface LabRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Stop after this many complete blocks of the body (each ends with a blank line). */
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

  /** Starts a reference server with the recording timings plus `options`. */
  async start(options: SseServerOptions = {}): Promise<LabServer> {
    const app = createSseServer({ ...RECORDING_OPTIONS, ...options });
    const { port } = await app.listen();
    const server = { app, origin: `http://127.0.0.1:${port}` };
    this.#servers.push(server);
    return server;
  }

  /** Keeps a socket so {@link Lab.close} destroys it. */
  track(socket: { destroy(): void }): void {
    this.#sockets.add(socket);
  }

  /**
   * Sends one request and returns the transcript: the curl command line, the status line, the
   * headers as received, and the body up to `blocks` blocks (then `^C`, as if stopped by hand).
   */
  record(url: string, options: LabRequest): Promise<string> {
    const headerFlags = Object.entries(options.headers ?? {}).map(([name, value]) => ` -H '${name}: ${value}'`).join('');
    const bodyFlag = options.body === undefined ? '' : ` -d '${options.body}'`;
    // A query's `?` and `&` mean something to the shell: quote such a URL, as a reader must.
    const shownUrl = /[?&]/.test(url) ? `'${url}'` : url;
    const command = `$ curl ${options.curl}${headerFlags}${bodyFlag} ${shownUrl}`;
    return new Promise((resolve, reject) => {
      // curl asks to keep the connection open; Node's agent-less default would ask to close it.
      const headers = { connection: 'keep-alive', ...options.headers };
      const req = request(url, { method: options.method ?? 'GET', headers, agent: false });
      this.track(req);
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`${command}: no answer within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.on('response', (res) => {
        const head = describeHead(res);
        let body = '';
        const finish = (stopped: boolean): void => {
          clearTimeout(timer);
          req.destroy();
          const shown = /(^| )-[iI]( |$)/.test(options.curl) ? [command, head, '', body] : [command, body];
          const text = shown.join('\n');
          resolve(stopped ? `${text}^C\n` : text.endsWith('\n') ? text : `${text}\n`);
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (options.blocks === undefined) return;
          const cut = nthBlockEnd(body, options.blocks);
          if (cut !== -1) {
            body = body.slice(0, cut);
            finish(true);
          }
        });
        res.on('end', () => finish(false));
        // Destroying the request after the cut aborts the response: expected, not a failure.
        res.on('error', () => {});
      });
      req.end(options.body);
    });
  }

  /**
   * Replaces what varies between runs: epochs, jittered `retry:` values, dates, clock readings,
   * uptimes and ports. Each kind is numbered in order of appearance, so a transcript stays readable.
   */
  normalise(text: string): string {
    let out = text;
    this.#servers.forEach((server, index) => {
      const { epoch } = server.app.broker;
      if (epoch !== undefined) out = out.replaceAll(epoch, EPOCHS[index] ?? `e${String(index).padStart(11, '0')}`);
      out = out.replaceAll(server.origin, `http://127.0.0.1:${8080 + index}`);
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
    await Promise.all(this.#servers.map((server) => server.app.close()));
  }
}

/** Waits until `predicate` holds, polling; rejects after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function describeHead(res: IncomingMessage): string {
  const lines = [`HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return lines.join('\n');
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

#!/usr/bin/env node
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT } from '../paths.js';
import { packCopy } from '../pack/pack.js';

// `npm run examples`: each example in docs/examples/ (Express 5, Fastify 5, Hono on
// @hono/node-server) runs from a scratch project outside the repository, with the frameworks and
// this package's tarball installed there, against a real client: events arrive, a reconnect
// resumes exactly, and SIGTERM ends every stream with a retry hint and stops the process.

const run = promisify(execFile);
const EXAMPLES = [
  { name: 'Express 5', file: 'express.mjs', packages: ['express@5'] },
  { name: 'Fastify 5', file: 'fastify.mjs', packages: ['fastify@5'] },
  { name: 'Hono (@hono/node-server)', file: 'hono.mjs', packages: ['hono@4', '@hono/node-server@1'] },
] as const;

interface ClientModule {
  SseClient: new (url: string, options: Record<string, unknown>) => {
    on(type: string, listener: (message: { data: string; id: string }) => void): () => void;
    onError(listener: (failure: { message: string }) => void): () => void;
    close(): void;
  };
}

interface Outcome {
  readonly name: string;
  readonly lines: number;
  readonly events: number;
  readonly resumed: string;
  readonly shutdown: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(undefined));
  });
}

async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Collects `count` tick events from a new client, then closes it. */
async function ticks(client: ClientModule, url: string, count: number, lastEventId?: string): Promise<{ data: string; id: string }[]> {
  const got: { data: string; id: string }[] = [];
  const source = new client.SseClient(url, { transport: 'fetch', ...(lastEventId === undefined ? {} : { lastEventId }) });
  source.on('tick', (message) => got.push(message));
  source.on('reset', () => got.push({ data: 'reset', id: '' }));
  try {
    return await until(`${count} ticks from ${url}`, () => (got.length >= count ? got.slice(0, count) : undefined));
  } finally {
    source.close();
  }
}

const seqOf = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1));

async function check(project: string, client: ClientModule, example: (typeof EXAMPLES)[number]): Promise<Outcome> {
  const source = await readFile(join(ROOT, 'docs/examples', example.file), 'utf8');
  const lines = source.split('\n').filter((line) => line !== '' && !line.includes('#region') && !line.includes('#endregion')).length;
  await copyFile(join(ROOT, 'docs/examples', example.file), join(project, example.file));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [example.file], { cwd: project, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = `http://127.0.0.1:${port}/feed`;
    await until('the example to listen', () => canConnect(port));
    const first = await ticks(client, url, 3);
    for (const tick of first) {
      if (typeof (JSON.parse(tick.data) as { at?: unknown }).at !== 'number') throw new Error(`tick data is not the published object: ${tick.data}`);
    }
    // Resume from the first tick: the next two must be the very next ones, from the replay.
    const from = first[0] as { id: string };
    const resumed = await ticks(client, url, 2, from.id);
    const exact = resumed.map((tick) => seqOf(tick.id)).join(',') === `${seqOf(from.id) + 1},${seqOf(from.id) + 2}`;
    if (!exact) throw new Error(`resume from ${from.id} gave ${resumed.map((tick) => tick.id).join(', ')}`);
    // Shutdown: an open stream ends (the client hears it), and the process stops by itself.
    const ended: string[] = [];
    const open = new client.SseClient(url, { transport: 'fetch', retryMs: 60_000 });
    open.onError((failure) => ended.push(failure.message));
    await ticks(client, url, 1);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000))]);
    await until('the open stream to end', () => (ended.length > 0 ? true : undefined), 5000);
    open.close();
    return { name: example.name, lines, events: first.length, resumed: `exact (after ${from.id})`, shutdown: code === 'hung' ? 'process hung' : `streams ended, exit ${code}` };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const scratch = await mkdtemp(join(tmpdir(), 'sse-frameworks-'));
try {
  const packed = await packCopy(scratch);
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'frameworks-scratch', private: true, type: 'module' }));
  process.stdout.write(`installing ${EXAMPLES.flatMap((e) => e.packages).join(', ')} and ${packed.tarball} into ${scratch}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', ...EXAMPLES.flatMap((e) => e.packages), packed.tarball], { cwd: scratch });
  const versions = await Promise.all(
    EXAMPLES.flatMap((e) => e.packages).map(async (spec) => {
      const name = spec.slice(0, spec.lastIndexOf('@'));
      const manifest = JSON.parse(await readFile(join(scratch, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      return `${name} ${manifest.version}`;
    }),
  );
  process.stdout.write(`installed: ${versions.join(', ')}; Node ${process.versions.node}\n`);
  const client = (await import(pathToFileURL(join(scratch, 'node_modules/sse-reference/dist/client/index.js')).href)) as ClientModule;
  const outcomes: Outcome[] = [];
  let failed = 0;
  for (const example of EXAMPLES) {
    try {
      outcomes.push(await check(scratch, client, example));
    } catch (error) {
      failed++;
      process.stdout.write(`${example.name}: FAILED: ${(error as Error).message}\n`);
    }
  }
  process.stdout.write('\nframework | lines | ticks | resume | SIGTERM\n--- | --- | --- | --- | ---\n');
  for (const o of outcomes) process.stdout.write(`${o.name} | ${o.lines} | ${o.events} | ${o.resumed} | ${o.shutdown}\n`);
  process.exitCode = failed > 0 || outcomes.some((o) => o.shutdown !== 'streams ended, exit 0') ? 1 : 0;
} finally {
  await rm(scratch, { recursive: true, force: true });
}

#!/usr/bin/env node
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventually } from 'sse-reference/testing';
import { EXAMPLES, installExamples, linesOf, startExample, type Example } from './project.js';

// `npm run examples`: each app of docs/frameworks.md (node:http, Express 5, Fastify 5, Hono on
// @hono/node-server, Bun, Deno, workerd) runs from a scratch project outside the repository, with its framework and
// this package's tarball installed there, against a real client: published events arrive, a
// reconnect with Last-Event-ID resumes exactly, a refused publish is its SseError's status with
// JSON (no stack trace), and SIGTERM ends every stream with a retry hint and stops the process
// (workerd, which gives a Worker no signal, drains instead: see the Example's `sigterm`).

interface ClientModule {
  SseClient: new (url: string, options: Record<string, unknown>) => {
    on(type: string, listener: (message: { data: string; id: string }) => void): () => void;
    onOpen(listener: () => void): () => void;
    onError(listener: (failure: { message: string }) => void): () => void;
    close(): void;
  };
}

interface Outcome {
  readonly name: string;
  readonly lines: number;
  readonly events: number;
  readonly resumed: string;
  readonly refused: string;
  readonly shutdown: string;
}

/** POSTs one event to the example's /publish; resolves with the status and the body. */
async function post(origin: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${origin}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

/** Opens a client, publishes `data` once it is open, and collects `count` notes (the replay's and the new ones). */
async function notes(client: ClientModule, origin: string, data: readonly string[], count = data.length, lastEventId?: string): Promise<{ data: string; id: string }[]> {
  const got: { data: string; id: string }[] = [];
  let isOpen = false;
  const source = new client.SseClient(`${origin}/feed`, { transport: 'fetch', ...(lastEventId === undefined ? {} : { lastEventId }) });
  source.onOpen(() => (isOpen = true));
  source.on('note', (message) => got.push(message));
  try {
    await eventually(() => isOpen, 10_000, 'the stream to open', 50);
    for (const item of data) {
      const answer = await post(origin, { event: 'note', data: item });
      if (answer.status !== 202) throw new Error(`publish answered ${answer.status}: ${answer.text}`);
    }
    await eventually(() => got.length >= count, 10_000, `${count} notes`, 50);
    return got;
  } finally {
    source.close();
  }
}

/** The error code of a JSON error body: ours and most apps' `{ error: { code } }`, Fastify's `{ code }`. */
function codeOf(text: string): string | undefined {
  const body = JSON.parse(text) as { code?: string; error?: { code?: string } | string };
  return typeof body.error === 'object' ? body.error.code : body.code;
}

async function check(project: string, client: ClientModule, example: Example): Promise<Outcome> {
  const running = await startExample(project, example);
  try {
    const { origin } = running;
    const first = await notes(client, origin, ['one', 'two', 'three']);
    if (first.map((note) => note.data).join() !== 'one,two,three') throw new Error(`got ${JSON.stringify(first)}`);
    // Resume from the first: the two after it from the replay, then what comes live.
    const from = first[0] as { id: string };
    const resumed = await notes(client, origin, ['four'], 3, from.id);
    if (resumed.map((note) => note.data).join() !== 'two,three,four') throw new Error(`resume from ${from.id} gave ${JSON.stringify(resumed)}`);
    // An event name with a line feed: the framework answers the SseError's status, with JSON.
    const refused = await post(origin, { event: 'a\nb', data: 'x' });
    if (refused.status !== 400 || !refused.text.includes('SSE_ERR_EVENT_HAS_NEWLINE') || /\n\s+at /.test(refused.text)) {
      throw new Error(`a refused publish answered ${refused.status}: ${refused.text.slice(0, 300)}`);
    }
    // Shutdown: an open stream ends (the client hears it), and the process stops by itself.
    const ended: string[] = [];
    const open = new client.SseClient(`${origin}/feed`, { transport: 'fetch', retryMs: 60_000 });
    open.onError((failure) => ended.push(failure.message));
    await notes(client, origin, ['five']);
    running.child.kill('SIGTERM');
    const exit = (ms: number): Promise<number | null | 'hung'> => Promise.race([running.exited.then((exited) => exited.code), new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms))]);
    let shutdown: string;
    if (example.sigterm === 'drain') {
      // workerd drains: the open stream stays (nothing tells the channel), and the process exits
      // once the stream is gone, which the object notices at its next write: the 15 s heartbeat.
      const early = await exit(2000);
      if (early !== 'hung' || ended.length > 0) throw new Error(`SIGTERM did not drain: exit ${String(early)}, stream ${ended.join() || 'open'}`);
      open.close();
      const code = await exit(20_000);
      shutdown = code === 'hung' ? 'process hung' : `drained: stream kept until the client left, exit ${code}`;
    } else {
      const code = await exit(10_000);
      await eventually(() => ended.length > 0, 5000, 'the open stream to end', 50);
      open.close();
      shutdown = code === 'hung' ? 'process hung' : `streams ended, exit ${code}`;
    }
    return {
      name: example.name,
      lines: await linesOf(example),
      events: first.length,
      resumed: `exact (after ${from.id})`,
      refused: `${refused.status} ${codeOf(refused.text)}`,
      shutdown,
    };
  } finally {
    await running.kill();
  }
}

const scratch = await mkdtemp(join(tmpdir(), 'sse-examples-'));
try {
  const versions = await installExamples(scratch);
  process.stdout.write(`installed: ${versions.join(', ')}; Node ${process.versions.node}\n`);
  const client = (await import(pathToFileURL(join(scratch, 'node_modules/sse-reference/dist/client/index.js')).href)) as ClientModule;
  const outcomes: Outcome[] = [];
  let failed = 0;
  // The round trip publishes through /publish: the apps that have one.
  for (const example of EXAMPLES.filter((app) => app.publishes !== false)) {
    try {
      outcomes.push(await check(scratch, client, example));
    } catch (error) {
      failed++;
      process.stdout.write(`${example.name}: FAILED: ${(error as Error).message}\n`);
    }
  }
  process.stdout.write('\nframework | lines | events | resume | refused publish | SIGTERM\n--- | --- | --- | --- | --- | ---\n');
  for (const o of outcomes) process.stdout.write(`${o.name} | ${o.lines} | ${o.events} | ${o.resumed} | ${o.refused} | ${o.shutdown}\n`);
  process.exitCode = failed > 0 || outcomes.some((o) => !o.shutdown.endsWith('exit 0')) ? 1 : 0;
} finally {
  await rm(scratch, { recursive: true, force: true });
}

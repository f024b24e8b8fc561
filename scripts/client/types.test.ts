import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Channel, type SseStream } from 'sse-reference';
import { SseClient, type EventSourceConstructor } from 'sse-reference/client';
import { eventually } from 'sse-reference/testing';
import { ROOT } from '../paths.js';
import { installEventSource } from './eventsource-package.js';

// The client's types as a user's compiler sees them: the files in type-cases/ are compiled in a
// scratch project that has this repository as its `sse-reference` package, once per environment.
// A line ending in `// error TSxxxx` must fail with exactly that error; every other line must compile.

const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const CASES = join(ROOT, 'scripts/client/type-cases');
const EXPECTED = /\/\/ error (TS\d+)$/;
const DIAGNOSTIC = /^([^(\s]+)\((\d+),\d+\): error (TS\d+):/;

/** A user's project: the files it compiles, its `lib` and `types`, and the packages it has besides this one. */
interface Project {
  readonly files: readonly string[];
  readonly lib: readonly string[];
  readonly types: readonly string[];
  readonly packages?: Readonly<Record<string, string>>;
}

/** What each file says must fail, as `file:line TSxxxx`. */
async function expectedErrors(files: readonly string[]): Promise<string[]> {
  const errors: string[] = [];
  for (const file of files) {
    (await readFile(join(CASES, file), 'utf8')).split('\n').forEach((line, index) => {
      const code = EXPECTED.exec(line)?.[1];
      if (code !== undefined) errors.push(`${file}:${index + 1} ${code}`);
    });
  }
  return errors.sort();
}

/** Runs tsc over `project` at full strictness, with every declaration file checked (no skipLibCheck). */
async function compile(project: Project): Promise<{ readonly errors: string[]; readonly output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sse-client-types-'));
  try {
    for (const [name, target] of Object.entries({ 'sse-reference': ROOT, ...project.packages })) {
      const link = join(dir, 'node_modules', name);
      await mkdir(dirname(link), { recursive: true });
      await symlink(target, link, 'dir');
    }
    for (const file of project.files) await cp(join(CASES, file), join(dir, file));
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: false,
      lib: project.lib,
      types: project.types,
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: project.files }));
    // tsc exits non-zero when it reports errors, which some cases must.
    const output = await run(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    const errors = output.split('\n').flatMap((line) => {
      const match = DIAGNOSTIC.exec(line);
      return match === null ? [] : [`${match[1]}:${match[2]} ${match[3]}`];
    });
    return { errors: errors.sort(), output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function assertCompiles(project: Project): Promise<void> {
  const { errors, output } = await compile(project);
  assert.deepEqual(errors, await expectedErrors(project.files), output);
}

describe('the client\'s types, compiled as a user would', { timeout: 120_000 }, () => {
  let modules: string;
  const types = (): string => join(ROOT, 'node_modules/@types');

  before(async () => {
    modules = await installEventSource();
  });

  it('with Node\'s types: interface maps on Channel and SseClient, json() typed as sent, no misspelt event name', async () => {
    await assertCompiles({ files: ['client.ts', 'channel.ts'], lib: ['ES2023'], types: ['node'], packages: { '@types': types() } });
  });

  it('with lib.dom and no Node types: the DOM\'s EventSource is accepted, a WebSocket is not', async () => {
    await assertCompiles({ files: ['client.ts', 'dom.ts'], lib: ['ES2023', 'DOM'], types: [] });
  });

  it('with the eventsource package: its EventSource is accepted', async () => {
    await assertCompiles({
      files: ['client.ts', 'eventsource.ts'],
      lib: ['ES2023'],
      types: ['node'],
      packages: { '@types': types(), eventsource: join(modules, 'eventsource'), 'eventsource-parser': join(modules, 'eventsource-parser') },
    });
  });

  it('and the eventsource package\'s EventSource runs the client: events, the cursor, a reconnect from the last id', async () => {
    const { EventSource } = (await import(pathToFileURL(join(modules, 'eventsource/dist/index.js')).href)) as { EventSource: EventSourceConstructor };
    const channel = new Channel();
    const streams: SseStream[] = [];
    const requests: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      requests.push(req);
      streams.push(channel.attach(req, res, { retryMs: 50 }) as SseStream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new SseClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`, { EventSource });
    try {
      const seen: string[] = [];
      client.on('message', (message) => seen.push(message.data));
      await eventually(() => client.state === 'open', 3000, 'open');
      channel.publish({ data: 'a' });
      await eventually(() => seen.length === 1, 3000, 'the first event');
      const cursor = client.lastEventId;
      (streams.at(-1) as SseStream).end();
      channel.publish({ data: 'b' });
      await eventually(() => seen.length === 2, 3000, 'the event published while away');
      assert.deepEqual(seen, ['a', 'b']);
      assert.equal(requests.at(-1)?.headers['last-event-id'], cursor);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startProcess, type Started } from '../lib/process.js';
import { packCopy } from '../pack/pack.js';
import { ROOT } from '../paths.js';
import { writeWorkerdConfig } from './workerd.js';

// The library's apps of docs/frameworks.md (the README quotes the node:http one), each a whole
// program in docs/examples/, installed as a user would: this package's tarball and the
// framework from npm, in a scratch project outside the repository. `npm run examples` and
// `npm run frameworks` both run them from here.

const run = promisify(execFile);

/** One app of docs/examples/. */
export interface Example {
  readonly name: string;
  readonly file: string;
  readonly packages: readonly string[];
  /** False for an app with no `/publish` route (the README's quick start publishes on a timer). @defaultValue true */
  readonly publishes?: false;
  /** The origin the app allows with CORS, for the suite's CORS rules (`--origin`). @defaultValue none */
  readonly origin?: string;
  /** The runtime that runs the file, installed with the packages (its command, then its arguments). @defaultValue this Node */
  readonly runtime?: readonly [command: string, ...args: string[]];
  /**
   * Writes what the runtime reads beside the file (workerd: its config) and returns the command
   * line that serves the file on `port`, instead of `runtime`. @defaultValue none
   */
  readonly serve?: (project: string, file: string, port: number) => Promise<readonly [command: string, ...args: string[]]>;
  /**
   * What SIGTERM does: the app's handler closes the channel, every stream ends and the process
   * exits (`close`); or the runtime drains (`drain`, workerd: no signal reaches a Worker's code;
   * it stops accepting, keeps the open streams until their clients leave, then exits).
   * @defaultValue 'close'
   */
  readonly sigterm?: 'close' | 'drain';
}

export const EXAMPLES: readonly Example[] = [
  { name: 'quick start (README, node:http)', file: 'quick-start.mjs', packages: [], publishes: false },
  { name: 'node:http', file: 'node.ts', packages: [] },
  { name: 'Express 5', file: 'express.mjs', packages: ['express@5'] },
  { name: 'Fastify 5 (+ @fastify/cors)', file: 'fastify.mjs', packages: ['fastify@5', '@fastify/cors@11'], origin: 'https://app.example' },
  { name: 'Hono (@hono/node-server)', file: 'hono.mjs', packages: ['hono@4', '@hono/node-server@2'] },
  // Bun and Deno from their npm packages, which bring the runtime's binary: Channel.response as is.
  { name: 'Bun', file: 'bun.mjs', packages: ['bun@1'], runtime: ['node_modules/.bin/bun'] },
  { name: 'Deno', file: 'deno.mjs', packages: ['deno@2'], runtime: ['node_modules/.bin/deno', 'run', '--allow-net', '--allow-env', '--allow-read'] },
  // workerd from its npm package: a Worker that sends /feed and /publish to one Durable Object.
  { name: 'workerd (Durable Object)', file: 'workerd.mjs', packages: ['workerd@1'], serve: writeWorkerdConfig, sigterm: 'drain' },
];

// A TypeScript example is compiled as a strict user project would, against the installed package's types.
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
  },
};

/**
 * Packs this package and installs it with every example's framework into `scratch`.
 *
 * @returns what was installed, e.g. `express 5.3.0`
 */
export async function installExamples(scratch: string): Promise<string[]> {
  const packed = await packCopy(scratch);
  const packages = EXAMPLES.flatMap((example) => example.packages);
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'examples-scratch', private: true, type: 'module' }));
  process.stdout.write(`installing ${packages.join(', ')} and ${packed.tarball} into ${scratch}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', ...packages, packed.tarball], { cwd: scratch });
  return Promise.all(
    packages.map(async (spec) => {
      const name = spec.slice(0, spec.lastIndexOf('@'));
      const manifest = JSON.parse(await readFile(join(scratch, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      return `${name} ${manifest.version}`;
    }),
  );
}

/** The example's lines, as docs/frameworks.md counts them: every non-blank one but the region markers. */
export async function linesOf(example: Example): Promise<number> {
  const source = await readFile(join(ROOT, 'docs/examples', example.file), 'utf8');
  return source.split('\n').filter((line) => line.trim() !== '' && !line.includes('#region') && !line.includes('#endregion')).length;
}

/** Copies the example into the project (compiling it when it is TypeScript) and returns the file to run. */
async function prepare(project: string, example: Example): Promise<string> {
  await copyFile(join(ROOT, 'docs/examples', example.file), join(project, example.file));
  if (!example.file.endsWith('.ts')) return example.file;
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, files: [example.file] }));
  await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project }).catch((error: { stdout?: string }) => {
    throw new Error(`${example.file} does not compile:\n${error.stdout ?? String(error)}`);
  });
  return example.file.replace(/\.ts$/, '.js');
}

/** A running example (`stop()` ends its process group; `kill()` is the crash). */
export interface Running extends Started {
  readonly origin: string;
}

/** Starts the example on a free port and resolves once it accepts connections. */
export async function startExample(project: string, example: Example): Promise<Running> {
  const file = await prepare(project, example);
  const port = await freePort();
  const [command, ...args] =
    example.serve !== undefined
      ? await example.serve(project, file, port)
      : [...(example.runtime === undefined ? [process.execPath] : [join(project, example.runtime[0]), ...example.runtime.slice(1)]), file];
  const started = await startProcess({ file: command, args, cwd: project, env: { PORT: String(port) }, ready: { port }, startMs: 10_000, stdout: 'inherit', stderr: 'inherit' });
  return Object.assign(started, { origin: `http://127.0.0.1:${port}` });
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../paths.js';
import { installInScratch, packCopy, type Packed } from './pack.js';

const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

// What a user of each entry point writes first; it must compile under every resolution mode.
const USE = `import { Channel, SseError, type SseEvent } from 'sse-reference';
import { SseClient } from 'sse-reference/client';
import { check } from 'sse-reference/conformance';
import { startServer } from 'sse-reference/testing';

const channel = new Channel();
const { id }: { id: string } = channel.publish({ event: 'price', data: JSON.stringify({ eur: 1.08 }) });
const event: SseEvent = { data: id };
const client = new SseClient<{ price: { eur: number } }>('http://127.0.0.1:1/feed', { transport: 'fetch' });
client.on('price', (message) => message.json().eur.toFixed(2));
client.close();
export const used = [SseError, event, check, startServer];
`;

const ESM = `import { Channel } from 'sse-reference';
import { SseClient } from 'sse-reference/client';
import { check } from 'sse-reference/conformance';
import { startServer } from 'sse-reference/testing';
console.log([Channel, SseClient, check, startServer].map((x) => typeof x).join(' '));
`;

const CJS = `const { Channel } = require('sse-reference');
const { SseClient } = require('sse-reference/client');
console.log(typeof Channel, typeof SseClient);
`;

describe('the published package, packed and installed into a scratch project', { timeout: 240_000 }, () => {
  let destination: string;
  let packed: Packed;
  let project: string;

  before(async () => {
    destination = await mkdtemp(join(tmpdir(), 'sse-pack-out-'));
    packed = await packCopy(destination);
    project = await installInScratch(packed.tarball, { type: 'module' });
    // The package's types name node:http; a user project has @types/node, so this one borrows ours.
    await symlink(join(ROOT, 'node_modules/@types'), join(project, 'node_modules/@types'), 'dir');
    await writeFile(join(project, 'use.ts'), USE);
    await writeFile(join(project, 'esm.js'), ESM);
    await writeFile(join(project, 'cjs.cjs'), CJS);
  });

  after(async () => {
    await rm(destination, { recursive: true, force: true });
    if (project !== undefined) await rm(project, { recursive: true, force: true });
  });

  it('ships the library, the client, the CLIs, their types and the license, and nothing else', async (t) => {
    t.diagnostic(`${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
    for (const path of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/client/index.js', 'dist/server.js', 'dist/conformance/cli.js']) {
      assert.ok(packed.files.includes(path), `${path} is not in the tarball`);
    }
    const stray = packed.files.filter((path) => /\.map$|\.test\.|\.tsbuildinfo$|^dist\/scripts\/|\/fixtures\/|^src\//.test(path));
    assert.deepEqual(stray, []);
    for (const path of packed.files.filter((file) => file.endsWith('.js'))) {
      const text = await readFile(join(project, 'node_modules/sse-reference', path), 'utf8');
      assert.doesNotMatch(text, /sourceMappingURL/, `${path} points at a source map that is not shipped`);
    }
  });

  it('imports every entry point from ESM', async () => {
    const { stdout } = await run(process.execPath, ['esm.js'], { cwd: project });
    assert.equal(stdout.trim(), 'function function function function');
  });

  it('loads from CommonJS on the Node versions engines names (require of an ES module)', async () => {
    const manifest = JSON.parse(await readFile(join(project, 'node_modules/sse-reference/package.json'), 'utf8')) as { engines: { node: string } };
    assert.equal(manifest.engines.node, '^20.19.0 || >=22.12.0');
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project });
    assert.equal(stdout.trim(), 'function function');
  });

  for (const [name, options] of [
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
  ] as const) {
    it(`type-checks under TypeScript's ${name} resolution`, async () => {
      const config = { compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: false }, files: ['use.ts'] };
      await writeFile(join(project, `tsconfig.${name}.json`), JSON.stringify(config));
      const result = await run(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], { cwd: project }).catch((error: { stdout: string }) => error);
      assert.equal(result.stdout, '', result.stdout);
    });
  }

  it('runs the conformance CLI from the installed package', async () => {
    const { stdout } = await run(join(project, 'node_modules/.bin/sse-conformance'), ['--help'], { cwd: project });
    assert.match(stdout, /sse-conformance/);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../paths.js';
import { installInScratch, installJest, packCopy, type Packed } from './pack.js';

const run = promisify(execFile);
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

// What a user of each entry point writes first; it must compile under every resolution mode.
const USE = `import { Channel, SseError, type SseEvent } from 'sse-reference';
import { SseClient } from 'sse-reference/client';
import { check } from 'sse-reference/conformance';
import { startServer } from 'sse-reference/testing';
import { Channel as WebChannel } from 'sse-reference/web';

const channel = new Channel();
const portable: WebChannel = channel;
const { id }: { id: string } = channel.publish({ event: 'price', data: JSON.stringify({ eur: 1.08 }) });
const event: SseEvent = { data: id };
const client = new SseClient<{ price: { eur: number } }>('http://127.0.0.1:1/feed', { transport: 'fetch' });
client.on('price', (message) => message.json().eur.toFixed(2));
client.close();
export const used = [SseError, event, check, startServer, portable];
`;

const ESM = `import { Channel } from 'sse-reference';
import { SseClient } from 'sse-reference/client';
import { check } from 'sse-reference/conformance';
import { startServer } from 'sse-reference/testing';
import { Channel as WebChannel } from 'sse-reference/web';
console.log([Channel, SseClient, check, startServer, WebChannel].map((x) => typeof x).join(' '));
`;

// CommonJS, as Jest and a TypeScript project compiled to CommonJS load it: every entry point, then
// a Channel streaming to an SseClient over loopback, both from the CommonJS build.
const CJS = `const http = require('node:http');
const { Channel } = require('sse-reference');
const { SseClient } = require('sse-reference/client');
const { check } = require('sse-reference/conformance');
const { startServer } = require('sse-reference/testing');
const { RedisBroker } = require('sse-reference/redis');
const { Channel: WebChannel } = require('sse-reference/web');
console.log([Channel, SseClient, check, startServer, RedisBroker, WebChannel].map((x) => typeof x).join(' '));
// Which build each entry came from: the CommonJS one only, so an SseError is one class, not two.
console.log([...new Set(Object.keys(require.cache).filter((path) => path.includes('sse-reference')).map((path) => path.includes('/dist/cjs/')))].join(' '));
`;

// A Jest test file (CommonJS, as Jest runs by default): a real round trip over loopback.
const JEST = `const http = require('node:http');
const { Channel } = require('sse-reference');
const { SseClient } = require('sse-reference/client');

test('a Channel streams to an SseClient, both required from CommonJS', async () => {
  const channel = new Channel();
  const server = http.createServer((req, res) => channel.attach(req, res, { heartbeat: 0 }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SseClient('http://127.0.0.1:' + server.address().port + '/feed', { transport: 'fetch' });
  try {
    const price = new Promise((resolve) => client.on('price', (message) => resolve(message.json())));
    await new Promise((resolve) => client.onOpen(resolve));
    channel.publish({ event: 'price', data: { eur: 1.08 } });
    expect(await price).toEqual({ eur: 1.08 });
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
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
    assert.equal(stdout.trim(), 'function function function function function');
  });

  it('ships a CommonJS build beside the ES modules, marked as CommonJS', () => {
    for (const path of ['dist/cjs/package.json', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/client/index.js', 'dist/cjs/conformance/index.js', 'dist/cjs/testing/index.js', 'dist/cjs/redis/index.js']) {
      assert.ok(packed.files.includes(path), `${path} is not in the tarball`);
    }
  });

  it('requires every entry point from CommonJS, each from the CommonJS build', async () => {
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project });
    assert.deepEqual(stdout.trim().split('\n'), ['function function function function function function', 'true']);
  });

  it('runs under Jest (installed in the scratch project, not ours): a Channel streams to an SseClient', async (t) => {
    const jest = await installJest();
    await mkdir(join(project, 'jest'));
    await writeFile(join(project, 'jest/package.json'), '{ "type": "commonjs" }\n');
    await writeFile(join(project, 'jest/sse.test.js'), JEST);
    const { stderr } = await run(process.execPath, [jest, '--ci', '--no-watchman', '--rootDir', join(project, 'jest')], { cwd: join(project, 'jest'), timeout: 60_000 });
    t.diagnostic(stderr.trim().split('\n').filter((line) => /^Tests:/.test(line)).join(''));
    assert.match(stderr, /Tests:\s+1 passed, 1 total/);
  });

  for (const [name, options, emit] of [
    ['commonjs (node10 resolution)', { module: 'commonjs' }, true],
    ['node16, from a CommonJS package', { module: 'node16', moduleResolution: 'node16' }, false],
    ['nodenext, from a CommonJS package', { module: 'nodenext', moduleResolution: 'nodenext' }, false],
  ] as const) {
    it(`type-checks a TypeScript project compiled as CommonJS: ${name}`, async () => {
      const dir = join(project, `cts-${options.module}`);
      await mkdir(dir);
      await writeFile(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
      await writeFile(join(dir, 'use.ts'), USE);
      const config = { compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: !emit, outDir: 'out', types: ['node'], skipLibCheck: false }, files: ['use.ts'] };
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(config));
      const result = await run(process.execPath, [TSC, '-p', '.'], { cwd: dir }).catch((error: { stdout: string }) => error);
      assert.equal(result.stdout, '', result.stdout);
      if (emit) {
        // What tsc wrote runs: require() of each entry point, a publish, a client made and closed.
        const compiled = await readFile(join(dir, 'out/use.js'), 'utf8');
        assert.match(compiled, /require\("sse-reference"\)/);
        await run(process.execPath, ['out/use.js'], { cwd: dir, timeout: 20_000 });
      }
    });
  }

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

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../paths.js';

const run = promisify(execFile);

/** What `npm pack --json` says about one tarball. */
export interface Packed {
  /** The tarball's absolute path. */
  readonly tarball: string;
  /** Bytes of the tarball. */
  readonly size: number;
  /** Bytes of its files, unpacked. */
  readonly unpackedSize: number;
  /** Every path in the tarball, relative to the package root. */
  readonly files: readonly string[];
}

// What `npm pack` reads: the manifest, the texts it ships and what `prepack` builds from.
const SOURCES = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'src', 'conformance'];

/**
 * Packs the package as `npm pack` publishes it, `prepack` included, from a copy of the sources in
 * a scratch folder: `prepack` cleans `dist/`, and the repository's own `dist/` is what the running
 * tests are loaded from.
 *
 * @param destination - the folder the tarball is written to
 */
export async function packCopy(destination: string): Promise<Packed> {
  const copy = await mkdtemp(join(tmpdir(), 'sse-pack-src-'));
  try {
    for (const source of SOURCES) await cp(join(ROOT, source), join(copy, source), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: copy, maxBuffer: 16 * 1024 * 1024 });
    // Lifecycle scripts may print before the JSON; the report is the array that ends the output.
    const [report] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    if (report === undefined) throw new Error(`npm pack printed no report: ${stdout.slice(0, 500)}`);
    return {
      tarball: join(destination, report.filename),
      size: report.size,
      unpackedSize: report.unpackedSize,
      files: report.files.map((file) => file.path).sort(),
    };
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/**
 * Installs `tarball` into a new project in a scratch folder (outside the repository), offline: the
 * package has no dependencies. Returns the project's folder.
 *
 * @param manifest - extra fields of the project's package.json (e.g. `type`)
 */
export async function installInScratch(tarball: string, manifest: Record<string, unknown> = {}): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'sse-pack-use-'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, ...manifest }, null, 2));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project });
  return project;
}

/** The Jest a CommonJS user runs the package under, pinned so that two runs test the same code. */
export const JEST_PACKAGE = { name: 'jest', version: '30.5.2' } as const;

/**
 * Installs Jest from npm into a scratch folder outside the repository (never a dependency of this
 * one), once: a folder that has that version already is used as it is (about 15 s the first time).
 *
 * @param dir - the scratch folder @defaultValue `<tmp>/sse-reference-jest`
 * @returns the path of Jest's command-line script
 */
export async function installJest(dir = join(tmpdir(), 'sse-reference-jest')): Promise<string> {
  const bin = join(dir, 'node_modules/jest/bin/jest.js');
  const manifest = join(dir, 'node_modules/jest/package.json');
  if (existsSync(manifest) && (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version === JEST_PACKAGE.version) return bin;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "private": true, "description": "Installed by the tests of sse-reference; safe to delete." }\n');
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `${JEST_PACKAGE.name}@${JEST_PACKAGE.version}`], { cwd: dir, timeout: 180_000 });
  return bin;
}

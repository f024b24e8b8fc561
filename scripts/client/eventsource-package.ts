import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The `eventsource` package the client is proven against, pinned so that two runs test the same code. */
export const EVENTSOURCE_PACKAGE = { name: 'eventsource', version: '5.1.5' } as const;

/**
 * Installs the `eventsource` package from npm into a scratch folder outside the repository (never
 * a dependency of this one), once: a folder that has it already is used as it is.
 *
 * @param dir - the scratch folder @defaultValue `<tmp>/sse-reference-eventsource`
 * @returns the folder's `node_modules`
 */
export async function installEventSource(dir = join(tmpdir(), 'sse-reference-eventsource')): Promise<string> {
  const modules = join(dir, 'node_modules');
  const manifest = join(modules, EVENTSOURCE_PACKAGE.name, 'package.json');
  if (existsSync(manifest) && (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version === EVENTSOURCE_PACKAGE.version) return modules;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "private": true, "description": "Installed by the tests of sse-reference; safe to delete." }\n');
  const spec = `${EVENTSOURCE_PACKAGE.name}@${EVENTSOURCE_PACKAGE.version}`;
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec], { cwd: dir });
  return modules;
}

import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../paths.js';
import { APT_PACKAGES, NPM_PINS, TARGETS, filesOf, fixPlace, mainPlace, type BuildStep, type Cause, type Edit, type Place, type SurveyPaths, type SurveyTarget } from './targets.js';

const run = promisify(execFile);

/** The scratch folder: $SSE_SURVEY_DIR, else <tmp>/sse-survey. Never inside the project. */
export function surveyPaths(env: NodeJS.ProcessEnv = process.env): SurveyPaths {
  const scratch = env['SSE_SURVEY_DIR'] ?? join(tmpdir(), 'sse-survey');
  if (`${scratch}/`.startsWith(ROOT)) throw new Error(`SSE_SURVEY_DIR must be outside the project (${ROOT}), got ${scratch}`);
  return { scratch, npm: join(scratch, 'npm'), bin: join(scratch, 'bin'), sources: join(ROOT, 'scripts', 'survey', 'targets') };
}

/** Writes a line to stderr (the survey's progress). */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function debVersion(name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f', '${db:Status-Abbrev} ${Version}', name]);
    const [status, version] = stdout.trim().split(/\s+/);
    return status === 'ii' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Installs the Debian packages that are missing (apt-get, once), and returns every version. */
export async function ensureApt(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of APT_PACKAGES) {
    const version = await debVersion(name);
    if (version === undefined) missing.push(name);
    else versions[name] = version;
  }
  if (missing.length > 0) {
    say(`apt-get install ${missing.join(' ')}`);
    if (process.getuid?.() !== 0) throw new Error(`missing Debian packages: ${missing.join(' ')} (run as root, or apt-get install them first)`);
    await run('apt-get', ['update'], { maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    for (const name of missing) {
      const version = await debVersion(name);
      if (version === undefined) throw new Error(`apt-get did not install ${name}`);
      versions[name] = version;
    }
  }
  return versions;
}

async function installedVersion(npmDir: string, name: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(npmDir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Installs the pinned npm packages into the scratch folder (only when one is missing or differs). */
export async function ensureNpm(paths: SurveyPaths): Promise<Record<string, string>> {
  await mkdir(paths.npm, { recursive: true });
  const manifest = { name: 'sse-survey-scratch', private: true, description: 'Installed by npm run survey; safe to delete.', dependencies: NPM_PINS };
  await writeFile(join(paths.npm, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const stale: string[] = [];
  for (const [name, version] of Object.entries(NPM_PINS)) {
    if ((await installedVersion(paths.npm, name)) !== version) stale.push(name);
  }
  if (stale.length > 0) {
    say(`npm install (${stale.join(', ')}) into ${paths.npm}`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: paths.npm, maxBuffer: 64 * 1024 * 1024 });
  }
  const versions: Record<string, string> = {};
  for (const name of Object.keys(NPM_PINS)) {
    const version = await installedVersion(paths.npm, name);
    if (version === undefined || version !== NPM_PINS[name]) throw new Error(`${name}: wanted ${NPM_PINS[name]}, found ${version ?? 'nothing'} in ${paths.npm}`);
    versions[name] = version;
  }
  return versions;
}

async function mtime(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

/** Runs a build step unless its output is newer than its input. */
export async function build(step: BuildStep): Promise<void> {
  if ((await mtime(step.output)) > (await mtime(step.input))) return;
  say(`${step.file} ${step.args.join(' ')}`);
  await mkdir(dirname(step.output), { recursive: true });
  await run(step.file, [...step.args], { env: { ...process.env, ...step.env }, maxBuffer: 16 * 1024 * 1024 });
}

/** Copies the Node targets next to the scratch node_modules, and builds the C++, Go and Java ones. */
export async function prepareTargets(paths: SurveyPaths, targets: readonly SurveyTarget[] = TARGETS): Promise<void> {
  await mkdir(paths.bin, { recursive: true });
  for (const target of targets) {
    if (target.language === 'Node') for (const file of filesOf(target)) await copyFile(join(paths.sources, file), join(paths.npm, file));
  }
  const steps = new Map<string, BuildStep>();
  for (const target of targets) {
    const step = target.build?.(mainPlace(target, paths), paths);
    if (step !== undefined) steps.set(step.output, step);
  }
  for (const step of steps.values()) await build(step);
}

/**
 * Applies edits to a file's text. Each `find` must occur exactly once: a fix that no longer
 * matches the target (the source changed) is an error, never a silent no-op.
 * @throws Error naming the edit that matched zero or several times
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of edits) {
    const at = out.indexOf(edit.find);
    if (at < 0 || out.indexOf(edit.find, at + 1) >= 0) throw new Error(`the fix's text ${JSON.stringify(edit.find)} occurs ${at < 0 ? 'nowhere' : 'more than once'}`);
    out = out.slice(0, at) + edit.replace + out.slice(at + edit.find.length);
  }
  return out;
}

/** A copy of the target with one cause's fix applied, built: where it lives. */
export async function prepareFix(target: SurveyTarget, cause: Cause, index: number, paths: SurveyPaths): Promise<Place> {
  const place = fixPlace(target, paths, index);
  await mkdir(place.dir, { recursive: true });
  for (const file of filesOf(target)) {
    const text = await readFile(join(paths.sources, file), 'utf8');
    const edits = (cause.edits ?? []).filter((e) => (e.file ?? target.source) === file);
    await writeFile(join(place.dir, file), applyEdits(text, edits));
  }
  const step = target.build?.(place, paths);
  if (step !== undefined) await build(step);
  return place;
}

/** The tool versions that are not packages: node, g++, go, python, ruby, php, perl, java, nginx. */
export async function toolVersions(): Promise<Record<string, string>> {
  const first = async (file: string, args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run(file, args);
      return (stdout || stderr).split('\n')[0]?.trim() ?? '';
    } catch (error) {
      return `unavailable (${(error as Error).message.split('\n')[0]})`;
    }
  };
  return {
    node: process.version,
    'g++': await first('g++', ['--version']),
    go: await first('go', ['version']),
    python3: await first('/usr/bin/python3', ['--version']),
    ruby: await first('ruby', ['--version']),
    php: await first('php', ['--version']),
    perl: await first('perl', ['-e', 'print "perl $^V"']),
    java: await first('java', ['--version']),
    nginx: await first('nginx', ['-v']),
  };
}

import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

// workerd reads no node_modules: its config (Cap'n Proto text) embeds every module the Worker
// imports, each under the name an import resolves to. `sse-reference/web`'s relative imports
// (`./hub/portable-channel.js`) resolve against that name, so each compiled file of its import
// graph is embedded as `sse-reference/<path under dist>`.

/** The compiled files `dist/web.js` imports, itself first, each once (paths under `dist`). */
export async function webModuleGraph(dist: string): Promise<string[]> {
  const seen = new Set<string>();
  const walk = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(join(dist, file), 'utf8');
    // tsc writes each import and re-export on one statement ending in from '<relative path>'.
    for (const [, spec] of source.matchAll(/\b(?:import|export)\b[^'";]*?\bfrom\s*'(\.[^']+)'/g)) await walk(join(dirname(file), spec as string));
  };
  await walk('web.js');
  return [...seen];
}

/**
 * Writes `workerd.capnp` into `project`: one Worker, the app `file` as its main module, with a
 * Durable Object class `Feed` bound as `FEED` (in-memory storage: the channel keeps no state
 * across a restart anyway), and the installed package's portable entry.
 *
 * @returns the command line that serves it on 127.0.0.1:`port`
 */
export async function writeWorkerdConfig(project: string, file: string, port: number): Promise<[string, ...string[]]> {
  const dist = join(project, 'node_modules/sse-reference/dist');
  const modules = (await webModuleGraph(dist)).map((path) => {
    const name = path === 'web.js' ? 'sse-reference/web' : `sse-reference/${path}`;
    return `    (name = "${name}", esModule = embed "${relative(project, join(dist, path))}"),`;
  });
  // No compatibility flags: the portable entry needs no nodejs_compat.
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "${file}"),
${modules.join('\n')}
  ],
  compatibilityDate = "2024-09-23",
  durableObjectNamespaces = [ (className = "Feed", uniqueKey = "sse-reference-feed") ],
  durableObjectStorage = (inMemory = void),
  bindings = [ (name = "FEED", durableObjectNamespace = "Feed") ],
);
`;
  await writeFile(join(project, 'workerd.capnp'), config);
  return [join(project, 'node_modules/.bin/workerd'), 'serve', 'workerd.capnp'];
}

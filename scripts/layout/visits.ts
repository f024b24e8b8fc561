import { request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSseServer } from 'sse-reference';
import { ROOT } from '../paths.js';

/**
 * Which library files one `GET /feed` with a `Last-Event-ID` runs code in: the measure of how many
 * places a reader must visit to follow a resume (issue 26's "files visited"). The server runs in
 * this process under V8's precise coverage; the counts are reset once start-up and the events
 * published before the request are done, so only the request's own functions remain.
 *
 * Run: `npm run build && node dist/scripts/layout/visits.js [--redis redis://127.0.0.1:6379]`.
 */

/** What one measured request ran. */
export interface Visits {
  /** Library files (under `dist/`, outside `dist/scripts`, `dist/conformance` and `dist/cjs`) with a function that ran, as source paths. */
  readonly files: readonly string[];
  /** How the stream started: the first event's name (`message` for a replay, `reset`…). */
  readonly firstEvent: string;
}

const DIST = fileURLToPath(new URL('../../', import.meta.url));

/** Whether a coverage script URL is a library file of the package. */
export function isLibraryFile(url: string): boolean {
  if (!url.startsWith('file://')) return false;
  const path = relative(DIST, fileURLToPath(url));
  return !path.startsWith('..') && path.endsWith('.js') && !/^(scripts|conformance|cjs)\//.test(path);
}

/**
 * Starts a server (memory history, or Redis at `redisUrl`), publishes three events, then measures
 * one `GET /feed` resuming after the first: from the request to the replay's last byte.
 */
export async function measureFeedVisits(options: { readonly redisUrl?: string | undefined } = {}): Promise<Visits> {
  const app = createSseServer({ port: 0, host: '127.0.0.1', heartbeatMs: 0, ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }) });
  const session = new Session();
  session.connect();
  try {
    const { port } = await app.listen();
    const ids: string[] = [];
    for (const data of ['one', 'two', 'three']) ids.push((await app.broker.publish({ data })).id);
    app.broker.flush();
    // A Redis follower reads its own writes back before a resume can replay them from its window.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    // Taking coverage resets the counts: what the next take reports ran after this point.
    await session.post('Profiler.takePreciseCoverage');
    const firstEvent = await readReplay(port, ids[0] as string, 2);
    const { result } = await session.post('Profiler.takePreciseCoverage');
    // Not stopped: under c8 (NODE_V8_COVERAGE) the process's own coverage must keep running.
    const files = result
      .filter((script) => isLibraryFile(script.url) && script.functions.some((fn) => fn.ranges.some((range) => range.count > 0)))
      .map((script) => relative(ROOT, fileURLToPath(script.url)).replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))
      .sort();
    return { files, firstEvent };
  } finally {
    session.disconnect();
    await app.close();
  }
}

/** Opens `/feed` resuming after `lastEventId`, reads until `events` events arrived, closes; resolves with the first event's name. */
function readReplay(port: number, lastEventId: string, events: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/feed', headers: { 'last-event-id': lastEventId } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        const blocks = text.split('\n\n').filter((block) => /^data:/m.test(block));
        if (blocks.length < events) return;
        req.destroy();
        resolve(/^event: (.*)$/m.exec(blocks[0] as string)?.[1] ?? 'message');
      });
      res.on('error', () => undefined);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no replay within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--redis');
  const redisUrl = at === -1 ? undefined : process.argv[at + 1];
  const visits = await measureFeedVisits({ redisUrl });
  process.stdout.write(`GET /feed with Last-Event-ID (${redisUrl === undefined ? 'memory' : 'redis'}; started with ${visits.firstEvent}): ${visits.files.length} files\n`);
  for (const file of visits.files) process.stdout.write(`  ${file}\n`);
}

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Heartbeat } from 'sse-reference';
import { spawnRedis } from '#internal/testing/spawn-redis.js';
import { eventually, feedChannel } from 'sse-reference/testing';
import { answerRoute } from '../post/answer-stream.js';
import type { Lab, LabServer } from './lab.js';

/** One recorded transcript: a name the chapters refer to, and how to make it. */
export interface Scenario {
  readonly name: string;
  /** Returns the raw transcript; the caller normalises it. */
  run(lab: Lab): Promise<string>;
}

const STREAM = '-N -i';
/** The book publishes with curl from the same machine: publishing is off without this (or a token). */
const LOCAL = { publishLocal: true } as const;
const JSON_TYPE = { 'Content-Type': 'application/json' } as const;

/** Publishes through the HTTP route, as a reader would with curl. */
function publish(lab: Lab, server: Pick<LabServer, 'origin'>, body: string, headers: Record<string, string> = JSON_TYPE): Promise<string> {
  return lab.record(`${server.origin}/publish`, { method: 'POST', headers, body, curl: '-i' });
}

/** `/feed`'s first two blocks after "one", "two" and "three" were published, as curl shows them. */
async function afterThree(lab: Lab, headers: Record<string, string> = {}): Promise<string> {
  const { app, origin } = await lab.start();
  for (const data of ['one', 'two', 'three']) feedChannel(app).publish({ data });
  const note = '# published before (POST /publish): "one", "two", "three"\n';
  return note + (await lab.record(`${origin}/feed`, { curl: STREAM, headers, blocks: 2 }));
}

/** Every transcript the book shows, in chapter order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'basic',
    async run(lab) {
      const { origin } = await lab.start();
      return lab.record(`${origin}/events`, { curl: STREAM, blocks: 4 });
    },
  },
  {
    name: 'time',
    async run(lab) {
      const { origin } = await lab.start();
      return lab.record(`${origin}/time`, { curl: STREAM, blocks: 4 });
    },
  },
  {
    name: 'named',
    async run(lab) {
      const { origin } = await lab.start();
      return lab.record(`${origin}/named`, { curl: STREAM, blocks: 5 });
    },
  },
  {
    name: 'multiline',
    async run(lab) {
      const server = await lab.start(LOCAL);
      const posted = await publish(lab, server, '{"data":"first line\\n second line, indented\\n\\nafter an empty line"}');
      const replay = await lab.record(`${server.origin}/feed`, {
        curl: '-N',
        headers: { 'Last-Event-ID': `${feedChannel(server.app).epoch}-0` },
        blocks: 2,
      });
      return `${posted}\n${replay}`;
    },
  },
  {
    name: 'injection',
    async run(lab) {
      const server = await lab.start(LOCAL);
      return publish(lab, server, '{"event":"note\\nid: 999","data":"hi"}');
    },
  },
  {
    name: 'heartbeat',
    async run(lab) {
      const { origin } = await lab.start({ heartbeatMs: 1000 });
      return lab.record(`${origin}/feed`, { curl: STREAM, blocks: 4 });
    },
  },
  {
    name: 'resume',
    async run(lab) {
      const { app, origin } = await lab.start();
      for (const data of ['one', 'two', 'three']) feedChannel(app).publish({ data });
      const note = '# published before (POST /publish): "one", "two", "three"; "four" while curl listens\n';
      const recording = lab.record(`${origin}/feed`, {
        curl: STREAM,
        headers: { 'Last-Event-ID': `${feedChannel(app).epoch}-1` },
        blocks: 4,
      });
      await eventually(() => feedChannel(app).stats.subscribers === 1, 3000, 'the subscriber');
      feedChannel(app).publish({ data: 'four' });
      return note + (await recording);
    },
  },
  { name: 'reset', run: (lab) => afterThree(lab, { 'Last-Event-ID': '42' }) },
  { name: 'cursor', run: (lab) => afterThree(lab) },
  { name: 'hostile-id', run: (lab) => afterThree(lab, { 'Last-Event-ID': '1e3' }) },
  {
    name: 'refused',
    async run(lab) {
      const { app, origin } = await lab.start({ maxConnections: 1 });
      const first = connect(Number(new URL(origin).port), '127.0.0.1');
      lab.track(first);
      first.write('GET /feed HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await eventually(() => app.metrics().openStreams === 1, 3000, 'the first stream');
      return lab.record(`${origin}/feed`, { curl: STREAM });
    },
  },
  {
    name: 'slow',
    async run(lab) {
      const { app, origin } = await lab.start({ maxPendingBytes: 64 * 1024 });
      const reader = connect(Number(new URL(origin).port), '127.0.0.1');
      lab.track(reader);
      // A client that sends its request and then never reads: the kernel buffers fill, then ours.
      reader.write('GET /feed HTTP/1.1\r\nHost: localhost\r\n\r\n');
      reader.pause();
      await eventually(() => feedChannel(app).stats.subscribers === 1, 3000, 'the slow subscriber');
      const data = 'x'.repeat(32 * 1024);
      await eventually(
        () => {
          feedChannel(app).publish({ data });
          return app.metrics().slowCut['slow'] === 1;
        },
        10_000,
        'the slow client to be cut',
      );
      const metrics = await lab.record(`${origin}/metrics`, { curl: '-s' });
      const kept = metrics.split('\n').filter((line) => line.startsWith('$') || /^sse_(slow|feed)/.test(line));
      return kept.join('\n').replace('/metrics', "/metrics | grep -E '^sse_(slow|feed)'") + '\n';
    },
  },
  {
    name: 'broadcast',
    async run(lab) {
      const server = await lab.start(LOCAL);
      const watching = lab.record(`${server.origin}/feed`, { curl: STREAM, blocks: 4 });
      await eventually(() => feedChannel(server.app).stats.subscribers === 1, 3000, 'the subscriber');
      const first = await publish(lab, server, '{"event":"note","data":"deploy finished"}');
      await publish(lab, server, '{"data":"{\\"build\\":1234}"}');
      return `# terminal 1\n${await watching}\n# terminal 2\n${first}`;
    },
  },
  {
    name: 'publish-errors',
    async run(lab) {
      const server = await lab.start(LOCAL);
      const noType = await publish(lab, server, '{"data":"hi"}', { 'Content-Type': 'text/plain' });
      const withId = await publish(lab, server, '{"id":"7","data":"hi"}');
      return `${noType}\n${withId}`;
    },
  },
  {
    name: 'headers',
    async run(lab) {
      const { origin } = await lab.start();
      return lab.record(`${origin}/feed`, { method: 'HEAD', curl: '-I' });
    },
  },
  {
    name: 'diagnose',
    async run(lab) {
      const { origin } = await lab.start();
      // A GET, as the browser sends it (a HEAD is not compressed by some middleware, and hangs on others).
      return lab.record(`${origin}/feed`, { curl: '-sN -o /dev/null -D - --max-time 3', headers: { 'Accept-Encoding': 'gzip, br' }, blocks: 0 });
    },
  },
  {
    name: 'other-epoch',
    async run(lab) {
      const a = await lab.start();
      const b = await lab.start();
      for (const data of ['one', 'two']) {
        feedChannel(a.app).publish({ data });
        feedChannel(b.app).publish({ data: `${data} (b)` });
      }
      const note = '# published before: "one", "two" to 8080, "one (b)", "two (b)" to 8081\n';
      return note + (await lab.record(`${b.origin}/feed`, { curl: STREAM, headers: { 'Last-Event-ID': `${feedChannel(a.app).epoch}-2` }, blocks: 2 }));
    },
  },
  {
    name: 'redis-resume',
    async run(lab) {
      const redis = await spawnRedis();
      try {
        const a = await lab.start({ redisUrl: redis.url, ...LOCAL });
        const b = await lab.start({ redisUrl: redis.url, ...LOCAL });
        const posts: string[] = [];
        for (const data of ['one', 'two', 'three']) posts.push(await publish(lab, a, JSON.stringify({ data })));
        const first = /"id":"([^"]+)"/.exec(posts[0] ?? '')?.[1] ?? '';
        const resumed = await lab.record(`${b.origin}/feed`, { curl: STREAM, headers: { 'Last-Event-ID': first }, blocks: 3 });
        return fixRedisIds(`# publish on instance A (8080)\n${posts.join('\n')}\n# resume on instance B (8081)\n${resumed}`);
      } finally {
        await redis.stop();
      }
    },
  },
  {
    name: 'redis-reset',
    async run(lab) {
      const redis = await spawnRedis();
      try {
        const server = await lab.start({ redisUrl: redis.url, ...LOCAL });
        const ids: string[] = [];
        for (const data of ['one', 'two', 'three']) ids.push(/"id":"([^"]+)"/.exec(await publish(lab, server, JSON.stringify({ data })))?.[1] ?? '');
        const note = '# published before (POST /publish): "one", "two", "three"; the cursor is from another epoch\n';
        let text = note + (await lab.record(`${server.origin}/feed`, { curl: '-N', headers: { 'Last-Event-ID': '0123456789ab-1795478400000-0' }, blocks: 2 }));
        // The same stand-ins as the transcript above: the epoch kept in Redis, and entry times 250 ms apart.
        const epoch = ids[0]?.split('-')[0] ?? '';
        ids.forEach((id, index) => (text = text.replaceAll(id.slice(epoch.length + 1), `${1795478400000 + 250 * index}-0`)));
        return text.replaceAll(epoch, '9b4e17c2d05a');
      } finally {
        await redis.stop();
      }
    },
  },
  {
    name: 'history-file-restart',
    async run(lab) {
      // Real processes, stopped with SIGTERM and started again: the restart the chapter describes.
      const directory = await mkdtemp(join(tmpdir(), 'sse-docs-'));
      try {
        const flags = ['--tick', '0', '--publish-local', '--history-file', join(directory, 'feed.log')];
        const shown = '$ node dist/server.js --tick 0 --publish-local --history-file feed.log &';
        const before = await lab.spawnServer(['--port', '0', ...flags]);
        const posts = [await publish(lab, before, '{"data":"kept on disk"}'), await publish(lab, before, '{"data":"this one too"}')];
        const id = /"id":"([^"]+)"/.exec(posts[0] ?? '')?.[1] ?? '';
        lab.learnEpoch(id.split('-')[0] ?? '');
        const firstRun = await before.stop();
        const after = await lab.spawnServer(['--port', String(before.port), ...flags]);
        const resumed = await lab.record(`${after.origin}/feed`, { curl: STREAM, headers: { 'Last-Event-ID': id }, blocks: 2 });
        const secondRun = await after.stop();
        const [started, stopped] = [firstRun.split('\n').filter((line) => !line.startsWith('SIGTERM')), firstRun.split('\n').filter((line) => line.startsWith('SIGTERM'))];
        const restarted = secondRun.split('\n').filter((line) => line !== '' && !line.startsWith('SIGTERM'));
        const text = [
          shown,
          ...started.filter((line) => line !== ''),
          posts.join('\n'),
          '$ kill %1                # SIGTERM, as a deploy does',
          ...stopped,
          shown,
          ...restarted,
          resumed,
        ].join('\n');
        return text.replaceAll(`${directory}/`, '');
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'query-resume',
    async run(lab) {
      const { app, origin } = await lab.start();
      for (const data of ['one', 'two', 'three']) feedChannel(app).publish({ data });
      const note = '# published before (POST /publish): "one", "two", "three"\n';
      return note + (await lab.record(`${origin}/feed?lastEventId=${feedChannel(app).epoch}-1`, { curl: STREAM, blocks: 3 }));
    },
  },
  {
    name: 'not-a-stream',
    async run(lab) {
      const { origin } = await lab.start();
      return lab.record(`${origin}/feeds`, { curl: '-i' });
    },
  },
  {
    name: 'unauthorized',
    async run(lab) {
      const sessions = new Set(['alice-7f3e']);
      const { origin } = await lab.start({
        authorize: (req) => {
          const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
          return sid !== undefined && sessions.has(sid) ? true : { status: 401, message: 'Your session has expired.' };
        },
      });
      const note = '# the hook lets in only the session cookie sid=alice-7f3e\n';
      return note + (await lab.record(`${origin}/feed`, { curl: '-i', headers: { Cookie: 'sid=bob-expired' } }));
    },
  },
  {
    name: 'shutdown',
    async run(lab) {
      const { app, origin } = await lab.start();
      const recording = lab.record(`${origin}/feed`, { curl: STREAM });
      await eventually(() => feedChannel(app).stats.subscribers === 1, 3000, 'the subscriber');
      feedChannel(app).publish({ data: 'before the deploy' });
      // SIGTERM does this: every stream gets a jittered retry: hint, then its end.
      const closing = app.close();
      const text = await recording;
      await closing;
      return `# "before the deploy" is published while curl listens, then the server gets SIGTERM\n${text}`;
    },
  },
  {
    name: 'cors-stream',
    async run(lab) {
      const { origin } = await lab.start({ corsOrigins: ['https://app.example'] });
      return lab.record(`${origin}/feed`, { curl: STREAM, headers: { Origin: 'https://app.example' }, blocks: 1 });
    },
  },
  {
    name: 'cors-preflight',
    async run(lab) {
      const { origin } = await lab.start({ corsOrigins: ['https://app.example'] });
      const headers = { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'last-event-id' };
      const allowed = await lab.record(`${origin}/feed`, { method: 'OPTIONS', curl: '-i -X OPTIONS', headers });
      const foreign = await lab.record(`${origin}/feed`, {
        method: 'OPTIONS',
        curl: '-i -X OPTIONS',
        headers: { ...headers, Origin: 'https://evil.example' },
      });
      return `${allowed}\n${foreign}`;
    },
  },
  {
    name: 'post-answer',
    async run(lab) {
      // Not the reference server: the recipe's own route, with a stand-in for the model.
      async function* model(): AsyncIterable<string | { event: string; data: unknown }> {
        for (const word of ['Because ', 'EventSource ', 'cannot ', 'POST.']) yield word;
        yield { event: 'done', data: { words: 4 } };
      }
      const heartbeat = new Heartbeat(15_000);
      const server = createServer(answerRoute(model, heartbeat));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        const headers = { Accept: 'text/event-stream', 'Content-Type': 'application/json' };
        const text = await lab.record(`${origin}/answers`, { method: 'POST', curl: '-N -i', headers, body: '{"question":"why fetch?"}' });
        const note = '# recorded against answerRoute (scripts/post/answer-stream.ts) on node:http, its model a stand-in that yields four words\n';
        return note + text.replaceAll(origin, 'http://127.0.0.1:8080');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  },
];

/**
 * Redis ids hold the epoch kept in Redis and the time of each entry: both change from run to
 * run, so each distinct one is replaced, in order of appearance, by a fixed stand-in.
 */
function fixRedisIds(text: string): string {
  const epochs = new Map<string, string>();
  const entries = new Map<string, string>();
  const entry = (id: string): string => {
    if (!entries.has(id)) entries.set(id, `${1795478400000 + 250 * entries.size}-0`);
    return entries.get(id) as string;
  };
  return text.replace(/\b([0-9a-f]{12})-(\d{13}-\d+)\b|"(head|oldest)":"(\d{13}-\d+)"/g, (whole, epoch?: string, id?: string, field?: string, position?: string) => {
    if (field !== undefined && position !== undefined) return `"${field}":"${entry(position)}"`;
    if (epoch === undefined || id === undefined) return whole;
    if (!epochs.has(epoch)) epochs.set(epoch, ['9b4e17c2d05a', '2d7f6a8e1c43'][epochs.size] ?? epoch);
    return `${epochs.get(epoch) as string}-${entry(id)}`;
  });
}

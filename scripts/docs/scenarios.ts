import { connect } from 'node:net';
import type { Lab, LabServer } from './lab.js';
import { waitUntil } from './lab.js';

/** One recorded transcript: a name the chapters refer to, and how to make it. */
export interface Scenario {
  readonly name: string;
  /** Returns the raw transcript; the caller normalises it. */
  run(lab: Lab): Promise<string>;
}

const STREAM = '-N -i';
const JSON_TYPE = { 'Content-Type': 'application/json' } as const;

/** Publishes through the HTTP route, as a reader would with curl. */
function publish(lab: Lab, server: LabServer, body: string, headers: Record<string, string> = JSON_TYPE): Promise<string> {
  return lab.record(`${server.origin}/publish`, { method: 'POST', headers, body, curl: '-i' });
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
      const server = await lab.start();
      const posted = await publish(lab, server, '{"data":"first line\\n second line, indented\\n\\nafter an empty line"}');
      const replay = await lab.record(`${server.origin}/feed`, {
        curl: '-N',
        headers: { 'Last-Event-ID': `${server.app.channel.epoch}-0` },
        blocks: 2,
      });
      return `${posted}\n${replay}`;
    },
  },
  {
    name: 'injection',
    async run(lab) {
      const server = await lab.start();
      return publish(lab, server, '{"event":"note\\nid: 999","data":"hi"}');
    },
  },
  {
    name: 'heartbeat',
    async run(lab) {
      const { origin } = await lab.start({ heartbeatMs: 100 });
      return lab.record(`${origin}/feed`, { curl: STREAM, blocks: 3 });
    },
  },
  {
    name: 'resume',
    async run(lab) {
      const { app, origin } = await lab.start();
      for (const data of ['one', 'two', 'three']) app.channel.publish({ data });
      const recording = lab.record(`${origin}/feed`, {
        curl: STREAM,
        headers: { 'Last-Event-ID': `${app.channel.epoch}-1` },
        blocks: 4,
      });
      await waitUntil(() => app.channel.stats.subscribers === 1, 'the subscriber');
      app.channel.publish({ data: 'four' });
      return recording;
    },
  },
  {
    name: 'reset',
    async run(lab) {
      const { app, origin } = await lab.start();
      for (const data of ['one', 'two', 'three']) app.channel.publish({ data });
      return lab.record(`${origin}/feed`, { curl: STREAM, headers: { 'Last-Event-ID': '42' }, blocks: 2 });
    },
  },
  {
    name: 'refused',
    async run(lab) {
      const { app, origin } = await lab.start({ maxConnections: 1 });
      const first = connect(Number(new URL(origin).port), '127.0.0.1');
      lab.track(first);
      first.write('GET /feed HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await waitUntil(() => app.openStreams === 1, 'the first stream');
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
      await waitUntil(() => app.channel.stats.subscribers === 1, 'the slow subscriber');
      const data = 'x'.repeat(32 * 1024);
      await waitUntil(
        () => {
          app.channel.publish({ data });
          return app.counters.slowCut['slow'] === 1;
        },
        'the slow client to be cut',
        10_000,
      );
      const metrics = await lab.record(`${origin}/metrics`, { curl: '-s' });
      const kept = metrics.split('\n').filter((line) => line.startsWith('$') || /^sse_(slow|feed)/.test(line));
      return kept.join('\n').replace('/metrics', "/metrics | grep -E '^sse_(slow|feed)'") + '\n';
    },
  },
  {
    name: 'broadcast',
    async run(lab) {
      const server = await lab.start();
      const watching = lab.record(`${server.origin}/feed`, { curl: STREAM, blocks: 3 });
      await waitUntil(() => server.app.channel.stats.subscribers === 1, 'the subscriber');
      const first = await publish(lab, server, '{"event":"note","data":"deploy finished"}');
      await publish(lab, server, '{"data":"{\\"build\\":1234}"}');
      return `# terminal 1\n${await watching}\n# terminal 2\n${first}`;
    },
  },
  {
    name: 'publish-errors',
    async run(lab) {
      const server = await lab.start();
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
    name: 'other-epoch',
    async run(lab) {
      const a = await lab.start();
      const b = await lab.start();
      for (const data of ['one', 'two']) {
        a.app.channel.publish({ data });
        b.app.channel.publish({ data: `${data} (b)` });
      }
      return lab.record(`${b.origin}/feed`, { curl: STREAM, headers: { 'Last-Event-ID': `${a.app.channel.epoch}-2` }, blocks: 2 });
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
];

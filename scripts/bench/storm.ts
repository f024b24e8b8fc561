import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { OPTIONS } from '#internal/options/table.js';
import { runToEnd, startProcess, type Started } from '../lib/process.js';
import { childCommand } from './processes.js';
import { readPeakRss, resetPeakRss, sampleProcess } from './proc-stat.js';
import { section } from '../lib/blocks.js';
import { ARRIVAL_BIN_MS, type StormResult, type WatchResult } from './storm-client.js';
import type { StormRequest } from './storm-main.js';

// `npm run bench -- --storm`: the reconnect storm (a proxy drop, and a restart on
// --history-file) and one sequential publisher at many subscribers, sliced against unsliced.

const SERVER_SCRIPT = fileURLToPath(new URL('../../server.js', import.meta.url));
const STORM_SCRIPT = fileURLToPath(new URL('./storm-main.js', import.meta.url));
const PUBLISHER_SCRIPT = fileURLToPath(new URL('./publisher-main.js', import.meta.url));
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.6.${i + 1}`);
const OPEN_FILES = 65_536;
/** Well above any slice count here: the whole pass in one turn, as before issue 28. */
export const UNSLICED = 1_000_000;
/** The server's own slice. */
export const DEFAULT_SLICE: number = OPTIONS.fanOutSlice.default;
/** The paced rate at which slicing's own CPU cost is compared: one event a pass either way. */
export const PACED_RATE = 10;

/** What one `--storm` run does. */
export interface StormProfile {
  readonly counts: readonly number[];
  readonly reps: number;
  /** Subscribers of the one-publisher phase. */
  readonly publisherStreams: number;
  readonly publisherSeconds: number;
  readonly dataBytes: number;
  /** The `/feed` ticker during the storms, so a cut client has events to catch up on. */
  readonly tickMs: number;
}

export const STORM_PROFILE: StormProfile = { counts: [2000, 10_000], reps: 2, publisherStreams: 10_000, publisherSeconds: 5, dataBytes: 30, tickMs: 200 };

/** Listen-queue overflow counters of the whole machine, from `/proc/net/netstat` (TcpExt). */
export interface ListenCounters {
  readonly overflows: number;
  readonly drops: number;
}

/**
 * Reads `ListenOverflows` and `ListenDrops` from the text of `/proc/net/netstat`, where each
 * group is a line of names followed by a line of values.
 *
 * @throws TypeError when the TcpExt lines or the two fields are missing
 */
export function parseListenCounters(text: string): ListenCounters {
  const lines = text.split('\n').filter((line) => line.startsWith('TcpExt:'));
  const [names, values] = lines.map((line) => line.split(/\s+/).slice(1));
  const field = (name: string): number => {
    const at = names?.indexOf(name) ?? -1;
    const value = at === -1 ? undefined : Number(values?.[at]);
    if (value === undefined || !Number.isFinite(value)) throw new TypeError(`No TcpExt ${name} in /proc/net/netstat.`);
    return value;
  };
  return { overflows: field('ListenOverflows'), drops: field('ListenDrops') };
}

function readListenCounters(): ListenCounters {
  return parseListenCounters(readFileSync('/proc/net/netstat', 'latin1'));
}

/** One storm, as measured. */
export interface StormRow extends StormResult {
  readonly kind: 'proxy drop' | 'restart';
  readonly rep: number;
  readonly serverCpuS: number;
  readonly peakRssBytes: number | undefined;
  readonly listenOverflows: number;
  readonly listenDrops: number;
}

/** One run of the one-publisher phase. */
export interface PublisherRow extends WatchResult {
  /** Each POST waiting for its answer, or paced at {@link PACED_RATE}. */
  readonly mode: 'sequential' | 'paced';
  readonly slice: number;
  readonly rep: number;
  readonly streams: number;
  readonly sent: number;
  readonly perSecond: number;
  readonly answerP99Ms: number;
  readonly serverCpuS: number;
  /** Deliveries counted against sent × streams. */
  readonly completeness: number;
}

function startServer(args: readonly string[]): Promise<Started> {
  const command = childCommand(SERVER_SCRIPT, ['--host', '127.0.0.1', '--heartbeat', '0', '--max-connections', '30000', '--max-per-client', '30000', '--publish-local', ...args], {
    cpu: 0,
    openFiles: OPEN_FILES,
  });
  return startProcess({ ...command, ready: { line: /listening on http:\/\/[^:]+:(\d+)\// }, startMs: 10_000 });
}

type StormCall = StormRequest extends infer R ? (R extends StormRequest ? Omit<R, 'id'> : never) : never;

interface StormChild {
  call<T>(request: StormCall): Promise<T>;
  stop(): void;
}

async function startClients(): Promise<StormChild> {
  const command = childCommand(STORM_SCRIPT, [], { cpu: 1, openFiles: OPEN_FILES });
  const { child } = await startProcess({ ...command, ipc: true, ready: { spawned: true }, stdout: 'inherit', stderr: 'inherit' });
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.on('message', (reply: { id: number; result?: unknown; error?: string; errors: string[] }) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    for (const error of reply.errors) process.stderr.write(`  client: ${error}\n`);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.result as never);
  });
  return {
    call<T>(request: StormCall): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: never) => void, reject });
        child.send({ ...request, id });
      });
    },
    stop() {
      child.disconnect();
    },
  };
}

async function runPublisher(url: string, seconds: number, bytes: number, rate: number): Promise<{ sent: number; refused: number; perSecond: number; answerP99Ms: number }> {
  // On the load's core: the server keeps its own.
  const command = childCommand(PUBLISHER_SCRIPT, [url, String(seconds), String(bytes), String(rate)], { cpu: 1, openFiles: 1024 });
  const ended = await runToEnd({ ...command, stderr: 'inherit' });
  if (ended.code !== 0) throw new Error(`the publisher exited with ${ended.code}`);
  return JSON.parse(ended.stdout) as never;
}

/**
 * One sequential publisher at `streams` subscribers, with the fan-out in slices of `slice`, then,
 * on the same streams, a publisher paced at {@link PACED_RATE}: one event a pass, sliced or not,
 * so the CPU difference is the slicing's own.
 */
export async function measurePublisher(profile: StormProfile, slice: number, rep: number, log: (line: string) => void): Promise<PublisherRow[]> {
  const server = await startServer(['--port', '0', '--tick', '0', '--fan-out-slice', String(slice)]);
  const clients = await startClients();
  const rows: PublisherRow[] = [];
  try {
    await clients.call({ type: 'init', options: { host: '127.0.0.1', port: server.port, path: '/feed', localAddresses: LOCAL_ADDRESSES, sampleEvery: 20, checkEvery: 20 } });
    const opened = await clients.call<number>({ type: 'open', count: profile.publisherStreams, concurrency: 100 });
    for (const mode of ['sequential', 'paced'] as const) {
      log(`  ${opened} streams open; ${mode} publisher for ${profile.publisherSeconds} s (fan-out slice ${slice === UNSLICED ? 'none' : slice})`);
      await sleep(1000);
      await clients.call({ type: 'watch' });
      const before = sampleProcess(server.child.pid as number).cpuSeconds;
      const url = `http://127.0.0.1:${server.port}/publish`;
      const published = await runPublisher(url, profile.publisherSeconds, profile.dataBytes, mode === 'sequential' ? 0 : PACED_RATE);
      // The last events still on their way to the last streams.
      await sleep(1500);
      const serverCpuS = sampleProcess(server.child.pid as number).cpuSeconds - before;
      const watched = await clients.call<WatchResult>({ type: 'watched' });
      rows.push({
        ...watched,
        mode,
        slice,
        rep,
        streams: opened,
        sent: published.sent,
        perSecond: published.perSecond,
        answerP99Ms: published.answerP99Ms,
        serverCpuS,
        completeness: watched.deliveries / (published.sent * opened),
      });
    }
    return rows;
  } finally {
    await clients.call({ type: 'close' }).catch(() => {});
    clients.stop();
    await server.stop(10_000);
  }
}

/** `count` clients cut at once (a proxy drop), then the server restarted on its history file. */
export async function measureStorms(profile: StormProfile, count: number, rep: number, log: (line: string) => void): Promise<StormRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-storm-'));
  const history = ['--history-file', join(dir, 'feed.log'), '--tick', String(profile.tickMs)];
  let server = await startServer(['--port', '0', ...history]);
  const port = server.port;
  const clients = await startClients();
  const rows: StormRow[] = [];
  try {
    await clients.call({ type: 'init', options: { host: '127.0.0.1', port, path: '/feed', localAddresses: LOCAL_ADDRESSES } });
    const opened = await clients.call<number>({ type: 'open', count, concurrency: 100 });
    if (opened !== count) throw new Error(`only ${opened} of ${count} streams opened`);
    await sleep(1000);
    for (const kind of ['proxy drop', 'restart'] as const) {
      await clients.call({ type: 'arm' });
      const counters = readListenCounters();
      let pid = server.child.pid as number;
      resetPeakRss(pid);
      let cpuBefore = sampleProcess(pid).cpuSeconds;
      if (kind === 'proxy drop') await clients.call({ type: 'drop' });
      else {
        await server.stop(10_000);
        server = await startServer(['--port', String(port), ...history]);
        pid = server.child.pid as number;
        // The restarted process's CPU from its start: the old one's shutdown is not counted.
        cpuBefore = 0;
      }
      const result = await clients.call<StormResult>({ type: 'settle', timeoutMs: 30_000 });
      const after = readListenCounters();
      const row: StormRow = {
        ...result,
        kind,
        rep,
        serverCpuS: sampleProcess(pid).cpuSeconds - cpuBefore,
        peakRssBytes: readPeakRss(pid),
        listenOverflows: after.overflows - counters.overflows,
        listenDrops: after.drops - counters.drops,
      };
      log(`  ${kind}: ${row.caughtUp}/${row.clients} caught up after ${row.allCaughtUpS.toFixed(2)} s (jitter allows ${row.jitterAllowsS.toFixed(2)} s), ${row.gaps} gaps, ${row.duplicates} duplicates, ${row.refused} refused, ${row.listenOverflows} overflows`);
      rows.push(row);
      await sleep(1000);
    }
    return rows;
  } finally {
    await clients.call({ type: 'close' }).catch(() => {});
    clients.stop();
    await server.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const range = (values: readonly number[], digits = 2): string => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  return sorted.length <= 1 ? fmt(mid, digits) : `${fmt(mid, digits)} <sub>${fmt(sorted[0] as number, digits)}–${fmt(sorted.at(-1) as number, digits)}</sub>`;
};
const verdict = (isMet: boolean): string => (isMet ? 'met' : 'MISSED');

/** The `storm` section of docs/benchmarks.md. */
export function renderStormSection(input: {
  readonly storms: readonly StormRow[];
  readonly publishers: readonly PublisherRow[];
  readonly profile: StormProfile;
  readonly finishedAt: string;
  readonly node: string;
  readonly load: string;
  readonly analysis: string;
}): string {
  const { storms, publishers, profile } = input;
  const lines: string[] = ['## One publisher, and the reconnect storm', ''];
  lines.push(`Command: \`npm run bench -- --storm\` · finished ${input.finishedAt} · Node ${input.node} · load average before the run: ${input.load}`, '');
  lines.push(`### One sequential publisher at ${profile.publisherStreams.toLocaleString('en-US')} subscribers`, '');
  lines.push(
    `Each \`POST /publish\` waits for its \`202\` before the next is sent, from a process of its own (on the load's core), for ${profile.publisherSeconds} s; events of ${profile.dataBytes} bytes carry their send time, read on every 20th stream (delivery = publish to read by the client process). The fan-out in slices of ${DEFAULT_SLICE} subscribers a turn (the default) against one unsliced pass (\`--fan-out-slice ${UNSLICED}\`), interleaved, ${profile.reps} repetitions each; medians, the range in small print.`,
    '',
  );
  const slices = [...new Set(publishers.map((row) => row.slice))];
  const name = (slice: number): string => (slice === UNSLICED ? 'one pass' : `slices of ${slice}`);
  const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const perMillion = (rows: readonly PublisherRow[]): number[] => rows.map((row) => (row.serverCpuS / Math.max(1, row.deliveries)) * 1e6);
  lines.push('| fan-out | events/s | answer p99 | delivery p50 | delivery p99 | delivered | server CPU per million deliveries | target |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const slice of slices) {
    const rows = publishers.filter((row) => row.slice === slice && row.mode === 'sequential');
    const perSecond = rows.map((row) => row.perSecond);
    const p99 = rows.map((row) => row.p99Ms);
    const target = slice === DEFAULT_SLICE ? `≥ 1,000 /s: ${verdict(median(perSecond) >= 1000)}; p99 ≤ 100 ms: ${verdict(median(p99) <= 100)}` : '';
    lines.push(
      `| ${name(slice)} | ${range(perSecond, 0)} | ${range(rows.map((row) => row.answerP99Ms), 1)} ms | ${range(rows.map((row) => row.p50Ms), 1)} ms | ${range(p99, 1)} ms | ${range(rows.map((row) => row.completeness * 100), 1)} % | ${range(perMillion(rows), 3)} s | ${target} |`,
    );
  }
  lines.push('', `The slicing's own cost: the same streams, a publisher paced at ${PACED_RATE} events/s, so every pass carries one event, sliced or not.`, '');
  lines.push('| fan-out | delivery p50 | delivery p99 | delivered | server CPU per million deliveries | against one pass |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  const paced = (slice: number): PublisherRow[] => publishers.filter((row) => row.slice === slice && row.mode === 'paced');
  const whole = median(perMillion(paced(UNSLICED)));
  for (const slice of slices) {
    const rows = paced(slice);
    lines.push(
      `| ${name(slice)} | ${range(rows.map((row) => row.p50Ms), 1)} ms | ${range(rows.map((row) => row.p99Ms), 1)} ms | ${range(rows.map((row) => row.completeness * 100), 1)} % | ${range(perMillion(rows), 3)} s | ${fmt(median(perMillion(rows)) / whole)}× |`,
    );
  }
  lines.push('', '### The reconnect storm', '');
  lines.push(
    `Clients on raw sockets behave as EventSource does: each comes back after its last \`retry:\` (jittered ±20 % per connection by the server) with \`Last-Event-ID\`, and after the same delay again if refused. The server runs \`--history-file\` with the ticker every ${profile.tickMs} ms, so a client has events to catch up on. *Proxy drop*: the load process resets every connection at once. *Restart*: SIGTERM (every stream gets the shutdown hint and ends), then a new process on the same port and file. *Caught up*: back with the newest id any client had when it was cut. *Jitter allows*: the latest cut plus that client's \`retry:\`. A client's lateness splits into its own timer's (its first attempt less its allowed arrival: the client process ran late) and the server's (caught up less that attempt: listen queue, SYN retransmits, accept, replay). Listen overflows and drops are the kernel's \`TcpExt\` counters of the whole machine, diffed. Arrivals: connection attempts per ${ARRIVAL_BIN_MS} ms from the first cut. Restart CPU and peak RSS are the new process's, from its start.`,
    '',
  );
  lines.push(
    '| clients | storm | all caught up | jitter allows | late (target ≤ 0.2 s) | late p99 per client: all / the clients\' timers / the server | gaps / duplicates / resets | refused | server CPU | peak RSS | listen overflows / drops | arrivals |',
    '| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |',
  );
  for (const row of storms) {
    const arrivals = row.arrivals.join(' ');
    lines.push(
      `| ${row.caughtUp.toLocaleString('en-US')} / ${row.clients.toLocaleString('en-US')} | ${row.kind} (rep ${row.rep}) | ${fmt(row.allCaughtUpS)} s | ${fmt(row.jitterAllowsS)} s | ${fmt(row.lateS)} s ${verdict(row.lateS <= 0.2 && row.caughtUp === row.clients)} | ${fmt(row.lateP99Ms, 0)} / ${fmt(row.clientLateP99Ms, 0)} / ${fmt(row.serverP99Ms, 0)} ms | ${row.gaps} / ${row.duplicates} / ${row.resets} | ${row.refused} | ${fmt(row.serverCpuS)} s | ${row.peakRssBytes === undefined ? '–' : `${(row.peakRssBytes / 2 ** 20).toFixed(0)} MiB`} | ${row.listenOverflows} / ${row.listenDrops} | ${arrivals} |`,
    );
  }
  if (input.analysis !== '') lines.push('', input.analysis);
  return section('storm', lines.join('\n'));
}

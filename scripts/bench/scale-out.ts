import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spawnRedis, type SpawnedRedis } from '#internal/testing/spawn-redis.js';
import { section } from '../lib/blocks.js';
import { startProcess, type Started } from '../lib/process.js';
import { sampleProcess } from './proc-stat.js';
import { percentile } from '../lib/stats.js';

// The scale-out profile: two reference servers sharing one Redis stream against one in-memory
// server, with the same streams and the same publish rate. Each event carries its send time, so
// the latency measured is publish → Redis → follower → socket → client, as a user sees it.

const SERVER_SCRIPT = fileURLToPath(new URL('../../server.js', import.meta.url));

/** What one scale-out run does. */
export interface ScaleOutProfile {
  /** Open streams in all, spread evenly over the instances. */
  readonly streams: number;
  /** Events published per second, round robin over the instances, through `POST /publish`. */
  readonly rates: readonly number[];
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export const SCALE_OUT_PROFILE: ScaleOutProfile = { streams: 400, rates: [100, 400], warmupSeconds: 1, seconds: 5 };

/** One measured setup at one rate. */
export interface ScaleOutRow {
  readonly setup: 'memory ×1' | 'redis ×2';
  readonly streams: number;
  readonly rate: number;
  readonly published: number;
  readonly refused: number;
  readonly deliveriesPerSecond: number;
  /** Deliveries counted against published × streams: 1 means nothing missed. */
  readonly completeness: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU of the servers (and Redis) per 1,000 deliveries. */
  readonly cpuMsPerThousand: number;
}

interface Instance extends Started {
  readonly base: string;
}

async function startInstance(args: readonly string[]): Promise<Instance> {
  const flags = ['--port', '0', '--tick', '0', '--heartbeat', '0', '--max-connections', '100000', '--max-per-client', '100000', '--publish-local'];
  const started = await startProcess({ file: process.execPath, args: [SERVER_SCRIPT, ...flags, ...args], ready: { line: /listening on (http:\/\/[^/]+)\// } });
  return Object.assign(started, { base: started.readyLine?.[1] as string });
}

function stopInstance(instance: Instance): Promise<unknown> {
  return instance.stop();
}

/** A stream reader that counts events and records each event's latency from its `"t"` field. */
function openReader(base: string, onEvent: (latencyMs: number) => void): Promise<Socket> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let rest = '';
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('connect', () => {
      socket.write(`GET /feed HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
      resolve(socket);
    });
    socket.on('data', (text: string) => {
      const now = performance.now();
      const all = rest + text;
      const cut = all.lastIndexOf('\n\n');
      if (cut === -1) {
        rest = all;
        return;
      }
      rest = all.slice(cut + 2);
      for (const match of all.slice(0, cut).matchAll(/data: \{"t":([0-9.]+)/g)) onEvent(now - Number(match[1]));
    });
  });
}

async function measureSetup(setup: ScaleOutRow['setup'], bases: readonly string[], pids: () => number[], profile: ScaleOutProfile, rate: number): Promise<ScaleOutRow> {
  let isMeasuring = false;
  let delivered = 0;
  const latencies: number[] = [];
  const readers = await Promise.all(
    Array.from({ length: profile.streams }, (_, i) =>
      openReader(bases[i % bases.length] as string, (latency) => {
        if (!isMeasuring) return;
        delivered++;
        latencies.push(latency);
      }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  let published = 0;
  let refused = 0;
  let measuredPublishes = 0;
  let next = 0;
  const perTick = rate / 100;
  let owed = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    owed += perTick;
    for (; owed >= 1; owed--) {
      const base = bases[next++ % bases.length] as string;
      const counted = isMeasuring;
      const body = JSON.stringify({ data: `{"t":${performance.now().toFixed(3)}}` });
      const request = fetch(`${base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status === 202) {
            published++;
            if (counted) measuredPublishes++;
          } else refused++;
        },
        () => {
          refused++;
        },
      );
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, profile.warmupSeconds * 1000));
  const cpuBefore = pids().reduce((sum, pid) => sum + sampleProcess(pid).cpuSeconds, 0);
  isMeasuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, profile.seconds * 1000));
  isMeasuring = false;
  const elapsed = (performance.now() - started) / 1000;
  const cpu = pids().reduce((sum, pid) => sum + sampleProcess(pid).cpuSeconds, 0) - cpuBefore;
  clearInterval(timer);
  await Promise.all(inFlight);
  for (const reader of readers) reader.destroy();
  return {
    setup,
    streams: profile.streams,
    rate,
    published,
    refused,
    deliveriesPerSecond: delivered / elapsed,
    completeness: measuredPublishes === 0 ? Number.NaN : delivered / (measuredPublishes * profile.streams),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerThousand: delivered === 0 ? Number.NaN : (cpu * 1000 * 1000) / delivered,
  };
}

/**
 * Runs the profile: for each rate, one in-memory instance, then two instances on one Redis
 * started for the run (no persistence, stopped at the end).
 *
 * @param log - progress lines
 */
export async function runScaleOut(profile: ScaleOutProfile, log: (line: string) => void): Promise<ScaleOutRow[]> {
  const rows: ScaleOutRow[] = [];
  let redis: SpawnedRedis | undefined;
  try {
    redis = await spawnRedis();
    for (const rate of profile.rates) {
      log(`scale-out: memory ×1, ${profile.streams} streams, ${rate} events/s`);
      const single = await startInstance([]);
      try {
        rows.push(await measureSetup('memory ×1', [single.base], () => [single.child.pid ?? 0], profile, rate));
      } finally {
        await stopInstance(single);
      }
      log(`scale-out: redis ×2, ${profile.streams} streams, ${rate} events/s`);
      const key = `bench:${process.pid}:${rate}`;
      const pair = await Promise.all([0, 1].map(() => startInstance(['--redis', (redis as SpawnedRedis).url, '--redis-key', key])));
      try {
        const pids = (): number[] => [...pair.map((instance) => instance.child.pid ?? 0), (redis as SpawnedRedis).pid];
        rows.push(await measureSetup('redis ×2', pair.map((instance) => instance.base), pids, profile, rate));
      } finally {
        await Promise.all(pair.map(stopInstance));
      }
    }
  } finally {
    await redis?.stop('SIGTERM');
  }
  return rows;
}

const number = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** The section of `docs/benchmarks.md` that shows a scale-out run. */
export function renderScaleOutSection(rows: readonly ScaleOutRow[], finishedAt: string, cpus: number): string {
  const lines = [
    '## Scale-out: two instances on Redis',
    '',
    `\`npm run bench -- --scale-out\`, ${finishedAt}, ${cpus} CPU(s). The same streams and publish rate against one`,
    'in-memory instance and against two instances sharing one Redis stream (`--redis`), streams split',
    'evenly, publishes round robin through `POST /publish`. Latency is from the publisher sending the',
    'request to a client reading the event, for every event on every stream. Redis, the servers and the',
    'load share the machine, so this shows the cost of the extra hop, not what more machines would add.',
    '',
    '| setup | streams | events/s | deliveries/s | complete | p50 ms | p99 ms | server CPU ms per 1k deliveries | refused |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.setup} | ${row.streams} | ${row.rate} | ${number(row.deliveriesPerSecond)} | ${number(row.completeness * 100, 1)} % | ${number(row.p50Ms, 1)} | ${number(row.p99Ms, 1)} | ${number(row.cpuMsPerThousand, 2)} | ${row.refused} |`,
    );
  }
  lines.push(
    '',
    'Read it with [chapter 14](recipes/14-redis.md): each event takes one more network hop and one',
    'more process (publish → Redis → every follower), which is what the latency columns show; the',
    'deliveries are the same, since every instance fans out to its own streams. What Redis buys is',
    'that any instance can restart, fail or be added without a client losing an event.',
  );
  return section('scale-out', lines.join('\n'));
}


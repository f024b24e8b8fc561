import { renderChart, type ChartPanel } from './chart.js';
import type { Profile } from './options.js';
import { formatNumber, formatRatio, renderMarkdownTable, renderPeersMarkdown, type MetricRow, type PeerRow } from './report.js';
import { section } from '../lib/blocks.js';

/** Where and how a run was made. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly node: string;
  readonly kernel: string;
  readonly isPinned: boolean;
  readonly openFiles: { readonly server?: number | undefined; readonly load?: number | undefined };
  readonly peakFrom: 'VmHWM' | 'sampling';
}

/** Everything the page is made from. */
export interface PageInput {
  readonly rows: readonly MetricRow[];
  readonly machine: MachineInfo;
  readonly profile: Profile;
  readonly command: string;
  readonly finishedAt: string;
  readonly resultsFile: string;
  readonly chartPath: string;
  /** Hand-written analysis appended as is. */
  readonly analysis: string;
  /** The 1, 5 and 15 minute load averages before and after the run. */
  readonly load?: { readonly before: readonly number[]; readonly after: readonly number[] };
}

function row(rows: readonly MetricRow[], id: string): MetricRow | undefined {
  return rows.find((candidate) => candidate.id === id);
}

/** The chart's panels: deliveries per second and server CPU per million deliveries. */
export function chartPanels(rows: readonly MetricRow[]): ChartPanel[] {
  const pick = (id: string, label: string): ChartPanel['groups'][number] | undefined => {
    const found = row(rows, id);
    return found === undefined ? undefined : { label, reference: found.reference, baseline: found.baseline };
  };
  const present = <T>(items: (T | undefined)[]): T[] => items.filter((item): item is T => item !== undefined);
  return [
    {
      title: 'Deliveries per second, bursts of 100 events (higher is better)',
      unit: '/s',
      groups: present([pick('burst-rate-1000', 'C = 1,000'), pick('burst-rate-10000', 'C = 10,000')]),
    },
    {
      title: 'Server CPU seconds per million deliveries (lower is better)',
      unit: 's',
      groups: present([pick('burst-cpu-1000', 'bursts, C = 1,000'), pick('burst-cpu-10000', 'bursts, C = 10,000')]),
    },
    {
      title: 'Server CPU seconds per million deliveries, single events (lower is better)',
      unit: 's',
      groups: present([pick('single-cpu', '20 and 100 per s, C = 1,000')]),
    },
  ];
}

/** The chart as SVG text. */
export function renderBenchChart(rows: readonly MetricRow[], finishedAt: string): string {
  return renderChart(chartPanels(rows), `npm run bench, ${finishedAt}; medians of interleaved repetitions`);
}

function times(value: number): string {
  return Number.isFinite(value) && value > 0 ? `${formatNumber(1 / value)}×` : '–';
}

/** A few sentences that quote the run's key figures. */
export function summarySentences(rows: readonly MetricRow[]): string[] {
  const out: string[] = [];
  for (const c of ['10000', '1000']) {
    const cpu = row(rows, `burst-cpu-${c}`);
    if (cpu === undefined) continue;
    const at = Number(c).toLocaleString('en-US');
    const kernel = row(rows, `burst-kernel-cpu-${c}`);
    out.push(
      `Bursts of 100 events to ${at} streams cost the reference server ${formatNumber(cpu.reference)} CPU-seconds per million deliveries, against ${formatNumber(cpu.baseline)} for the baseline: ${times(cpu.ratio)} less` +
        (kernel === undefined ? '.' : `; ${formatNumber(kernel.reference)} s of the reference's figure is kernel time (the baseline's: ${formatNumber(kernel.baseline)} s).`),
    );
  }
  for (const c of ['1000', '10000']) {
    const cpu = row(rows, `burst-cpu-${c}`);
    const load = row(rows, `burst-load-cpu-${c}`);
    if (cpu === undefined || load === undefined || !(load.reference >= cpu.reference)) continue;
    out.push(
      `At C = ${Number(c).toLocaleString('en-US')} the load process spent more CPU per delivery than the reference server (${formatNumber(load.reference)} against ${formatNumber(cpu.reference)} s per million), so the reference's deliveries per second there is a floor set by the load generator, not the server's limit.`,
    );
  }
  const peak = row(rows, 'burst-peak-10000');
  if (peak !== undefined) {
    out.push(
      `During those bursts at C = 10,000 the reference server's RSS peaked at ${formatNumber(peak.reference)}× its idle RSS; the baseline's at ${formatNumber(peak.baseline)}×.`,
    );
  }
  const memory = row(rows, 'memory-per-stream-10000') ?? row(rows, 'memory-per-stream-1000');
  if (memory !== undefined) {
    out.push(
      `An idle stream takes ${formatNumber(memory.reference)} KB of server RSS on the reference server and ${formatNumber(memory.baseline)} KB on the baseline (${formatRatio(memory.ratio)}) — ${memory.label.replace(/^Idle memory per stream, /, '')}.`,
    );
  }
  for (const probe of rows.filter((candidate) => /^memory-per-stream-\d+$/.test(candidate.id) && Number(candidate.id.slice(18)) > 10_000)) {
    out.push(
      `At ${probe.label.replace(/^Idle memory per stream, /, '')}, the most streams the open-files limit allows here, an idle stream takes ${formatNumber(probe.reference)} KB on the reference server and ${formatNumber(probe.baseline)} KB on the baseline (${formatRatio(probe.ratio)}).`,
    );
  }
  const single = row(rows, 'single-cpu');
  if (single !== undefined) {
    out.push(
      `Single events (one publish request each) cost ${formatNumber(single.reference)} s per million deliveries against ${formatNumber(single.baseline)} s (${formatRatio(single.ratio)}).`,
    );
  }
  const p99 = row(rows, 'latency-p99-20');
  const p99Fast = row(rows, 'latency-p99-100');
  const delivered = row(rows, 'delivered-100');
  if (p99 !== undefined && p99Fast !== undefined && delivered !== undefined) {
    out.push(
      `Latency p99 at 20 events/s to 1,000 streams: ${formatNumber(p99.reference)} ms against ${formatNumber(p99.baseline)} ms; at 100 events/s: ${formatNumber(p99Fast.reference)} ms against ${formatNumber(p99Fast.baseline)} ms, with ${formatNumber(delivered.reference)} % of the offered events delivered by the reference and ${formatNumber(delivered.baseline)} % by the baseline within 3 s of the last publish.`,
    );
  }
  for (const c of ['1000', '10000']) {
    const rate = row(rows, `connect-rate-${c}`);
    const headers = row(rows, `headers-p99-${c}`);
    const connectCpu = row(rows, `connect-cpu-${c}`);
    if (rate === undefined || headers === undefined) continue;
    out.push(
      `${Number(c).toLocaleString('en-US')} new streams: ${formatNumber(rate.reference)} per second against ${formatNumber(rate.baseline)} (${formatRatio(rate.ratio)}); time to headers p99 ${formatNumber(headers.reference)} ms against ${formatNumber(headers.baseline)} ms` +
        (connectCpu === undefined ? '.' : `; server CPU per new stream ${formatNumber(connectCpu.reference)} µs against ${formatNumber(connectCpu.baseline)} µs (${formatRatio(connectCpu.ratio)}).`),
    );
  }
  const census = row(rows, 'census-path');
  if (census !== undefined) {
    out.push(
      `While new streams connect (under strace, no timing taken), the reference server makes ${formatNumber(census.reference)} system calls per new stream on its connect path against the baseline's ${formatNumber(census.baseline)}.`,
    );
  }
  const missed = rows.filter((candidate) => candidate.isMet === false);
  out.push(
    missed.length === 0
      ? 'Every target of the issue was met in this run.'
      : `Targets missed in this run: ${missed.map((candidate) => candidate.label).join('; ')}.`,
  );
  return out;
}

/** The whole of `docs/benchmarks.md`. */
export function renderBenchmarksPage(input: PageInput): string {
  const { machine, profile } = input;
  const gib = (machine.memoryBytes / 1024 ** 3).toFixed(1);
  return `<!-- Written by \`npm run bench\` (scripts/bench/docs-page.ts); edit the script, not this file. -->
# Benchmarks

How the reference server compares with a naive SSE server written the way tutorials write one (a
\`Set\` of responses, \`res.write(string)\` per client per event, a \`setInterval\` heartbeat per
connection), measured side by side on the same machine in one run.

## The latest run

${renderMarkdownTable(input.rows)}

![Deliveries per second and server CPU per million deliveries, reference and baseline](${input.chartPath})

${summarySentences(input.rows).map((sentence) => `- ${sentence}`).join('\n')}

Medians of ${profile.reps} interleaved repetitions per server (reference, baseline, reference, …),
each on a freshly started server. The ratio column is reference / baseline of the medians.
Raw figures: \`${input.resultsFile}\` (git-ignored; rerun to get your own).

- Command: \`${input.command}\`
- Finished: ${input.finishedAt}
- Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${gib} GiB memory, Linux ${machine.kernel}, Node ${machine.node}
${input.load === undefined ? '' : `- Load average (1, 5, 15 min; the machine is shared): ${input.load.before.join(', ')} before the run, ${input.load.after.join(', ')} after it\n`}- Pinning: ${machine.isPinned ? 'server on CPU 0, load generator on CPU 1 (`taskset`)' : 'none (`taskset` not found): server and load share the CPUs'}
- Open-files limit: server ${machine.openFiles.server ?? '?'}, load ${machine.openFiles.load ?? '?'} (each child's shell asks \`ulimit -n 65536\` and falls back to the hard limit where that is refused)
- Peak RSS from: ${machine.peakFrom === 'VmHWM' ? '`VmHWM` in /proc/<pid>/status, reset through /proc/<pid>/clear_refs before the bursts' : 'sampling /proc/<pid>/stat every 5 ms'}

## What is measured

| figure | how |
| --- | --- |
| idle memory per stream | server RSS after opening C streams and waiting ${profile.settleMs} ms, minus its RSS before, divided by C |
| deliveries per second | C × 100 / (time from sending the burst request to the moment the last stream has counted the 100th event) |
| publish to last delivery | the same interval, in milliseconds |
| CPU per million deliveries | utime + stime from /proc/<pid>/stat across all bursts of a repetition (${Object.entries(profile.burstsAt).map(([c, n]) => `${n} at C = ${Number(c).toLocaleString('en-US')}`).join(', ')}, after ${profile.warmUpBursts} uncounted warm-up bursts), per million deliveries; the same for the load process, from \`process.cpuUsage()\` |
| peak / idle RSS | the highest RSS during the bursts over the idle RSS with C streams open |
| single events | ${profile.rates.join(' and ')} events/s for ${profile.rateSeconds} s each, one \`POST /publish\` per event, to C = ${Math.min(...profile.streamCounts).toLocaleString('en-US')} streams; the server CPU includes handling the publish requests |
| latency | each event's data carries the load process's clock at publish time; every ${10}th stream scans its data lines and subtracts it from the receive time |
| delivered of offered | events counted on all streams within 3 s after the last publish, over events × streams |
| connect rate, time to headers | C new streams opened ${profile.connectConcurrency} at a time from 8 loopback source addresses (127.0.5.1–8); time from \`connect()\` to the end of the response head |

The burst is one bench-only request (\`POST /bench/burst\` with \`{"count": 100, "data": …}\`) that
publishes 100 events of ${profile.dataBytes} bytes of data (about 100 bytes encoded) in one pass of
the event loop. Both servers have the same route, so the comparison is of fan-out, not of HTTP
request handling. The load generator (\`scripts/bench/load-generator.ts\`) opens streams with raw
HTTP/1.1 on \`node:net\` and counts events by scanning for \`\\ndata:\` with \`Buffer.indexOf\`,
so it can be pointed at any SSE server:

\`\`\`sh
npm run bench -- --url http://127.0.0.1:8080/feed --publish-url http://127.0.0.1:8080/publish --pid <server pid>
\`\`\`

The baseline (\`scripts/bench/naive-server.ts\`) formats the event string inside its loop, once
per client, as the tutorials do, and has no replay buffer, byte budget or metrics; the reference
server runs with all of those on, with \`--tick 0\` so only the bench publishes, its global
connection cap raised above C and its per-address cap at 4,096 (the load's 8 source addresses
open at most about 2,400 streams each). Each server is started afresh for each C of each repetition, on a
free loopback port. Client streams are closed with a TCP reset, so no client port lingers in
TIME_WAIT into the next run.

\`npm run bench -- --quick\` (C = 1,000 only, 2 repetitions, about a minute) is the CI-sized check:
it prints the same table and exits non-zero only when a server errors (a crash, a stream refused or
closed by the server, a publish refused, a burst not delivered within 60 s), never on a timing.

CPU per million deliveries is the figure to trust on a busy machine: it counts what the server
spent, not how long it waited for a core. Wall-clock figures (deliveries per second, latency,
connect rate) move with whatever else runs; the load process's own CPU is shown beside the
server's so a reader can tell which side was the bottleneck.

${input.analysis.trim()}
`;
}

/** What the peers' section is made from. */
export interface PeersInput {
  readonly rows: readonly PeerRow[];
  readonly servers: readonly string[];
  readonly command: string;
  readonly finishedAt: string;
  readonly resultsFile: string;
  readonly profile: Profile;
  /** The 1, 5 and 15 minute load averages before and after the run. */
  readonly load?: { readonly before: readonly number[]; readonly after: readonly number[] };
  /** Hand-written reading of the table, appended as is. */
  readonly analysis?: string;
}

/** How the peers' section names each server it may have measured. */
const PEER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  naive: 'the naive baseline',
  floor: 'the floor (`scripts/bench/floor-server.ts`: each burst encoded once into one Buffer, one `socket.write` per stream, no framing, nothing but a `Set` of sockets)',
  'better-sse': '[better-sse](https://github.com/MatthewWid/better-sse) (0.16) on `node:http`',
  '@fastify/sse': '[@fastify/sse](https://github.com/fastify/sse) (0.6) on Fastify 5',
  'Hono streamSSE': "Hono 4's `streamSSE` on `@hono/node-server` 2",
  'Go net/http': "Go's `net/http` (Debian's golang-go)",
};

/** One of issue 28's rows between two servers of a peers run, as a sentence. */
interface PeerTarget {
  readonly id: string;
  readonly server: string;
  readonly against: string;
  readonly what: string;
  readonly limit: number;
  readonly isAtMost: boolean;
}

const PEER_TARGETS: readonly PeerTarget[] = [
  { id: 'burst-cpu-10000', server: 'reference', against: 'floor', what: 'Server CPU per million deliveries in bursts, C = 10,000, against the floor', limit: 1.3, isAtMost: true },
  { id: 'burst-cpu-1000', server: 'reference', against: 'floor', what: 'Server CPU per million deliveries in bursts, C = 1,000, against the floor', limit: Number.NaN, isAtMost: true },
  { id: 'connect-rate-1000', server: 'reference', against: 'Go net/http', what: 'Connect rate, 1,000 new streams, against Go', limit: 1, isAtMost: false },
  { id: 'connect-rate-10000', server: 'reference', against: 'Go net/http', what: 'Connect rate, 10,000 new streams, against Go', limit: 1, isAtMost: false },
  { id: 'connect-cpu-1000', server: 'reference', against: 'naive', what: 'Server CPU per new stream, 1,000 new streams, against the naive server', limit: 1.05, isAtMost: true },
  { id: 'connect-cpu-10000', server: 'reference', against: 'naive', what: 'Server CPU per new stream, 10,000 new streams, against the naive server', limit: 1.05, isAtMost: true },
  { id: 'connect-cpu-1000', server: 'reference', against: 'Go net/http', what: 'Server CPU per new stream, 1,000 new streams, against Go', limit: Number.NaN, isAtMost: true },
  { id: 'connect-cpu-10000', server: 'reference', against: 'Go net/http', what: 'Server CPU per new stream, 10,000 new streams, against Go', limit: Number.NaN, isAtMost: true },
];

/**
 * Issue 28's rows that a peers run measures (fan-out against the floor, the connect path against
 * Go and the naive server): the ratio of the medians, met or missed where there is a target, and
 * the widest and narrowest ratio the repetitions' ranges allow. Rows whose servers were not
 * measured are left out.
 */
export function renderPeerTargets(rows: readonly PeerRow[]): string[] {
  const lines: string[] = [];
  for (const target of PEER_TARGETS) {
    const row = rows.find((candidate) => candidate.id === target.id);
    const mine = row?.byServer.get(target.server);
    const theirs = row?.byServer.get(target.against);
    if (row === undefined || mine === undefined || theirs === undefined || !Number.isFinite(mine.median) || !Number.isFinite(theirs.median)) continue;
    const ratio = mine.median / theirs.median;
    const verdict = Number.isNaN(target.limit)
      ? ''
      : ` (target ${target.isAtMost ? '≤' : '≥'} ${formatRatio(target.limit)}: ${(target.isAtMost ? ratio <= target.limit : ratio >= target.limit) ? 'met' : '**MISSED**'})`;
    const spread = `${formatRatio(mine.range[0] / theirs.range[1])} to ${formatRatio(mine.range[1] / theirs.range[0])}`;
    lines.push(
      `- ${target.what}: ${withPeerUnit(mine.median, row.unit)} against ${withPeerUnit(theirs.median, row.unit)}, ${formatRatio(ratio)}${verdict}; ` +
        `between the repetitions' extremes ${spread}.`,
    );
  }
  return lines;
}

function withPeerUnit(value: number, unit: string): string {
  return unit === '/s' ? `${formatNumber(value)} /s` : `${formatNumber(value)} ${unit}`;
}

/** The `peers` section of `docs/benchmarks.md`, written by `npm run bench -- --peers`. */
export function renderPeersSection(input: PeersInput): string {
  const { profile } = input;
  const others = input.servers.filter((name) => name !== 'reference').map((name) => PEER_DESCRIPTIONS[name] ?? name);
  const listed = others.length <= 1 ? others.join('') : `${others.slice(0, -1).join(', ')} and ${others[others.length - 1] ?? ''}`;
  const targets = renderPeerTargets(input.rows);
  const load = input.load === undefined ? '' : ` Load average (1, 5, 15 min; 2 CPUs, shared with other work) before the run ${input.load.before.join(', ')}, after it ${input.load.after.join(', ')}.`;
  return section(
    'peers',
    `## Against the servers users would pick instead

\`${input.command}\`, finished ${input.finishedAt}.${load} The same load as above against the reference
server, ${listed}, each peer written as its documentation shows (\`scripts/bench/peers/\`) and installed
into a scratch folder outside the repository. Every server broadcasts to all its streams from one
\`POST /bench/burst\` route, runs alone on CPU 0, and is measured ${profile.reps} times, interleaved; each cell is the median,
with the lowest and highest repetition in small type. The best median of each row is in bold.
To keep the slowest peer's run bounded, each repetition counts fewer bursts than the full run
(${Object.entries(profile.burstsAt).map(([c, n]) => `${n} at C = ${Number(c).toLocaleString('en-US')}`).join(', ')}, after ${profile.warmUpBursts} uncounted) and
publishes each steady rate for ${profile.rateSeconds} s; the reference's own figures above come from the full run.
Raw figures: \`${input.resultsFile}\`.

${renderPeersMarkdown(input.rows, input.servers)}
${targets.length === 0 ? '' : `\nIssue 28's rows in this run, reference against the named server (ratio of the medians):\n\n${targets.join('\n')}\n`}
${(input.analysis ?? '').trim()}
`,
  );
}

/** The `h2` section of `docs/benchmarks.md`, written by `npm run bench -- --h2`. */
export function renderH2Section(input: PeersInput): string {
  const { profile } = input;
  const cpu = input.rows.find((row) => row.id === 'burst-cpu-1000');
  const http1 = cpu?.byServer.get('HTTP/1.1')?.median ?? Number.NaN;
  const ratios = input.servers
    .filter((name) => name !== 'HTTP/1.1')
    .map((name) => `${name} ${formatRatio((cpu?.byServer.get(name)?.median ?? Number.NaN) / http1)}`)
    .join(', ');
  return section(
    'h2',
    `## HTTP/2 fan-out

\`${input.command}\`, finished ${input.finishedAt}. The reference server (same options as above)
over plain HTTP/1.1, cleartext HTTP/2 (\`--h2c\`) and HTTP/2 over TLS (\`--tls-cert\`, ALPN h2, a
self-signed P-256 certificate), with C = 1,000 streams; over HTTP/2 the streams share 10 sessions,
as browsers share one connection per origin, and the publishes go over a session of their own.
${profile.reps} interleaved repetitions; each cell is the median with the lowest and highest in small type.
Raw figures: \`${input.resultsFile}\`.

${renderPeersMarkdown(input.rows, input.servers)}

Server CPU per million deliveries in bursts, against HTTP/1.1: ${ratios}.

${(input.analysis ?? '').trim()}
`,
  );
}

/** What the Node section shows: the peers' table of every row, under two nodes. */
export interface NodesInput {
  readonly rows: readonly PeerRow[];
  readonly servers: readonly string[];
  readonly finishedAt: string;
  readonly resultsFile: string;
  readonly profile: Profile;
  readonly machine: MachineInfo;
  readonly analysis?: string;
}

/** The `nodes` section of `docs/benchmarks.md`, written by `npm run bench -- --node <path>`. */
export function renderNodesSection(input: NodesInput): string {
  const { profile, servers } = input;
  return section(
    'nodes',
    `## On current Node

\`npm run bench -- --node <node 24>${profile.reps === 5 ? '' : ` --reps ${profile.reps}`}\`, finished ${input.finishedAt}. Every row of \`npm run bench\`, with
both servers under this machine's Node (${input.machine.node}) and under the npm registry's \`node\` package
(${servers.find((name) => name.startsWith('reference v'))?.slice('reference '.length) ?? 'another Node'}), interleaved in one run: ${servers.join(', ')}, one after the other,
${profile.reps} repetitions each, the load process on ${input.machine.node} throughout. Medians, the lowest and
highest repetition in small type, the best of each row in bold. Raw figures: \`${input.resultsFile}\`.

${renderPeersMarkdown(input.rows, input.servers)}

${(input.analysis ?? '').trim()}
`,
  );
}

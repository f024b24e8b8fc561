#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../paths.js';
import { canCensus } from './census.js';
import { renderBenchChart, renderBenchmarksPage, renderH2Section, renderNodesSection, renderPeersSection, type MachineInfo } from './docs-page.js';
import type { Profile } from './options.js';
import { measureAtCount, takeCensus, type CountResult } from './measure.js';
import { FULL, H2, HELP, PEERS, parseBenchArgs, type BenchRequest } from './options.js';
import { peersDir, preparePeers } from './peers/install.js';
import { readOpenFileLimit, resetPeakRss } from './proc-stat.js';
import { canPin, startLoad, startServer, type LoadChild } from './processes.js';
import { renderPeersMarkdown, renderTextTable, summarize, summarizeServers, type MetricRow } from './report.js';
import { scaleOutMain } from './scale-out-main.js';
import { stormMain } from './storm-run.js';
import { keepSection, withSection } from '../lib/blocks.js';

// `npm run bench`: the reference server and the naive baseline, interleaved, side by side.
const HERE = fileURLToPath(new URL('.', import.meta.url));
const SERVER_SCRIPT = join(HERE, 'server-main.js');
const LOAD_SCRIPT = join(HERE, 'load-main.js');
const OPEN_FILES = 65_536;
const SERVER_CPU = 0;
const LOAD_CPU = 1;
// Client sockets are spread over several loopback sources so ephemeral ports never run short.
// Binding a source port costs a search through the ports in use on that address, and other tests
// on this machine churn 127.0.0.x: addresses of our own keep that search short.
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.5.${i + 1}`);
/** New streams counted under strace: enough that one-off calls (a first Date header) weigh nothing. */
const CENSUS_STREAMS = 2000;

/** A server to measure: a node script or an executable that prints `listening <port>`. */
interface ServerSpec {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly isNative: boolean;
  readonly streamPath: string;
  /** `https` for the TLS server; its certificate is self-signed, and the load accepts it. */
  readonly scheme?: 'http' | 'https';
  /** Open the streams over this many HTTP/2 sessions instead of one HTTP/1.1 connection each. */
  readonly h2Sessions?: number;
  /** The node binary that runs the script; this process's when undefined. */
  readonly nodePath?: string;
}

const REFERENCE: ServerSpec = { name: 'reference', script: SERVER_SCRIPT, args: ['--kind', 'reference'], isNative: false, streamPath: '/feed' };
const NAIVE: ServerSpec = { name: 'naive', script: SERVER_SCRIPT, args: ['--kind', 'naive'], isNative: false, streamPath: '/events' };
/** `--peers`: the least a Node server can do per delivery (scripts/bench/floor-server.ts). */
const FLOOR: ServerSpec = { name: 'floor', script: SERVER_SCRIPT, args: ['--kind', 'floor'], isNative: false, streamPath: '/events' };
/** `--h2`: the reference's three transports, the HTTP/2 streams spread over 10 sessions as browsers share one per origin. */
const H2_SERVERS: readonly ServerSpec[] = [
  { ...REFERENCE, name: 'HTTP/1.1' },
  { ...REFERENCE, name: 'h2c', args: [...REFERENCE.args, '--transport', 'h2c'], h2Sessions: 10 },
  { ...REFERENCE, name: 'HTTP/2 over TLS', args: [...REFERENCE.args, '--transport', 'https'], scheme: 'https', h2Sessions: 10 },
];

/** `v24.21.0` of a node binary, for the servers' names. */
function otherNodeVersion(path: string): string {
  return execFileSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

let loadFiles: number | undefined;
let serverFiles: number | undefined;

async function withLoad<T>(init: { streamUrl: string; publishUrl?: string; burstUrl?: string; h2Sessions?: number | undefined }, body: (load: LoadChild) => Promise<T>): Promise<T> {
  const load = await startLoad(LOAD_SCRIPT, { cpu: LOAD_CPU, openFiles: OPEN_FILES });
  try {
    loadFiles ??= readOpenFileLimit(load.pid);
    const reply = await load.call({ type: 'init', options: { ...init, localAddresses: LOCAL_ADDRESSES } });
    if (reply.error !== undefined) throw new Error(reply.error);
    return await body(load);
  } finally {
    await load.stop();
  }
}

/**
 * The most streams both the server and the load can hold: the lower open-files limit less a
 * thousand spare, in thousands; undefined when that is no more than `measured`.
 */
function largestCount(measured: number): number | undefined {
  if (serverFiles === undefined || loadFiles === undefined) return undefined;
  const count = Math.floor((Math.min(serverFiles, loadFiles) - 1000) / 1000) * 1000;
  return count > measured ? count : undefined;
}

async function measureServer(
  spec: ServerSpec,
  request: BenchRequest,
  streams: number,
  rep: number,
  withCensus: boolean,
  isIdleOnly = false,
): Promise<CountResult> {
  const nodeArgs = spec.script === SERVER_SCRIPT && spec.args[1] === 'reference' ? request.serverNodeArgs : [];
  const server = await startServer(spec.script, spec.args, { cpu: SERVER_CPU, openFiles: OPEN_FILES, nodeArgs, isNative: spec.isNative, nodePath: spec.nodePath });
  serverFiles ??= readOpenFileLimit(server.pid);
  const base = `${spec.scheme ?? 'http'}://127.0.0.1:${server.port}`;
  try {
    let result = await withLoad(
      {
        streamUrl: `${base}${spec.streamPath}`,
        publishUrl: `${base}/publish`,
        burstUrl: `${base}/bench/burst`,
        h2Sessions: spec.h2Sessions,
      },
      async (load) => {
        const measured = await measureAtCount(
          { name: spec.name, pid: server.pid, hasCrashed: server.hasCrashed, canPublish: !isIdleOnly },
          load,
          request.profile,
          streams,
          rep,
          !isIdleOnly && streams === Math.min(...request.profile.streamCounts),
        );
        // The census last, on the same server: strace slows it several times over.
        if (!withCensus) return measured;
        try {
          return { ...measured, census: await takeCensus(server.pid, load, CENSUS_STREAMS, request.profile.connectConcurrency) };
        } catch (error) {
          // Not a server error: strace may be refused ptrace (a container without CAP_SYS_PTRACE).
          log(`  no census for ${spec.name}: ${(error as Error).message}`);
          return measured;
        }
      },
    );
    if (server.hasCrashed()) result = { ...result, errors: [...result.errors, `the server died: ${server.stderr()}`] };
    return result;
  } finally {
    await server.stop();
    if (server.stderr().trim() !== '') log(`${spec.name} server stderr: ${server.stderr().trim()}`);
  }
}

async function measureTarget(request: BenchRequest): Promise<CountResult[]> {
  const target = request.target!;
  const results: CountResult[] = [];
  for (let rep = 1; rep <= request.profile.reps; rep++) {
    for (const streams of request.profile.streamCounts) {
      log(`target rep ${rep}, C = ${streams}`);
      results.push(
        await withLoad(target, (load) =>
          measureAtCount(
            { name: 'reference', pid: target.pid, canPublish: target.publishUrl !== undefined || target.burstUrl !== undefined },
            load,
            request.profile,
            streams,
            rep,
            streams === Math.min(...request.profile.streamCounts) && target.publishUrl !== undefined,
          ),
        ),
      );
    }
  }
  return results;
}

function describeMachine(): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    kernel: release(),
    isPinned: canPin(),
    openFiles: { server: serverFiles, load: loadFiles },
    peakFrom: resetPeakRss(process.pid) ? 'VmHWM' : 'sampling',
  };
}

/** What a run wrote to bench-results/, enough to render its part of the docs again. */
interface RunRecord {
  readonly kind: 'full' | 'peers' | 'h2' | 'nodes';
  readonly finishedAt: string;
  readonly profile: Profile;
  readonly machine: MachineInfo;
  readonly servers: readonly string[];
  readonly rows: readonly MetricRow[];
  readonly results: readonly CountResult[];
  /** The command line as run (`--peers` runs since `--only`); derived from the profile when absent. */
  readonly command?: string;
  /** The 1, 5 and 15 minute load averages before and after the run: the machine is shared. */
  readonly load?: { readonly before: readonly number[]; readonly after: readonly number[] };
}

function readIfThere(...path: string[]): string {
  const file = join(ROOT, ...path);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/** Writes a run's part of docs/benchmarks.md (and the chart), keeping the other runs' sections. */
function writePages(record: RunRecord, resultsFile: string): void {
  const { kind, profile, finishedAt, servers, results } = record;
  const page = join(ROOT, 'docs', 'benchmarks.md');
  const previous = existsSync(page) ? readFileSync(page, 'utf8') : '';
  if (kind === 'nodes') {
    const rows = summarizeServers(results, profile.rates, servers, true);
    const text = renderNodesSection({ rows, servers, finishedAt, resultsFile, profile, machine: record.machine, analysis: readIfThere('scripts', 'bench', 'node-analysis.md') });
    writeFileSync(page, withSection(previous, 'nodes', text));
    log('wrote the nodes section of docs/benchmarks.md');
    return;
  }
  if (kind === 'h2' || kind === 'peers') {
    const rows = summarizeServers(results, profile.rates, servers);
    const base = kind === 'h2' ? H2 : PEERS;
    const command = `npm run bench -- --${kind}${profile.reps === base.reps ? '' : ` --reps ${profile.reps}`}`;
    const input = { rows, servers, command: record.command ?? command, finishedAt, resultsFile, profile, ...(record.load === undefined ? {} : { load: record.load }) };
    const text =
      kind === 'h2'
        ? renderH2Section({ ...input, analysis: readIfThere('scripts', 'bench', 'h2-analysis.md') })
        : renderPeersSection({ ...input, analysis: readIfThere('scripts', 'bench', 'peers', 'analysis.md') });
    writeFileSync(page, withSection(previous, kind, text));
    log(`wrote the ${kind} section of docs/benchmarks.md`);
    return;
  }
  // The hand-written reading of the figures, then the sizing guide drawn from them.
  const analysis = [readIfThere('scripts', 'bench', 'analysis.md'), readIfThere('scripts', 'bench', 'sizing.md')].filter((text) => text !== '').join('\n\n');
  mkdirSync(join(ROOT, 'docs', 'img'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'img', 'bench.svg'), renderBenchChart(record.rows, finishedAt));
  const command = `npm run bench${profile.reps === FULL.reps ? '' : ` -- --reps ${profile.reps}`}`;
  const rendered = renderBenchmarksPage({ rows: record.rows, machine: record.machine, profile, command, finishedAt, resultsFile, chartPath: 'img/bench.svg', analysis, ...(record.load === undefined ? {} : { load: record.load }) });
  const kept = ['peers', 'h2', 'storm', 'nodes', 'scale-out'].reduce((text, name) => keepSection(text, previous, name), rendered);
  writeFileSync(page, kept);
  log('wrote docs/benchmarks.md and docs/img/bench.svg');
}

async function main(): Promise<number> {
  let request: BenchRequest;
  try {
    request = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    log(`${(error as Error).message}\nRun with --help for the options.`);
    return 2;
  }
  if (request.kind === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (request.renderFrom !== undefined) {
    // Renders the docs again from a run's raw figures, e.g. after the analysis was edited.
    const record = JSON.parse(readFileSync(request.renderFrom, 'utf8')) as RunRecord;
    writePages(record, relative(ROOT, resolve(request.renderFrom)));
    return 0;
  }
  const { profile } = request;
  const startedAt = Date.now();
  const loadBefore = loadavg().map((value) => Number(value.toFixed(2)));
  mkdirSync(join(ROOT, 'bench-results', 'profiles'), { recursive: true });
  if (!canPin()) log('taskset not found: the server and the load share the CPUs; lean on CPU per million.');

  let results: CountResult[] = [];
  let servers: ServerSpec[] = [REFERENCE, NAIVE];
  if (request.h2) servers = [...H2_SERVERS];
  else if (request.otherNode !== undefined) {
    const other = otherNodeVersion(request.otherNode);
    servers = [REFERENCE, NAIVE, { ...REFERENCE, name: `reference ${other}`, nodePath: request.otherNode }, { ...NAIVE, name: `naive ${other}`, nodePath: request.otherNode }];
  }
  else if (request.peers) {
    const wanted = (name: string): boolean => request.only === undefined || request.only.some((word) => name.toLowerCase().startsWith(word.toLowerCase()));
    const peers = preparePeers(peersDir(), log, wanted).map((peer) => ({ ...peer, args: [] }));
    servers = [...servers, FLOOR, ...peers].filter((spec) => wanted(spec.name));
    const unknown = (request.only ?? []).filter((word) => !servers.some((spec) => spec.name.toLowerCase().startsWith(word.toLowerCase())));
    if (unknown.length > 0) {
      log(`--only: no server named ${unknown.join(', ')}; the peers run has reference, naive, floor, better-sse, @fastify/sse, hono, go.`);
      return 2;
    }
  }
  const withCensus = canCensus() && !request.h2;
  if (!canCensus()) log('strace not found: no system-call census (apt-get install strace).');
  if (request.target !== undefined) results = await measureTarget(request);
  else {
    for (let rep = 1; rep <= profile.reps; rep++) {
      for (const spec of servers) {
        for (const streams of profile.streamCounts) {
          log(`rep ${rep}/${profile.reps}: ${spec.name}, C = ${streams.toLocaleString('en-US')}`);
          const result = await measureServer(spec, request, streams, rep, withCensus && streams === Math.min(...profile.streamCounts));
          for (const error of result.errors) log(`  error: ${error}`);
          results.push(result);
        }
        const largest = profile.probeLargest ? largestCount(Math.max(...profile.streamCounts)) : undefined;
        if (largest !== undefined) {
          log(`rep ${rep}/${profile.reps}: ${spec.name}, C = ${largest.toLocaleString('en-US')} (idle memory only)`);
          const result = await measureServer(spec, request, largest, rep, false, true);
          for (const error of result.errors) log(`  error: ${error}`);
          results.push(result);
        }
      }
    }
  }
  const machine = describeMachine();
  if (machine.openFiles.server !== undefined && machine.openFiles.server < Math.max(...profile.streamCounts) + 100) {
    log(`warning: the server's open-files limit is ${machine.openFiles.server}; ulimit -n could not be raised enough.`);
  }

  const rows = summarize(results, profile.rates);
  const finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const resultsFile = `bench-results/${profile.name}-${finishedAt.replace(/[:]/g, '-')}.json`;
  const kind = request.h2 ? 'h2' : request.peers ? 'peers' : request.otherNode !== undefined ? 'nodes' : 'full';
  const record: RunRecord = {
    kind,
    finishedAt,
    profile,
    machine,
    servers: servers.map((spec) => spec.name),
    rows,
    results,
    ...(kind === 'peers' ? { command: `npm run bench -- ${process.argv.slice(2).join(' ')}` } : {}),
    load: { before: loadBefore, after: loadavg().map((value) => Number(value.toFixed(2))) },
  };
  writeFileSync(join(ROOT, resultsFile), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\n${renderTextTable(rows, request.target !== undefined)}\n\nraw figures: ${resultsFile} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)\n`);
  if (kind !== 'full') process.stdout.write(`\n${renderPeersMarkdown(summarizeServers(results, profile.rates, record.servers), record.servers)}\n`);
  if (request.writeDocs) writePages(record, resultsFile);
  const failures = results.flatMap((result) => result.errors.map((error) => `${result.server} C=${result.streams} rep ${result.rep}: ${error}`));
  if (failures.length > 0) {
    log(`\n${failures.length} server error(s):\n${failures.join('\n')}`);
    return 1;
  }
  return 0;
}

// The scale-out profile (two instances on Redis against one in memory) has its own entry.
// So have the one-publisher phase and the reconnect storm.
process.exitCode = process.argv.includes('--scale-out')
  ? await scaleOutMain(process.argv.slice(2))
  : process.argv.includes('--storm')
    ? await stormMain(process.argv.slice(2))
    : await main();

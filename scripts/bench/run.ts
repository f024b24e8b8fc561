#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../paths.js';
import { renderBenchChart, renderBenchmarksPage, type MachineInfo } from './docs-page.js';
import { measureAtCount, type CountResult } from './measure.js';
import { FULL, HELP, parseBenchArgs, type BenchRequest } from './options.js';
import { readOpenFileLimit, resetPeakRss } from './proc-stat.js';
import { canPin, startLoad, startServer, stopServer, type LoadChild } from './processes.js';
import { renderTextTable, summarize } from './report.js';
import { keepScaleOutSection } from './scale-out.js';
import { scaleOutMain } from './scale-out-main.js';

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

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

let loadFiles: number | undefined;
let serverFiles: number | undefined;

async function withLoad<T>(init: { streamUrl: string; publishUrl?: string; burstUrl?: string }, body: (load: LoadChild) => Promise<T>): Promise<T> {
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

async function measureServer(kind: 'reference' | 'naive', request: BenchRequest, streams: number, rep: number): Promise<CountResult> {
  const nodeArgs = kind === 'reference' ? request.serverNodeArgs : [];
  const server = await startServer(SERVER_SCRIPT, ['--kind', kind], { cpu: SERVER_CPU, openFiles: OPEN_FILES, nodeArgs });
  serverFiles ??= readOpenFileLimit(server.pid);
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const result = await withLoad(
      {
        streamUrl: `${base}${kind === 'reference' ? '/feed' : '/events'}`,
        publishUrl: `${base}/publish`,
        burstUrl: `${base}/bench/burst`,
      },
      (load) =>
        measureAtCount(
          { name: kind, pid: server.pid, hasCrashed: server.hasCrashed },
          load,
          request.profile,
          streams,
          rep,
          streams === Math.min(...request.profile.streamCounts),
        ),
    );
    if (server.hasCrashed()) return { ...result, errors: [...result.errors, `the server died: ${server.stderr()}`] };
    return result;
  } finally {
    await stopServer(server);
    if (server.stderr().trim() !== '') log(`${kind} server stderr: ${server.stderr().trim()}`);
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
  const { profile } = request;
  const startedAt = Date.now();
  mkdirSync(join(ROOT, 'bench-results', 'profiles'), { recursive: true });
  if (!canPin()) log('taskset not found: the server and the load share the CPUs; lean on CPU per million.');

  let results: CountResult[] = [];
  if (request.target !== undefined) results = await measureTarget(request);
  else {
    for (let rep = 1; rep <= profile.reps; rep++) {
      for (const kind of ['reference', 'naive'] as const) {
        for (const streams of profile.streamCounts) {
          log(`rep ${rep}/${profile.reps}: ${kind}, C = ${streams.toLocaleString('en-US')}`);
          const result = await measureServer(kind, request, streams, rep);
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
  writeFileSync(join(ROOT, resultsFile), `${JSON.stringify({ finishedAt, profile, machine, rows, results }, null, 2)}\n`);
  process.stdout.write(`\n${renderTextTable(rows, request.target !== undefined)}\n\nraw figures: ${resultsFile} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)\n`);

  if (request.writeDocs) {
    const analysisFile = join(ROOT, 'scripts', 'bench', 'analysis.md');
    const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : '';
    mkdirSync(join(ROOT, 'docs', 'img'), { recursive: true });
    writeFileSync(join(ROOT, 'docs', 'img', 'bench.svg'), renderBenchChart(rows, finishedAt));
    const command = `npm run bench${profile.reps === FULL.reps ? '' : ` -- --reps ${profile.reps}`}`;
    const page = join(ROOT, 'docs', 'benchmarks.md');
    const rendered = renderBenchmarksPage({ rows, machine, profile, command, finishedAt, resultsFile, chartPath: 'img/bench.svg', analysis });
    writeFileSync(page, keepScaleOutSection(rendered, existsSync(page) ? readFileSync(page, 'utf8') : ''));
    log('wrote docs/benchmarks.md and docs/img/bench.svg');
  }
  const failures = results.flatMap((result) => result.errors.map((error) => `${result.server} C=${result.streams} rep ${result.rep}: ${error}`));
  if (failures.length > 0) {
    log(`\n${failures.length} server error(s):\n${failures.join('\n')}`);
    return 1;
  }
  return 0;
}

// The scale-out profile (two instances on Redis against one in memory) has its own entry.
process.exitCode = process.argv.includes('--scale-out') ? await scaleOutMain(process.argv.slice(2)) : await main();

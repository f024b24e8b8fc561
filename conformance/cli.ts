#!/usr/bin/env node
import { constants } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, EXIT_CODES } from './exit-codes.js';
import { parseExpectations, type Expectations } from './expectations.js';
import { formatTable, summaryLine } from './format.js';
import { formatJunit } from './junit.js';
import { ProgressLine, watchLine } from './progress.js';
import { exitCode } from './report.js';
import { AREAS, RULES, ruleById } from './rules.js';
import { check } from './run.js';
import { parseSelection } from './select.js';
import { resolveTarget, TARGET_DEFAULTS, type Target } from './target.js';

/** Help text cut into lines of at most 100 columns, under the options' descriptions (column 26). */
function wrapHelp(text: string): string {
  const indent = ' '.repeat(25);
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 100) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(`${indent}${word}`);
  }
  return lines.join('\n');
}

const HELP = `Usage: sse-conformance <url> [options]

Checks the SSE endpoint at <url> against the protocol rules and prints one line per rule.

Options:
  --publish <url>        POST here to make the server emit an event: JSON {"data": "...", "event"?: "..."}
  --observe <seconds>    how long to watch the stream (default ${TARGET_DEFAULTS.observeSeconds}); longer, up to
                         ${TARGET_DEFAULTS.watchMaxSeconds} s, while the heartbeat rule cannot be judged yet (it says so)
  --header 'Name: value' send this header on every request (repeatable; e.g. authorization)
  --insecure             accept any TLS certificate
  --origin <origin>      an origin the server allows cross-origin (enables SSE-M13)
  --capacity-probe <n>   open up to n streams at once to find the server's limit (default ${TARGET_DEFAULTS.capacityProbe}; 0 = off)
  --capacity <n>         streams the server accepts from one client, when known (the probe stops one past it)
  --heartbeat-max <ms>   longest idle gap accepted (default ${TARGET_DEFAULTS.heartbeatMaxMs})
  --latency-max <ms>     longest publish-to-arrival delay accepted (default ${TARGET_DEFAULTS.latencyMaxMs})
  --first-byte-max <ms>  longest wait for the response head (default ${TARGET_DEFAULTS.firstByteMaxMs})
  --timeout <ms>         longest single wait for an answer (default ${TARGET_DEFAULTS.timeoutMs})
  --deadline <seconds>   a budget for the whole run (at least 10): the watch is shortened and the
                         capacity probe left out when it would not fit; at the deadline probing
                         stops and what was not judged is n/a, "deadline reached" (exit 4)
  --slow-reader          run SSE-S14: publish ~8 MiB to a client that does not read (needs --publish)
  --expect <file>        known failures: {"<rule>": {"fail": "reason"}}; they do not fail the run
  --strict               exit non-zero when a SHOULD rule fails too (ADVICE never fails a run)
  --only <rules>         judge only these rule ids or areas (comma-separated, repeatable); the rest
                         are n/a, "not run", and an area with nothing to judge is not probed
${wrapHelp(`(areas: ${AREAS.map((area) => area.replace(/ /g, '-')).join(', ')})`)}
  --skip <rules>         do not judge these rule ids or areas (comma-separated, repeatable)
  --json                 print the report as JSON instead of a table (evidence never cut)
  --junit <file>         also write JUnit XML: one testcase per rule; a MUST or SHOULD failure is
                         a failure, ADVICE never, n/a is skipped
  --progress             draw the live watch line ("watching: 14 events, 9 ids, 0:08 of 0:20")
                         even when stderr is not a terminal (one line per change)
  --version              print the version and exit
  --list                 print the rule catalogue and exit
  -h, --help             print this help

Exit codes:
${EXIT_CODES.map((e) => `  ${e.code}  ${e.meaning}`).join('\n')}
`;

/** What the command line asked for. */
export type CliRequest =
  | { readonly kind: 'help' | 'list' | 'version' }
  | {
      readonly kind: 'run';
      readonly target: Target;
      readonly json: boolean;
      readonly strict: boolean;
      readonly expectFile: string | undefined;
      readonly junitFile: string | undefined;
      readonly only: readonly string[];
      readonly skip: readonly string[];
      readonly progress: boolean;
    };

/** Thrown for a command line that cannot run; the CLI prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Reads the command line.
 *
 * @throws {@link UsageError} with a sentence naming the flag
 */
export function parseCli(argv: readonly string[]): CliRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        publish: { type: 'string' },
        observe: { type: 'string' },
        header: { type: 'string', multiple: true },
        insecure: { type: 'boolean' },
        origin: { type: 'string' },
        capacity: { type: 'string' },
        'capacity-probe': { type: 'string' },
        'heartbeat-max': { type: 'string' },
        'latency-max': { type: 'string' },
        'first-byte-max': { type: 'string' },
        timeout: { type: 'string' },
        deadline: { type: 'string' },
        'slow-reader': { type: 'boolean' },
        expect: { type: 'string' },
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        version: { type: 'boolean' },
        progress: { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (values.list === true) return { kind: 'list' };
  if (values.version === true) return { kind: 'version' };
  if (positionals.length !== 1) throw new UsageError(`Give exactly one stream URL, got ${positionals.length}.`);
  const headers: Record<string, string> = {};
  for (const line of values.header ?? []) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\r\n]/.test(line)) throw new UsageError(`--header must look like 'Name: value', got ${JSON.stringify(line)}.`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const target: Target = {
    url: positionals[0] as string,
    publishUrl: values.publish,
    observeSeconds: numberFlag(values.observe, 'observe'),
    headers,
    insecure: values.insecure,
    origin: values.origin,
    capacity: numberFlag(values.capacity, 'capacity'),
    capacityProbe: countFlag(values['capacity-probe'], 'capacity-probe'),
    heartbeatMaxMs: numberFlag(values['heartbeat-max'], 'heartbeat-max'),
    latencyMaxMs: numberFlag(values['latency-max'], 'latency-max'),
    firstByteMaxMs: numberFlag(values['first-byte-max'], 'first-byte-max'),
    timeoutMs: numberFlag(values.timeout, 'timeout'),
    deadlineSeconds: numberFlag(values.deadline, 'deadline'),
    slowReader: values['slow-reader'],
  };
  try {
    // Checked now, in the words the user typed: `--deadline`, not the library's `deadlineSeconds`.
    resolveTarget(target, (option) => FLAG_OF[option]);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const names = (list: readonly string[] | undefined): string[] => (list ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.junit === '') throw new UsageError('--junit needs a file name.');
  try {
    parseSelection(names(values.only), names(values.skip));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    kind: 'run',
    target,
    json: values.json === true,
    strict: values.strict === true,
    expectFile: values.expect,
    junitFile: values.junit,
    only: names(values.only),
    skip: names(values.skip),
    progress: values.progress === true,
  };
}

/** How the command line names each target option. */
const FLAG_OF: Readonly<Record<keyof Target, string>> = {
  url: 'the stream URL',
  publishUrl: '--publish',
  observeSeconds: '--observe',
  headers: '--header',
  insecure: '--insecure',
  origin: '--origin',
  capacity: '--capacity',
  capacityProbe: '--capacity-probe',
  watchMaxSeconds: 'the watch maximum',
  deadlineSeconds: '--deadline',
  heartbeatMaxMs: '--heartbeat-max',
  latencyMaxMs: '--latency-max',
  firstByteMaxMs: '--first-byte-max',
  timeoutMs: '--timeout',
  slowReader: '--slow-reader',
  slowReaderBytes: 'the slow reader\'s bytes',
};

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || number <= 0) throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(value)}.`);
  return number;
}

function countFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number (0 turns it off), got ${JSON.stringify(value)}.`);
  return Number(value);
}

function listRules(): string {
  return RULES.map((r) => `${r.id.padEnd(8)} ${r.level.padEnd(7)} ${r.area.padEnd(21)} ${r.title}`).join('\n') + '\n';
}

async function main(argv: readonly string[]): Promise<number> {
  let request: CliRequest;
  let expectations: Expectations = {};
  try {
    request = parseCli(argv);
    if (request.kind === 'run' && request.expectFile !== undefined) {
      expectations = parseExpectations(await readFile(request.expectFile, 'utf8'));
    }
    // Found out now, not after the whole run.
    const junitFile = request.kind === 'run' ? request.junitFile : undefined;
    if (junitFile !== undefined) {
      const folder = dirname(resolve(junitFile));
      await access(folder, constants.W_OK).catch(() => {
        throw new UsageError(`--junit ${junitFile}: the folder ${folder} does not exist or cannot be written.`);
      });
    }
  } catch (error) {
    process.stderr.write(`sse-conformance: ${(error as Error).message}\nRun with --help for the options.\n`);
    return EXIT.usage;
  }
  if (request.kind !== 'run') {
    process.stdout.write(request.kind === 'help' ? HELP : request.kind === 'version' ? `sse-conformance ${await version()}\n` : listRules());
    return EXIT.pass;
  }
  const run = request;
  const { json, strict } = run;
  // A live line on a terminal; in a CI log it would be a line a second, so only with --progress.
  const isLive = process.stderr.isTTY || run.progress;
  const progress = new ProgressLine(process.stderr);
  let report;
  try {
    report = await check(run.target, {
      expectations,
      only: run.only,
      skip: run.skip,
      onProgress(area, results, elapsedMs) {
        const failed = results.filter((r) => r.status === 'fail' && ruleById(r.id).level !== 'ADVICE').length;
        progress.print(`[${(elapsedMs / 1000).toFixed(1)} s] ${area}: ${results.length} rules, ${failed} failed`);
      },
      onNotice: (message, elapsedMs) => progress.print(`[${(elapsedMs / 1000).toFixed(1)} s] ${message}`),
      ...(isLive ? { onWatch: (state) => progress.show(watchLine(state)) } : {}),
    });
    progress.end();
  } catch (error) {
    if (error instanceof TypeError) {
      process.stderr.write(`sse-conformance: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatTable(report, process.stdout.columns ?? 120));
  if (json) process.stderr.write(`${summaryLine(report)}\n`);
  if (run.junitFile !== undefined) {
    try {
      await writeFile(run.junitFile, formatJunit(report));
    } catch (error) {
      process.stderr.write(`sse-conformance: cannot write --junit ${run.junitFile}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }
  if (report.unreachable !== undefined) process.stderr.write(`sse-conformance: the target cannot be reached (${report.unreachable}); exit code ${EXIT.unreachable}\n`);
  isCut = report.incomplete !== undefined;
  return exitCode(report, strict);
}

/** The package's version, from the package.json beside dist/. */
async function version(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

let isCut = false;
const code = await main(process.argv.slice(2));
process.exitCode = code;
// A run cut by --deadline leaves abandoned probes that end on their own timeouts: do not wait for them.
if (isCut) process.stdout.write('', () => process.exit(code));

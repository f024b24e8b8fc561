#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, exitCode, formatTable, summaryLine } from 'sse-reference/conformance';
import { freePort, startProcess } from '../lib/process.js';
import { EXAMPLES, installExamples, linesOf, startExample } from '../examples/project.js';
import { ROOT } from '../paths.js';
import { codeBlockUnder } from './code-blocks.js';

// `npm run frameworks`: points the conformance suite at every server the docs print.
// 1. The README's quick start (no publish route: its timer publishes every 20 s) and the library's
//    apps of docs/frameworks.md (node:http, whose code the README quotes, Express, Fastify, Hono,
//    Bun, Deno, workerd),
//    as written, on a quiet stream (nothing publishes but the suite or the timer), with --strict:
//    every MUST and SHOULD rule passes. They and this package's tarball are installed from npm
//    into a scratch folder outside the project.
// 2. The Express and FastAPI ports of chapter 20, exactly as the chapter shows them. Express is
//    installed from npm into a scratch folder outside the project (never into package.json);
//    FastAPI and uvicorn are Debian's packages (python3-fastapi, python3-uvicorn), installed when
//    missing where we run as root.

const SCRATCH = join(tmpdir(), 'sse-reference-frameworks');
const chapter = readFileSync(join(ROOT, 'docs/recipes/20-other-frameworks.md'), 'utf8');

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status ?? result.signal)})`);
}

interface Port {
  readonly name: string;
  /** Writes the chapter's code and installs what it needs; returns the command that serves it. */
  prepare(dir: string, port: number): readonly [string, readonly string[]];
}

const PORTS: readonly Port[] = [
  {
    name: 'Express',
    prepare(dir) {
      // A scratch folder left by an older run may hold another major: install Express 5 again then.
      const installed = join(dir, 'node_modules/express/package.json');
      if (!existsSync(installed) || !(JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version.startsWith('5.')) {
        writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
        run('npm', ['install', '--no-audit', '--no-fund', 'express@5'], dir);
      }
      writeFileSync(join(dir, 'server.js'), codeBlockUnder(chapter, 'Express', 'js'));
      return [process.execPath, ['server.js']];
    },
  },
  {
    name: 'FastAPI',
    prepare(dir, port) {
      // Debian's packages: the registry every machine of this project reaches.
      const python = '/usr/bin/python3';
      if (spawnSync(python, ['-c', 'import fastapi, uvicorn']).status !== 0) {
        if (process.getuid?.() !== 0) throw new Error('FastAPI is missing: run sudo apt-get install -y python3-fastapi python3-uvicorn');
        run('apt-get', ['install', '-y', '-q', 'python3-fastapi', 'python3-uvicorn'], dir);
      }
      writeFileSync(join(dir, 'app.py'), codeBlockUnder(chapter, 'FastAPI', 'python'));
      return [python, ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning']];
    },
  },
];

let failures = 0;
const summaries: string[] = [];
const library = join(SCRATCH, 'library');
rmSync(library, { recursive: true, force: true });
mkdirSync(library, { recursive: true });
const versions = await installExamples(library);
process.stdout.write(`installed: ${versions.join(', ')}; Node ${process.versions.node}\n`);
for (const example of EXAMPLES) {
  const running = await startExample(library, example);
  try {
    // The suite's publishes end within the first few seconds; 40 s leaves over 30 s of quiet
    // stream after them, so only a heartbeat keeps SSE-S02 (17 s at most) from failing.
    const publish = example.publishes === false ? {} : { publishUrl: `${running.origin}/publish`, slowReader: true };
    const cors = example.origin === undefined ? {} : { origin: example.origin };
    const report = await check({ url: `${running.origin}/feed`, ...publish, ...cors, observeSeconds: 40 });
    process.stdout.write(`\n${example.name} (docs/examples/${example.file}, --strict)\n${formatTable(report)}\n`);
    summaries.push(`${example.name} | ${await linesOf(example)} | ${summaryLine(report)}`);
    if (exitCode(report, true) !== 0) failures++;
  } finally {
    await running.kill();
  }
}
for (const framework of PORTS) {
  const dir = join(SCRATCH, framework.name.toLowerCase());
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const [command, args] = framework.prepare(dir, port);
  const server = await startProcess({ file: command, args, cwd: dir, env: { PORT: String(port) }, ready: { port }, startMs: 20_000, stdout: 'inherit', stderr: 'inherit' });
  try {
    const origin = `http://127.0.0.1:${port}`;
    const report = await check({ url: `${origin}/events`, publishUrl: `${origin}/publish`, observeSeconds: 20, slowReader: true });
    process.stdout.write(`\n${framework.name} (the code of chapter 20, in ${dir})\n${formatTable(report)}\n`);
    summaries.push(`${framework.name}, chapter 20 | ${codeBlockUnder(chapter, framework.name, framework.name === 'Express' ? 'js' : 'python').split('\n').filter((line) => line.trim() !== '').length} | ${summaryLine(report)}`);
    failures += report.summary.fail;
  } finally {
    await server.stop();
  }
}
process.stdout.write(`\nserver | lines | the suite\n--- | --- | ---\n${summaries.join('\n')}\n`);
process.exitCode = failures > 0 ? 1 : 0;

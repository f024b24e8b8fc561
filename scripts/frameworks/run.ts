#!/usr/bin/env node
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, formatTable } from 'sse-reference/conformance';
import { ROOT } from '../paths.js';
import { codeBlockUnder } from './code-blocks.js';

// `npm run frameworks`: runs the Express and FastAPI ports of chapter 20, exactly as the chapter
// shows them, and points the conformance suite at each. Express is installed from npm into a
// scratch folder outside the project (never into package.json); FastAPI and uvicorn are Debian's
// packages (python3-fastapi, python3-uvicorn), installed when missing where we run as root.

const SCRATCH = join(tmpdir(), 'sse-reference-frameworks');
const chapter = readFileSync(join(ROOT, 'docs/recipes/20-other-frameworks.md'), 'utf8');

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status ?? result.signal)})`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${String(child.exitCode)}`);
    const isOpen = await fetch(`http://127.0.0.1:${port}/nothing-here`).then(
      () => true,
      () => false,
    );
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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
for (const framework of PORTS) {
  const dir = join(SCRATCH, framework.name.toLowerCase());
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const [command, args] = framework.prepare(dir, port);
  const child = spawn(command, args, { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    await waitForPort(port, child);
    const origin = `http://127.0.0.1:${port}`;
    const report = await check({ url: `${origin}/events`, publishUrl: `${origin}/publish`, observeSeconds: 20, slowReader: true });
    process.stdout.write(`\n${framework.name} (the code of chapter 20, in ${dir})\n${formatTable(report)}\n`);
    failures += report.summary.fail;
  } finally {
    child.kill('SIGTERM');
  }
}
process.exitCode = failures > 0 ? 1 : 0;

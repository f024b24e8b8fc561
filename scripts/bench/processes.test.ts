import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BurstResult, OpenResult } from './load-generator.js';
import { readOpenFileLimit } from './proc-stat.js';
import type { Started } from '../lib/process.js';
import { childCommand, startLoad, startServer, type LoadChild } from './processes.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

describe('childCommand', () => {
  it('raises the open-files limit in bash, pins when asked, then execs node', () => {
    const { file, args } = childCommand('x.js', ['--kind', 'naive'], { openFiles: 4096, nodeArgs: ['--cpu-prof'] });
    assert.equal(file, 'bash');
    assert.match(args[1] ?? '', /^ulimit -n 4096 2>\/dev\/null \|\| ulimit -n "\$\(ulimit -Hn\)"; exec "\$@"$/);
    assert.deepEqual(args.slice(3), [process.execPath, '--cpu-prof', 'x.js', '--kind', 'naive']);
  });

  it('runs a native executable (a peer\'s Go binary) without node', () => {
    const { args } = childCommand('/tmp/go-sse', [], { openFiles: 4096, isNative: true });
    assert.deepEqual(args.slice(3), ['/tmp/go-sse']);
  });
});

describe('server and load child processes', () => {
  let server: Started;
  let load: LoadChild;

  before(async () => {
    server = await startServer(join(HERE, 'server-main.js'), ['--kind', 'naive'], { openFiles: 4096 });
    load = await startLoad(join(HERE, 'load-main.js'), { openFiles: 4096 });
  });

  after(async () => {
    await load.stop();
    await server.stop();
  });

  it('starts the server on a free port with the asked open-files limit', () => {
    assert.ok(server.port > 0);
    assert.equal(server.hasCrashed(), false);
    // Where 4096 is above the hard limit, the child falls back to the hard limit.
    const hard = Number(/^Max open files\s+\d+\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1] ?? 4096);
    assert.equal(readOpenFileLimit(server.pid), Number.isNaN(hard) ? 4096 : Math.min(4096, hard));
  });

  it('drives the load process over IPC through the bash exec', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const init = await load.call({ type: 'init', options: { streamUrl: `${base}/events`, burstUrl: `${base}/bench/burst` } });
    assert.equal(init.error, undefined);
    const open = await load.call({ type: 'open', count: 3, concurrency: 3 });
    assert.equal((open.result as OpenResult).opened, 3);
    const burst = await load.call({ type: 'burst', events: 5, bytes: 20 });
    assert.equal((burst.result as BurstResult).isComplete, true);
    assert.ok(burst.cpuSeconds >= 0);
    assert.deepEqual(burst.errors, []);
    const closed = await load.call({ type: 'close' });
    assert.equal(closed.unexpectedCloses, 0);
  });

  it('answers a request made before init with an error', async () => {
    const fresh = await startLoad(join(HERE, 'load-main.js'), { openFiles: 1024 });
    try {
      const reply = await fresh.call({ type: 'open', count: 1, concurrency: 1 });
      assert.match(reply.error ?? '', /before init/);
    } finally {
      await fresh.stop();
    }
  });

  it('tells a stop from a crash', async () => {
    const other = await startServer(join(HERE, 'server-main.js'), ['--kind', 'naive'], { openFiles: 1024 });
    await other.stop();
    assert.equal(other.hasCrashed(), false);
    const crashing = await startServer(join(HERE, 'server-main.js'), ['--kind', 'naive'], { openFiles: 1024 });
    await new Promise((resolve) => {
      crashing.child.once('exit', resolve);
      crashing.child.kill('SIGKILL');
    });
    assert.equal(crashing.hasCrashed(), true);
  });

  it('reports a server that exits before listening', async () => {
    await assert.rejects(startServer(join(HERE, 'server-main.js'), ['--kind', 'neither'], { openFiles: 1024 }), /exited with 2/);
  });
});

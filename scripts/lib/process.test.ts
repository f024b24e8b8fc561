import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { eventually } from 'sse-reference/testing';
import { freePort, groupAlive, runToEnd, startProcess, StartError } from './process.js';

// A tiny server that also starts a grandchild, so stopping the group must take both.
const SERVER = `
const http = require('node:http');
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const server = http.createServer((req, res) => res.end('ok ' + child.pid));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (part: string) => (body += part));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startProcess and stop', () => {
  it('starts a server in its own process group, reads its port, and stops the whole group', async () => {
    const server = await startProcess({ file: process.execPath, args: ['-e', SERVER] });
    const grandchild = Number((await get(server.port)).split(' ')[1]);
    assert.ok(alive(grandchild));
    assert.ok(groupAlive(server.pid));
    await server.stop(1000);
    assert.equal(groupAlive(server.pid), false);
    assert.equal(alive(grandchild), false, 'the grandchild went with its group');
    assert.equal(server.isRunning(), false);
    assert.equal(server.hasCrashed(), false, 'a stop is not a crash');
  });

  it('waits for a server that binds the port it is given (and prints nothing) to accept', async () => {
    const port = await freePort();
    // It binds only after a moment, as a server that loads its code first does.
    const quiet = `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1'), 300);`;
    const server = await startProcess({ file: process.execPath, args: ['-e', quiet], env: { PORT: String(port) }, ready: { port } });
    assert.equal(server.port, port);
    assert.equal(await get(port), 'ok');
    await server.stop(1000);
    assert.equal(groupAlive(server.pid), false);
  });

  it('fails with the output when the server exits before listening', async () => {
    await assert.rejects(startProcess({ file: process.execPath, args: ['-e', 'console.error("boom"); process.exit(3)'] }), (error: Error) => {
      assert.ok(error instanceof StartError);
      assert.match(error.message, /exited with 3 before listening/);
      assert.match(error.message, /boom/);
      return true;
    });
  });

  it('fails, and kills it, when the server prints no port in time', async () => {
    await assert.rejects(startProcess({ file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], startMs: 300 }), /was not ready in 300 ms/);
  });

  it('kills a server that ignores SIGTERM after the grace period', async () => {
    const stubborn = `process.on('SIGTERM', () => {}); require('node:http').createServer().listen(0, '127.0.0.1', function () { console.log('listening ' + this.address().port); });`;
    const server = await startProcess({ file: process.execPath, args: ['-e', stubborn] });
    const started = performance.now();
    await server.stop(300);
    assert.equal(groupAlive(server.pid), false);
    assert.ok(performance.now() - started < 5000);
  });

  it('is ready on a line of its own choosing, or on an IPC message, or once spawned', async () => {
    const cli = `console.log('listening on http://127.0.0.1:4321/'); setInterval(() => {}, 1000);`;
    const byLine = await startProcess({ file: process.execPath, args: ['-e', cli], ready: { line: /listening on http:\/\/127\.0\.0\.1:(\d+)\// } });
    assert.equal(byLine.port, 4321);
    assert.equal(byLine.readyLine?.[0], 'listening on http://127.0.0.1:4321/');
    await byLine.stop(1000);
    const ipc = `process.send({ ready: true, port: 99 }); process.on('disconnect', () => process.exit(0));`;
    const byMessage = await startProcess({ file: process.execPath, args: ['-e', ipc], ipc: true, ready: { message: (m) => (m as { port?: number }).port } });
    assert.equal(byMessage.port, 99);
    await byMessage.stop(1000);
    const bySpawn = await startProcess({ file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], ready: { spawned: true } });
    assert.equal(bySpawn.isRunning(), true);
    await bySpawn.stop(1000);
  });

  it('tells a crash from a stop, kills on demand, and waits for output', async () => {
    const chatty = `console.log('listening 1'); setTimeout(() => console.error('late news 42'), 100); setInterval(() => {}, 1000);`;
    const server = await startProcess({ file: process.execPath, args: ['-e', chatty] });
    assert.equal((await server.waitForOutput(/late news (\d+)/, 3000))?.[1], '42');
    assert.equal(await server.waitForOutput(/never printed/, 100), undefined);
    assert.match(server.output(), /listening 1\n[^]*late news 42/);
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    assert.equal(server.hasCrashed(), true);
    const other = await startProcess({ file: process.execPath, args: ['-e', chatty] });
    await other.kill();
    assert.equal(other.hasCrashed(), false);
    assert.equal(groupAlive(other.pid), false);
  });

  it('kills the groups it started when this process exits first', async () => {
    // A parent that starts a server through startProcess and exits without stopping it.
    const lib = new URL('./process.js', import.meta.url).href;
    const parent = `import { startProcess } from ${JSON.stringify(lib)}; const s = await startProcess({ file: process.execPath, args: ['-e', ${JSON.stringify(SERVER)}] }); console.log('listening ' + s.pid); process.exit(0);`;
    const outer = await startProcess({ file: process.execPath, args: ['--input-type=module', '-e', parent] });
    await outer.exited;
    // Killed at once; gone once the orphans are reaped.
    await eventually(() => !groupAlive(outer.port), 3000, 'the server the parent left behind to be gone');
  });

  it('runs a one-shot process to its end: its whole output, its exit code, a kill past the bound', async () => {
    const big = `process.stdout.write('x'.repeat(3 * 1024 * 1024)); console.error('done'); process.exitCode = 3;`;
    const ended = await runToEnd({ file: process.execPath, args: ['-e', big] });
    assert.equal(ended.stdout.length, 3 * 1024 * 1024, 'nothing cut, nothing lost after the exit');
    assert.equal(ended.stderr, 'done\n');
    assert.equal(ended.code, 3);
    assert.equal(ended.timedOut, false);
    const hung = await runToEnd({ file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], timeoutMs: 200 });
    assert.equal(hung.timedOut, true);
    assert.equal(hung.signal, 'SIGKILL');
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStream } from './testing/sse-client.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));

/** Runs `node dist/server.js args…` and resolves with its URL once it listens. */
async function run(args: string[]) {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('node dist/server.js', () => {
  it('serves, and on SIGTERM ends every stream with a retry hint and exits 0', async () => {
    const { child, exited, output } = await run(['--port', '0', '--tick', '50', '--retry', '1000']);
    const deadline = Date.now() + 10_000;
    while (!/listening on (http:\S+)/.test(output().stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const base = /listening on (http:\S+)\//.exec(output().stdout)?.[1] ?? '';
    const stream = await openStream(`${base}/feed`);
    await stream.waitFor((t) => t.events.length >= 1);
    child.kill('SIGTERM');
    await stream.ended;
    const [code] = await exited;
    assert.equal(code, 0, output().stderr);
    assert.match(stream.raw(), /retry: \d+\n\n$/);
    assert.match(output().stdout, /SIGTERM: closing 1 stream\(s\)/);
  });

  it('prints the options with --help', async () => {
    const { exited, output } = await run(['--help']);
    assert.deepEqual(await exited, [0, null]);
    assert.match(output().stdout, /--max-per-client <n>/);
  });

  it('exits 2 with a sentence on a bad flag', async () => {
    const { exited, output } = await run(['--port', 'eighty']);
    assert.deepEqual(await exited, [2, null]);
    assert.match(output().stderr, /--port takes a whole number, got "eighty"/);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from './testing/certificate.js';
import { openStream } from './testing/sse-client.js';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));

// A failed assertion must not leave its server running: a live child keeps the test runner (and
// `npm test`) waiting for it for good.
const children = new Set<ReturnType<typeof spawn>>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

/** Runs `node dist/server.js args…` and resolves with its URL once it listens. */
async function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(child);
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

  it('serves HTTPS with HTTP/2 from --tls-cert and --tls-key, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sse-tls-'));
    const { cert, key } = makeCertificate();
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    const { child, exited, output } = await run(['--port', '0', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
    const deadline = Date.now() + 10_000;
    while (!output().stdout.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    rmSync(dir, { recursive: true, force: true });
    assert.match(output().stdout, /listening on https:\/\/127\.0\.0\.1:\d+\/ \(HTTP\/2 and HTTP\/1\.1\)/);
    child.kill('SIGINT');
    assert.equal((await exited)[0], 0);
  });

  it('exits 2 with a sentence when the TLS files cannot be read', async () => {
    const { exited, output } = await run(['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']);
    assert.deepEqual(await exited, [2, null]);
    assert.match(output().stderr, /Cannot read the TLS files: ENOENT/);
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

  it('takes the publish token from PUBLISH_TOKEN and says at start-up who may publish', async () => {
    const token = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const { child, exited, output } = await run(['--port', '0', '--tick', '0'], { ...process.env, PUBLISH_TOKEN: token });
    const deadline = Date.now() + 10_000;
    while (!/publish: /.test(output().stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(output().stdout, /publish: POST \/publish needs Authorization: Bearer/);
    const base = /listening on (http:\S+)\//.exec(output().stdout)?.[1] ?? '';
    const post = (headers: Record<string, string>) => fetch(`${base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"data":"x"}' });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ authorization: `Bearer ${token}` })).status, 202);
    child.kill('SIGTERM');
    assert.equal((await exited)[0], 0);
    for (const [args, line] of [
      [[], /publish: off, POST \/publish answers 403; start with --publish-token .*--publish-local/],
      [['--publish-local'], /publish: --publish-local, so POST \/publish is open to programs on this machine .*must send X-Forwarded-For/],
    ] as const) {
      const started = await run(['--port', '0', '--tick', '0', ...args]);
      while (!/publish: /.test(started.output().stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(started.output().stdout, line);
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });

  it('refuses to start with a weak publish token or a bad --trust-proxy, saying why', async () => {
    const weak = await run(['--port', '0', '--publish-token', 'secret']);
    assert.deepEqual(await weak.exited, [1, null]);
    assert.match(weak.output().stderr, /Cannot start: The publish token must be at least 16/);
    const proxy = await run(['--port', '0', '--trust-proxy', 'nginx.local']);
    assert.deepEqual(await proxy.exited, [1, null]);
    assert.match(proxy.output().stderr, /--trust-proxy takes an IP address or a CIDR block .*"nginx\.local"/);
    const everyone = await run(['--port', '0', '--trust-proxy', '0.0.0.0/0']);
    assert.deepEqual(await everyone.exited, [1, null]);
    assert.match(everyone.output().stderr, /--trust-proxy 0\.0\.0\.0\/0 trusts every address/);
    const both = await run(['--port', '0', '--publish-local'], { ...process.env, PUBLISH_TOKEN: 'c0ffee00c0ffee00c0ffee00c0ffee00' });
    assert.deepEqual(await both.exited, [1, null]);
    assert.match(both.output().stderr, /--publish-token and --publish-local exclude each other/);
  });

  it('warns at start-up about a trusted proxy block that takes in public addresses', async () => {
    const { child, exited, output } = await run(['--port', '0', '--tick', '0', '--trust-proxy', '127.0.0.1', '--trust-proxy', '203.0.113.0/24']);
    const deadline = Date.now() + 10_000;
    // The warning goes to stderr, a pipe of its own: it may arrive after stdout's start-up lines.
    while (!(/publish: /.test(output().stdout) && /takes in public addresses/.test(output().stderr)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(output().stderr, /warning: --trust-proxy 203\.0\.113\.0\/24 takes in public addresses/);
    assert.doesNotMatch(output().stderr, /127\.0\.0\.1 takes in/);
    child.kill('SIGTERM');
    await exited;
  });
});

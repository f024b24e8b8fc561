import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFECTS } from './fixtures/defects.js';
import { startFixture, type RunningFixture } from './fixtures/fixture-server.js';
import type { Report } from './report.js';
import { RULES } from './rules.js';

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
const FAST = ['--observe', '1.5', '--heartbeat-max', '1500', '--timeout', '2000', '--latency-max', '1500', '--first-byte-max', '1500', '--capacity-probe', '4'];

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

let correct: RunningFixture;
let noCache: RunningFixture;
let badLines: RunningFixture;
let dir: string;

before(async () => {
  const defect = (rule: string): Parameters<typeof startFixture>[0] => DEFECTS.find((d) => d.rule === rule)?.changes ?? {};
  // Tests share these servers and run at once: the capacity leaves room for all of them.
  const shared = (changes: Parameters<typeof startFixture>[0]): ReturnType<typeof startFixture> => startFixture({ ...changes, capacity: 100 });
  [correct, noCache, badLines] = await Promise.all([shared({}), shared(defect('SSE-S04')), shared(defect('SSE-M05'))]);
  dir = await mkdtemp(join(tmpdir(), 'sse-conformance-'));
});

after(async () => {
  await Promise.all([correct.close(), noCache.close(), badLines.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function expectFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(content));
  return path;
}

describe('sse-conformance (the CLI)', { concurrency: true }, () => {
  it('prints its help and the rule list', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: sse-conformance <url>/);
    const list = await run(['--list']);
    assert.equal(list.code, 0);
    for (const rule of RULES) assert.match(list.stdout, new RegExp(`^${rule.id} `, 'm'));
  });

  it('prints its version', async () => {
    const { code, stdout } = await run(['--version']);
    assert.equal(code, 0);
    assert.match(stdout, /^sse-conformance \d+\.\d+\.\d+\n$/);
  });

  it('exits 3 when the target cannot be reached, and says so', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as import('node:net').AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { code, stderr } = await run([`http://127.0.0.1:${port}/`, ...FAST]);
    assert.equal(code, 3);
    assert.match(stderr, /the target cannot be reached \(connect ECONNREFUSED/);
  });

  it('reports only the rules asked for with --only, leaves out --skip, and writes JUnit', async () => {
    const junit = join(dir, 'report.xml');
    const { code, stdout } = await run([correct.url, '--only', 'SSE-M01,methods', '--skip', 'SSE-S18', '--junit', junit, '--json', ...FAST]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as Report;
    assert.deepEqual(report.outcomes.map((o) => o.id), ['SSE-M01', 'SSE-S21']);
    const xml = await readFile(junit, 'utf8');
    assert.equal(xml.match(/<testcase /g)?.length, 2);
    assert.match(xml, /<testsuites name="sse-conformance" tests="2" failures="0"/);
    assert.equal((await run([correct.url, '--only', 'SSE-Q99'])).code, 2);
  });

  it('exits 2 with a sentence on a usage error', async () => {
    for (const args of [[], ['--nope', 'http://127.0.0.1:1/'], ['http://127.0.0.1:1/', '--observe', 'soon'], ['http://127.0.0.1:1/', '--header', 'novalue'], ['http://127.0.0.1:1/', '--capacity-probe', '-1'], ['ftp://127.0.0.1/'], ['http://127.0.0.1:1/', '--expect', join(dir ?? '.', 'missing.json')]]) {
      const { code, stderr } = await run(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /^sse-conformance: .+/);
    }
  });

  it('prints a table and a summary, a progress line per area, and exits 0 on a conforming server', async () => {
    const { code, stdout, stderr } = await run([correct.url, '--publish', correct.publishUrl, '--header', 'Authorization: Bearer t', ...FAST]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^RULE {5}LEVEL {3}RESULT {2}EVIDENCE$/m);
    assert.match(stdout, /^SSE-F1 {3}MUST {4}pass {4}8 payloads/m);
    assert.match(stdout, /^summary: \d+ pass, 0 FAIL \(0 MUST, 0 SHOULD\), \d+ n\/a; advice: \d+ of \d+ followed in \d+\.\d s$/m);
    assert.equal(stderr.trim().split('\n').length, 7, stderr);
    assert.match(stderr, /^\[\d+\.\d s\] grammar and encoding: 9 rules, 0 failed$/m);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await run([correct.url, '--json', ...FAST]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as Report;
    assert.equal(report.outcomes.length, RULES.length);
    assert.equal(report.target, correct.url);
  });

  it('exits 1 when a MUST rule fails', async () => {
    const { code, stdout } = await run([badLines.url, ...FAST]);
    assert.equal(code, 1);
    assert.match(stdout, /^SSE-M05 {2}MUST {4}FAIL {4}line "Data: capitalised"/m);
  });

  it('exits 0 on a SHOULD failure, 1 with --strict, and 0 again when it is an expected failure', async () => {
    assert.equal((await run([noCache.url, ...FAST])).code, 0);
    assert.equal((await run([noCache.url, '--strict', ...FAST])).code, 1);
    const file = await expectFile('known.json', { 'SSE-S04': { fail: 'our proxy adds it' } });
    const known = await run([noCache.url, '--strict', '--expect', file, ...FAST]);
    assert.equal(known.code, 0, known.stdout);
    assert.match(known.stdout, /^SSE-S04 {2}SHOULD {2}known {3}Cache-Control: no-transform \(neither no-cache nor no-store\) \[expected: our proxy/m);
  });

  it('exits 1 and says so when an expected failure passes', async () => {
    const file = await expectFile('stale.json', { 'SSE-S04': { fail: 'fixed since' } });
    const { code, stdout } = await run([correct.url, '--expect', file, ...FAST]);
    assert.equal(code, 1);
    assert.match(stdout, /1 unexpected passes \(remove them from the expectations file\)/);
  });
});

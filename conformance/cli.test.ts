import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EXIT_CODES } from './exit-codes.js';
import { DEFECTS } from './fixtures/defects.js';
import { startFixture, type RunningFixture } from './fixtures/fixture-server.js';
import { parseXml, type XmlElement } from './fixtures/xml-reader.js';
import type { Report } from './report.js';
import { RULES, ruleById } from './rules.js';

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
let anyMethod: RunningFixture;
let dir: string;
// A raw loopback server that closes every connection unanswered.
const rawServers: Server[] = [];
let hangUpUrl: string;
let closedUrl: string;

async function rawServer(onSocket: (socket: Socket) => void): Promise<string> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rawServers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
}

before(async () => {
  const defect = (rule: string): Parameters<typeof startFixture>[0] => DEFECTS.find((d) => d.rule === rule)?.changes ?? {};
  // Tests share these servers and run at once: the capacity leaves room for all of them.
  const shared = (changes: Parameters<typeof startFixture>[0]): ReturnType<typeof startFixture> => startFixture({ ...changes, capacity: 100 });
  [correct, noCache, badLines, anyMethod] = await Promise.all([shared({}), shared(defect('SSE-S04')), shared(defect('SSE-M05')), shared(defect('SSE-S21'))]);
  dir = await mkdtemp(join(tmpdir(), 'sse-conformance-'));
  hangUpUrl = await rawServer((socket) => socket.once('data', () => socket.end()));
  // A port that was free a moment ago: nothing listens there.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/feed`;
  await new Promise((resolve) => gone.close(resolve));
});

after(async () => {
  await Promise.all([correct.close(), noCache.close(), badLines.close(), anyMethod.close()]);
  await Promise.all(rawServers.map((server) => new Promise((resolve) => server.close(resolve))));
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
    for (const { code, meaning } of EXIT_CODES) assert.ok(help.stdout.includes(`  ${code}  ${meaning}\n`), `exit code ${code}`);
    const list = await run(['--list']);
    assert.equal(list.code, 0);
    for (const rule of RULES) assert.match(list.stdout, new RegExp(`^${rule.id} `, 'm'));
  });

  it('prints the version of the package.json beside dist/', async () => {
    const { code, stdout } = await run(['--version']);
    assert.equal(code, 0);
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(stdout, `sse-conformance ${version}\n`);
  });

  it('exits 3 at once when the target cannot be reached, says why, and writes a JUnit error', async () => {
    const junit = join(dir, 'unreachable.xml');
    const refused = await run([closedUrl, '--junit', junit, ...FAST]);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /the target cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); exit code 3\n$/);
    assert.match(refused.stdout, /^SSE-M01 {2}MUST {4}FAIL {4}.*ECONNREFUSED/m);
    assert.match(refused.stdout, /^summary: .* in 0\.\d s$/m);
    const suites = parseXml(await readFile(junit, 'utf8'));
    assert.deepEqual([suites.attributes.tests, suites.attributes.errors, suites.attributes.failures], ['1', '1', '0']);
    const hangUp = await run([hangUpUrl, ...FAST]);
    assert.equal(hangUp.code, 3);
    assert.match(hangUp.stderr, /the server closed the connection with no HTTP answer/);
  });

  it('exits 4 when --deadline cuts the run, with what was not judged n/a, "deadline reached"', async () => {
    // A server that streams POST like GET: the methods check waits its whole answer wait (--timeout) for
    // the POST to end, long past the deadline, after the status and hostile-input rules have passed.
    const { code, stdout } = await run([anyMethod.url, '--deadline', '10', '--timeout', '20000', '--json']);
    assert.equal(code, 4, stdout);
    const report = JSON.parse(stdout) as Report;
    assert.match(report.incomplete ?? '', /^--deadline reached: \d+ rules not judged$/);
    assert.ok(report.durationMs < 11_000, `${report.durationMs} ms`);
    assert.ok(report.outcomes.some((o) => o.evidence === 'deadline reached' && o.verdict === 'n/a'));
    assert.equal(report.summary.fail, 0);
  });

  it('judges only what --only names, minus --skip, reports the rest as not run, and probes no other area', async () => {
    const junit = join(dir, 'report.xml');
    const { code, stdout } = await run([correct.url, '--only', 'SSE-M01,methods', '--only', 'sse-s04', '--skip', 'SSE-S18', '--junit', junit, '--json', ...FAST]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as Report;
    const judged = report.outcomes.filter((o) => !o.evidence.startsWith('not run: ')).map((o) => o.id);
    assert.deepEqual(judged.sort(), ['SSE-M01', 'SSE-S04', 'SSE-S21']);
    assert.equal(report.outcomes.length, RULES.length);
    assert.equal(report.outcomes.find((o) => o.id === 'SSE-S18')?.evidence, 'not run: --skip');
    assert.equal(report.outcomes.find((o) => o.id === 'SSE-M05')?.evidence, 'not run: not named by --only');
    // No watch and no capacity probe: far shorter than the observe window.
    assert.ok(report.durationMs < 1500, `${report.durationMs} ms`);
    const suites = parseXml(await readFile(junit, 'utf8'));
    const cases = suites.children.flatMap((suite) => suite.children.filter((c) => c.name === 'testcase'));
    const has = (c: XmlElement, name: string): boolean => c.children.some((x) => x.name === name);
    assert.equal(cases.length, RULES.length);
    assert.equal(suites.attributes.tests, String(RULES.length));
    assert.equal(suites.attributes.failures, '0');
    assert.equal(suites.attributes.skipped, String(cases.filter((c) => has(c, 'skipped')).length));
    assert.deepEqual(cases.filter((c) => !has(c, 'skipped')).map((c) => c.attributes.name?.split(' ')[0]).sort(), ['SSE-M01', 'SSE-S04', 'SSE-S21']);
    for (const args of [['--only', 'SSE-Q99'], ['--skip', 'timing'], ['--only', 'methods', '--skip', 'methods'], ['--only', 'SSE-M01', '--junit', join(dir, 'no-such-dir', 'x.xml')]]) {
      const refused = await run([correct.url, ...args]);
      assert.equal(refused.code, 2, args.join(' '));
      assert.match(refused.stderr, /^sse-conformance: .+\nRun with --help for the options\.\n$/);
    }
  });

  it('writes a JUnit file that counts a MUST failure as a failure, with its evidence, fix and link', async () => {
    const junit = join(dir, 'bad-lines.xml');
    const { code } = await run([badLines.url, '--junit', junit, ...FAST]);
    assert.equal(code, 1);
    const suites = parseXml(await readFile(junit, 'utf8'));
    assert.equal(suites.attributes.failures, '1');
    const m05 = suites.children.flatMap((s) => s.children).find((c) => c.attributes.name?.startsWith('SSE-M05 '));
    const failure = m05?.children.find((c) => c.name === 'failure');
    assert.equal(m05?.attributes.classname, 'grammar and encoding');
    assert.equal(failure?.attributes.type, 'MUST');
    assert.match(failure?.text ?? '', new RegExp(`^line "Data: capitalised".*\nfix: ${ruleById('SSE-M05').hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\nsee: https://`, 's'));
  });

  it('draws the live watch line with --progress even when stderr is not a terminal', async () => {
    const { code, stderr } = await run([correct.url, '--progress', '--only', 'grammar-and-encoding', ...FAST]);
    assert.equal(code, 0);
    assert.match(stderr, /^watching: \d+ events, \d+ ids, 0:0\d of 0:01$/m);
    assert.doesNotMatch(stderr, /\x1b/);
  });

  it('exits 2 with a sentence on a usage error', async () => {
    for (const args of [[], ['--nope', 'http://127.0.0.1:1/'], ['http://127.0.0.1:1/', '--observe', 'soon'], ['http://127.0.0.1:1/', '--header', 'novalue'], ['http://127.0.0.1:1/', '--capacity-probe', '-1'], ['ftp://127.0.0.1/'], ['http://127.0.0.1:1/', '--expect', join(dir ?? '.', 'missing.json')]]) {
      const { code, stderr } = await run(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /^sse-conformance: .+/);
    }
  });

  it('names the flag the user typed in an out-of-range value, not the library\'s option', async () => {
    for (const [args, sentence] of [
      [['--deadline', '5'], '--deadline must be at least 10, got 5.'],
      [['--capacity', '999'], '--capacity must be an integer from 1 to 256, got 999.'],
    ] as const) {
      const { code, stderr } = await run(['http://127.0.0.1:1/', ...args]);
      assert.deepEqual([code, stderr.split('\n')[0]], [2, `sse-conformance: ${sentence}`]);
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

  it('prints JSON with --json: every outcome with its fix hint and link, and evidence never cut', async () => {
    const { code, stdout } = await run([correct.url, '--json', ...FAST]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as Report;
    assert.equal(report.outcomes.length, RULES.length);
    assert.equal(report.target, correct.url);
    for (const o of report.outcomes) {
      assert.equal(o.hint, ruleById(o.id).hint);
      assert.equal(o.link, ruleById(o.id).link);
      assert.doesNotMatch(o.evidence, /…$/, o.id);
    }
    // SSE-M12 lists every Last-Event-ID tried: longer than a 120-column table shows whole.
    assert.ok((report.outcomes.find((o) => o.id === 'SSE-M12')?.evidence.length ?? 0) > 120 - 33);
  });

  it('exits 1 when a MUST rule fails', async () => {
    const { code, stdout } = await run([badLines.url, ...FAST]);
    assert.equal(code, 1);
    assert.match(stdout, /^SSE-M05 {2}MUST {4}FAIL {4}line "Data: capitalised".*\n {25}fix: Write field names in lowercase .* https:\/\/html\.spec\.whatwg\.org\/\S+#event-stream-interpretation$/m);
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

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSseServer, type SseServer } from 'sse-reference';
import { makeCertificate } from 'sse-reference/testing';
import type { RuleArea } from './rules.js';
import { startFixture } from './fixtures/fixture-server.js';
import { exitCode, type Report } from './report.js';
import { check } from './run.js';

// The reference server with small timings, as the suite's own tests run it: over HTTP/1.1, and
// over HTTPS offering HTTP/2 with a throwaway certificate (no key is ever committed).
const SMALL = { port: 0, tickMs: 200, heartbeatMs: 1000, recipeIntervalMs: 200, maxPerClient: 6, maxPendingBytes: 64 * 1024, publishLocal: true } as const;
const ORIGIN = 'https://app.example';
const certificate = makeCertificate();
let app: SseServer;
let base: string;
let secureApp: SseServer;
let secureBase: string;

before(async () => {
  app = createSseServer(SMALL);
  base = `http://127.0.0.1:${(await app.listen()).port}`;
  secureApp = createSseServer({ ...SMALL, tls: certificate, corsOrigins: [ORIGIN] });
  secureBase = `https://127.0.0.1:${(await secureApp.listen()).port}`;
});

after(() => Promise.all([app.close(), secureApp.close()]));

const FAST = { observeSeconds: 2.5, heartbeatMaxMs: 1500, timeoutMs: 3000 } as const;

// Every failure, ADVICE too: the reference server follows every rule it can be judged on.
const failuresOf = (report: Report): string[] => report.outcomes.filter((o) => o.status === 'fail').map((o) => `${o.id}: ${o.evidence}`);

describe('check() against the reference server', { concurrency: true }, () => {
  it('passes every MUST and SHOULD rule on /feed, with publish, capacity and the slow reader', async () => {
    const areas: RuleArea[] = [];
    // A server of its own: the resumes and the capacity probe count every stream from this address.
    const own = createSseServer(SMALL);
    const ownBase = `http://127.0.0.1:${(await own.listen()).port}`;
    const report = await check(
      { url: `${ownBase}/feed`, publishUrl: `${ownBase}/publish`, capacity: 6, slowReader: true, slowReaderBytes: 6 * 1024 * 1024, ...FAST },
      { onProgress: (area) => areas.push(area) },
    ).finally(() => own.close());
    assert.deepEqual(failuresOf(report), []);
    const notApplicable = report.outcomes.filter((o) => o.status === 'n/a').map((o) => o.id);
    // HTTP/2 over TLS only, CORS (no allow-list by default), an end never seen, and a heartbeat
    // that cannot show while /feed's events keep the stream busy.
    assert.deepEqual(notApplicable, ['SSE-M11', 'SSE-M14', 'SSE-M13', 'SSE-S23', 'SSE-S17', 'SSE-S25', 'SSE-S02', 'SSE-S16']);
    assert.equal(new Set(areas).size, 7, 'one progress call per area');
    assert.equal(report.summary.pass, report.outcomes.filter((o) => o.level !== 'ADVICE').length - 7);
    assert.equal(report.summary.adviceFollowed + report.summary.adviceNotFollowed, report.outcomes.filter((o) => o.level === 'ADVICE' && o.status !== 'n/a').length);
  });

  it('passes every rule over HTTPS, where it offers HTTP/2, with CORS for an allowed origin', async () => {
    const report = await check({
      url: `${secureBase}/feed`,
      publishUrl: `${secureBase}/publish`,
      insecure: true,
      origin: ORIGIN,
      capacity: 6,
      slowReader: true,
      slowReaderBytes: 6 * 1024 * 1024,
      ...FAST,
    });
    assert.deepEqual(failuresOf(report), []);
    // /feed never ends while observed, so the end rules have nothing to judge; its events keep it too busy to show a heartbeat.
    assert.deepEqual(report.outcomes.filter((o) => o.status === 'n/a').map((o) => o.id), ['SSE-S25', 'SSE-S02', 'SSE-S16']);
    const evidence = Object.fromEntries(report.outcomes.map((o) => [o.id, o.evidence]));
    assert.equal(evidence['SSE-S17'], 'TLS ALPN chose h2');
    assert.match(evidence['SSE-M11'] ?? '', /^:status 200 with \d+ fields, none connection-specific/);
    assert.match(evidence['SSE-M14'] ?? '', /arrived over HTTP\/2 \d+ ms after its publish/);
    assert.match(evidence['SSE-M13'] ?? '', /Origin: https:\/\/sse-conformance\.invalid → no Access-Control-Allow-Origin/);
  });

  it('passes on /events, a stream that emits on its own with no ids, and says which rules need more', async () => {
    const report = await check({ url: `${base}/events`, ...FAST });
    assert.deepEqual(report.outcomes.filter((o) => o.status === 'fail').map((o) => o.evidence), []);
    const reasons = Object.fromEntries(report.outcomes.filter((o) => o.status === 'n/a').map((o) => [o.id, o.evidence]));
    assert.match(reasons['SSE-S09'] ?? '', /no event carried an id/);
    assert.match(reasons['SSE-F1'] ?? '', /needs --publish/);
    assert.match(reasons['SSE-S10'] ?? '', /no event carried an id/);
    assert.match(reasons['SSE-S20'] ?? '', /no event carried an id/);
  });

  it('judges resume, replay, ids across connections, capacity and methods with no option, and passes --strict', async () => {
    // A server of its own: the capacity probe counts every stream from this address.
    const own = createSseServer(SMALL);
    const report = await check({ url: `http://127.0.0.1:${(await own.listen()).port}/feed`, ...FAST }).finally(() => own.close());
    assert.deepEqual(failuresOf(report), []);
    const passed = report.outcomes.filter((o) => o.status === 'pass').map((o) => o.id);
    for (const id of ['SSE-M12', 'SSE-M15', 'SSE-S10', 'SSE-S19', 'SSE-S20', 'SSE-S24', 'SSE-M16', 'SSE-S12', 'SSE-S13', 'SSE-S18', 'SSE-S21'] as const) assert.ok(passed.includes(id), id);
    assert.equal(exitCode(report, true), 0);
    const evidence = Object.fromEntries(report.outcomes.map((o) => [o.id, o.evidence]));
    assert.match(evidence['SSE-S12'] ?? '', /^the server serves 6 streams at a time: stream 7, with 6 open, → 200, retry: \d+/);
    assert.match(evidence['SSE-S21'] ?? '', /^POST → 405 \(Allow: GET, HEAD, OPTIONS\); OPTIONS → 204/);
  });

  it('watches a silent stream longer, says so, and judges the heartbeat rule instead of n/a', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer((req, res) => {
      if (req.method !== 'GET') res.writeHead(405, { allow: 'GET', 'content-length': '0' }).end();
      else res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).write('retry: 2000\n\n');
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as import('node:net').AddressInfo;
      const notices: string[] = [];
      // A bound longer than the resume checks take, so the window ends before the rule can be judged.
      const report = await check({ url: `http://127.0.0.1:${port}/`, ...FAST, observeSeconds: 0.5, heartbeatMaxMs: 9000, capacityProbe: 0 }, { onNotice: (message) => notices.push(message) });
      const s02 = report.outcomes.find((o) => o.id === 'SSE-S02');
      assert.equal(s02?.status, 'fail', s02?.evidence);
      assert.match(s02?.evidence ?? '', /^silent for \d+ ms/);
      assert.equal(notices.length, 1);
      assert.match(notices[0] ?? '', /^watching longer, up to 60 s: /);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('keeps a --deadline: a shorter watch, the capacity probe left out, and live watch updates', async () => {
    const states: number[] = [];
    const report = await check({ url: `${base}/events`, timeoutMs: 2000, deadlineSeconds: 10 }, { onWatch: (state) => states.push(state.elapsedMs) });
    assert.ok(report.durationMs < 10_000, `${report.durationMs} ms`);
    assert.match(report.outcomes.find((o) => o.id === 'SSE-S12')?.evidence ?? '', /^left out: \d+\.\d s of the --deadline remained$/);
    assert.ok(states.length >= 1);
  });

  it('fails SSE-M01 on a path that answers 404, and marks what depends on a stream n/a', async () => {
    const report = await check({ url: `${base}/nowhere`, ...FAST, observeSeconds: 1 });
    const byId = Object.fromEntries(report.outcomes.map((o) => [o.id, o]));
    assert.equal(byId['SSE-M01']?.status, 'fail');
    assert.match(byId['SSE-M01']?.evidence ?? '', /^404/);
    assert.equal(byId['SSE-M02']?.status, 'fail');
    assert.equal(byId['SSE-M12']?.status, 'n/a');
    assert.match(byId['SSE-M12']?.evidence ?? '', /not a 200 event stream/);
  });

  it('follows a redirect to the stream and says so', async () => {
    const { createServer } = await import('node:http');
    const redirector = createServer((_req, res) => res.writeHead(307, { location: `${base}/events` }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirector.address() as import('node:net').AddressInfo;
      const report = await check({ url: `http://127.0.0.1:${port}/`, ...FAST, observeSeconds: 1 });
      const m01 = report.outcomes.find((o) => o.id === 'SSE-M01');
      assert.equal(m01?.status, 'pass');
      assert.match(m01?.evidence ?? '', /after 307 → http:\/\/127\.0\.0\.1:\d+\/events/);
    } finally {
      redirector.close();
    }
  });

  it('reports an unreachable target as unreachable and a failure of SSE-M01, at once, not a crash', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as import('node:net').AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const report = await check({ url: `http://127.0.0.1:${port}/`, ...FAST, observeSeconds: 1 });
    const m01 = report.outcomes.find((o) => o.id === 'SSE-M01');
    assert.equal(m01?.status, 'fail');
    assert.match(m01?.evidence ?? '', /no response head \(error after \d+ ms: connect ECONNREFUSED/);
    const failed = report.outcomes.filter((o) => o.status === 'fail').map((o) => o.id);
    assert.deepEqual(failed, ['SSE-M01'], 'only M01: nothing else can be judged without a connection');
    assert.match(report.unreachable ?? '', /^connect ECONNREFUSED/);
    // Nothing past the status is probed: the rest says why it was not judged.
    assert.match(report.outcomes.find((o) => o.id === 'SSE-M03')?.evidence ?? '', /^not judged: the target cannot be reached \(connect ECONNREFUSED/);
    assert.ok(report.durationMs < 2000, `${report.durationMs} ms`);
  });

  it('fails SSE-M01 with the TLS error on a self-signed server unless --insecure is given', async () => {
    const fixture = await startFixture({ tls: true }, { certificate });
    try {
      const report = await check({ url: fixture.url, ...FAST, observeSeconds: 1 });
      const m01 = report.outcomes.find((o) => o.id === 'SSE-M01');
      assert.equal(m01?.status, 'fail');
      assert.match(m01?.evidence ?? '', /self-signed certificate/);
    } finally {
      await fixture.close();
    }
  });

  it('refuses a target that is not an http(s) URL', async () => {
    await assert.rejects(check({ url: 'ftp://127.0.0.1/' }), /must be an http:\/\/ or https:\/\/ URL/);
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { makeCertificate } from 'sse-reference/testing';
import { FIXTURE_ORIGIN } from './fixtures/defects.js';
import { startFixture, type RunningFixture } from './fixtures/fixture-server.js';
import { buildReport } from './report.js';
import { ruleById, type RuleId } from './rules.js';
import { conformanceSuite, testAction } from './suite.js';

// The node:test form, as a project would put it in its own CI: one test per rule. The target is
// one where every rule applies (HTTPS offering h2, an allowed origin, a publish URL, a capacity,
// the slow reader, streams that end and are reconnected, a ping timer whose comments show even
// while events keep the stream busy), so every test passes and none is
// skipped: a skip in our own run would hide a rule the suite stopped checking.
let fixture: RunningFixture | undefined;
after(() => fixture?.close());

conformanceSuite(async () => {
  fixture = await startFixture({ tls: true, endAfterMs: 2000, tickMs: 100, heartbeatAlways: true, capacity: 8 }, { certificate: makeCertificate() });
  return {
    url: fixture.url,
    publishUrl: fixture.publishUrl,
    insecure: true,
    origin: FIXTURE_ORIGIN,
    capacity: 8,
    slowReader: true,
    slowReaderBytes: 6 * 1024 * 1024,
    observeSeconds: 2.5,
    heartbeatMaxMs: 1000,
    latencyMaxMs: 700,
    firstByteMaxMs: 800,
    timeoutMs: 2000,
  };
});

describe('what the node:test entry makes of each outcome', () => {
  const meta = { target: 'http://127.0.0.1/', startedAt: '', durationMs: 0 };
  const outcome = (id: RuleId, status: 'pass' | 'fail' | 'n/a', expected?: string) =>
    buildReport([{ id, status, evidence: 'seen' }], meta, expected === undefined ? {} : { [id]: { fail: expected } }).outcomes.find((o) => o.id === id);

  it('skips a rule that cannot apply, with its reason', () => {
    assert.deepEqual(testAction(ruleById('SSE-S16'), outcome('SSE-S16', 'n/a')), { kind: 'skip', message: 'n/a: seen' });
  });

  it('fails a MUST failure and marks a SHOULD failure todo', () => {
    assert.deepEqual(testAction(ruleById('SSE-M01'), outcome('SSE-M01', 'fail')), { kind: 'fail', message: 'seen' });
    assert.deepEqual(testAction(ruleById('SSE-S04'), outcome('SSE-S04', 'fail')), { kind: 'todo', message: 'SHOULD: seen' });
    assert.deepEqual(testAction(ruleById('SSE-S05'), outcome('SSE-S05', 'fail')), { kind: 'todo', message: 'ADVICE: seen' });
  });

  it('marks a known failure todo with its reason, and fails a known failure that passes', () => {
    assert.deepEqual(testAction(ruleById('SSE-M11'), outcome('SSE-M11', 'fail', 'proxy adds Connection')), {
      kind: 'todo',
      message: 'known failure: proxy adds Connection: seen',
    });
    assert.equal(testAction(ruleById('SSE-M11'), outcome('SSE-M11', 'pass', 'proxy adds Connection')).kind, 'fail');
  });

  it('passes a passed rule with its evidence, and fails when the suite did not run', () => {
    assert.deepEqual(testAction(ruleById('SSE-M01'), outcome('SSE-M01', 'pass')), { kind: 'pass', message: 'seen' });
    assert.equal(testAction(ruleById('SSE-M01'), undefined).kind, 'fail');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { churn } from './churn.js';
import { eventContent } from './event-content.js';
import { fuzzLastEventId } from './fuzz-last-event-id.js';
import { idleHttp2 } from './idle-http2.js';
import { malformedRequests } from './malformed-requests.js';
import { profile, type Profile } from './profile.js';
import { reconnectStorm } from './reconnect-storm.js';
import type { ScenarioResult } from './report.js';
import type { Weakness } from './server-main.js';
import { shutdownRestart } from './shutdown-restart.js';
import { slowBody } from './slow-body.js';
import { slowReaders } from './slow-readers.js';
import { withWeakSoakServers } from './soak-server.js';

// A soak scenario that cannot fail proves nothing. Each one runs once, small, against a server
// broken in the way the scenario exists to catch, and must report that failure.
const CASES: readonly {
  readonly scenario: (p: Profile) => Promise<ScenarioResult>;
  readonly name: string;
  readonly weakness: Weakness;
  /** The failures the scenario must report, in its own words. */
  readonly expected: RegExp | readonly RegExp[];
}[] = [
  { name: 'fuzz-last-event-id', scenario: fuzzLastEventId, weakness: { refusesOddLastEventId: true }, expected: /wrong answer/ },
  { name: 'malformed-requests', scenario: malformedRequests, weakness: { options: { headersTimeoutMs: 600_000 } }, expected: /not answered 408/ },
  // Both halves at once: a body is waited for as long as Node's default allows, and an answer
  // that does not read one keeps the connection (so it too waits for that body).
  {
    name: 'slow-body',
    scenario: slowBody,
    weakness: { options: { requestTimeoutMs: 600_000 }, keepsUnreadBodies: true },
    expected: [/publish bodies were not answered 408/, /routes that do not read them were not answered and closed/],
  },
  // No timer on an HTTP/2 connection without a stream, as before issue 27.
  { name: 'idle-http2', scenario: idleHttp2, weakness: { options: { headersTimeoutMs: 600_000 } }, expected: /idle HTTP\/2 connections \(silent\) were still open/ },
  { name: 'churn', scenario: churn, weakness: { leaksTimers: true }, expected: /active handles/ },
  { name: 'reconnect-storm', scenario: reconnectStorm, weakness: { options: { retryMs: 0 } }, expected: /not jittered/ },
  // No slow-client budget: bytes for a reader that stopped queue up without bound.
  { name: 'slow-readers', scenario: slowReaders, weakness: { options: { maxPendingBytes: 2 ** 40, stallTimeoutMs: 600_000 } }, expected: /slow clients were cut/ },
  // Refuses events a client may rightly publish: the content scenario sends up to 64 KiB here.
  { name: 'event-content', scenario: eventContent, weakness: { options: { maxEventBytes: 4096 } }, expected: /wrong answers/ },
  { name: 'shutdown-restart', scenario: shutdownRestart, weakness: { options: { historyEvents: 1 } }, expected: /did not resume exactly/ },
];

// Smaller than the short profile: a weak server fails on the first few cases, and the scenario's
// own waits, here short because they are expected to run out, are what takes the time.
const TINY: Profile = {
  ...profile('short'),
  fuzzValues: 60,
  fuzzConcurrency: 16,
  floodSockets: 20,
  slowlorisClients: 2,
  slowBytes: 2 * 1024 * 1024,
  slowClients: 1,
  fastClients: 1,
  churnCycles: 200,
  stormClients: 100,
  shutdownClients: 10,
  contentRandom: 20,
  bigPayloadBytes: 64 * 1024,
  slowBodyClients: 7,
  slowPublishClients: 2,
  idleH2Connections: 3,
  waitMs: 1500,
};

// Side by side, three at a time: each case mostly waits (its scenario's own waits run out on a
// weak server), and each carries its weakness in its async context, so none leaks into another.
describe('soak expectations fail against a weak server (a tiny profile)', { concurrency: 3 }, () => {
  for (const { name, scenario, weakness, expected } of CASES) {
    it(`${name} fails against ${JSON.stringify(weakness)}`, async () => {
      const started = performance.now();
      const result = await withWeakSoakServers(weakness, () => scenario(TINY));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      for (const pattern of [expected].flat()) {
        assert.ok(result.failures.some((failure) => pattern.test(failure)), `${name} (${seconds} s) reported ${JSON.stringify(result.failures)}`);
      }
    });
  }
});

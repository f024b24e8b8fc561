import { after } from 'node:test';
import { startFixture, type RunningFixture } from './fixtures/fixture-server.js';
import { conformanceSuite } from './suite.js';

// The node:test form, as a project would put it in its own CI: one test per rule.
let fixture: RunningFixture | undefined;
after(() => fixture?.close());

conformanceSuite(
  async () => {
    fixture = await startFixture({ headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' } });
    return { url: fixture.url, publishUrl: fixture.publishUrl, observeSeconds: 1.5, heartbeatMaxMs: 1500, timeoutMs: 2000 };
  },
  { 'SSE-S16': { fail: 'listed to show that n/a stays n/a' } },
);

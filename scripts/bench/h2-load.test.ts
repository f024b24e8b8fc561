import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SseServer } from 'sse-reference';
import { makeCertificate } from 'sse-reference/testing';
import { H2LoadGenerator } from './h2-load.js';
import { createBenchReferenceServer } from './reference-server.js';

// Small and bounded: a few HTTP/2 streams over two sessions on real loopback sockets, over h2c and
// over TLS, to show the HTTP/2 load generator counts and times what the reference server sends.
const STREAMS = 12;

for (const transport of ['h2c', 'tls'] as const) {
  describe(`H2LoadGenerator against the reference server over ${transport}`, () => {
    let app: SseServer;
    let load: H2LoadGenerator;

    before(async () => {
      app = createBenchReferenceServer({ host: '127.0.0.1', ...(transport === 'h2c' ? { h2c: true } : { tls: makeCertificate() }) });
      const { port } = await app.listen();
      const base = `${transport === 'h2c' ? 'http' : 'https'}://127.0.0.1:${port}`;
      load = new H2LoadGenerator({ streamUrl: `${base}/feed`, publishUrl: `${base}/publish`, burstUrl: `${base}/bench/burst`, sessions: 2, sampleEvery: 3 });
    });

    after(async () => {
      await load.close();
      await app.close();
    });

    it('opens every stream over the shared sessions', async () => {
      const open = await load.open(STREAMS, 4);
      assert.equal(open.opened, STREAMS);
      assert.equal(open.failed, 0);
      assert.ok(open.headersP99Ms >= open.headersP50Ms && open.headersP50Ms > 0);
      assert.equal(app.metrics().openStreams, STREAMS);
    });

    it('counts a burst on every stream exactly once', async () => {
      const before = load.total;
      const burst = await load.burst(25, 70);
      assert.equal(burst.isComplete, true);
      assert.equal(load.total - before, 25 * STREAMS);
    });

    it('publishes at a steady rate and measures latency on the sampled streams', async () => {
      const rate = await load.rate(50, 0.2, 70);
      assert.equal(rate.delivered, rate.expected);
      // Streams 0, 3, 6 and 9 are sampled: 4 streams × 10 events.
      assert.equal(rate.samples, 40);
      assert.equal(load.errors.length, 0);
      assert.equal(load.unexpectedCloses, 0);
    });
  });
}

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SseServer } from 'sse-reference';
import { LoadGenerator, padData } from './load-generator.js';
import { createNaiveServer } from './naive-server.js';
import { createBenchReferenceServer } from './reference-server.js';
import { feedChannel } from 'sse-reference/testing';

// Small and bounded: a few streams on real loopback sockets, to show the load generator counts
// and times what both servers send. The bench itself is `npm run bench`, not a test.
const STREAMS = 12;

describe('LoadGenerator against the naive baseline', () => {
  let server: Server;
  let base = '';
  let load: LoadGenerator;

  before(async () => {
    server = createNaiveServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    load = new LoadGenerator({
      streamUrl: `${base}/events`,
      publishUrl: `${base}/publish`,
      burstUrl: `${base}/bench/burst`,
      localAddresses: ['127.0.0.1', '127.0.0.2'],
      sampleEvery: 3,
    });
  });

  after(async () => {
    await load.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('opens every stream and times each to the end of its response head', async () => {
    const open = await load.open(STREAMS, 4);
    assert.equal(open.opened, STREAMS);
    assert.equal(open.failed, 0);
    assert.ok(open.headersP99Ms >= open.headersP50Ms && open.headersP50Ms > 0);
    assert.equal(load.openStreams, STREAMS);
  });

  it('counts a burst on every stream exactly once', async () => {
    const before = load.total;
    const burst = await load.burst(25, 70);
    assert.equal(burst.isComplete, true);
    assert.equal(burst.deliveries, 25 * STREAMS);
    assert.equal(load.total - before, 25 * STREAMS);
  });

  it('publishes at a steady rate and measures latency on the sampled streams', async () => {
    const rate = await load.rate(50, 0.2, 70);
    assert.equal(rate.offered, 10);
    assert.equal(rate.delivered, rate.expected);
    // Streams 0, 3, 6 and 9 are sampled: 4 streams × 10 events.
    assert.equal(rate.samples, 40);
    assert.ok(rate.p50Ms >= 0 && rate.p99Ms >= rate.p50Ms && rate.maxMs >= rate.p99Ms);
    assert.deepEqual(load.errors, []);
  });

  it('falls back to one publish per event when there is no burst URL', async () => {
    const single = new LoadGenerator({ streamUrl: `${base}/events`, publishUrl: `${base}/publish` });
    try {
      await single.open(2);
      const burst = await single.burst(3, 20);
      assert.equal(burst.isComplete, true);
      assert.equal(single.total, 6);
    } finally {
      await single.close();
    }
  });
});

describe('LoadGenerator against the reference server', () => {
  let app: SseServer;
  let base = '';

  before(async () => {
    app = createBenchReferenceServer({ heartbeatMs: 0 });
    const { port } = await app.listen();
    base = `http://127.0.0.1:${port}`;
  });

  after(() => app.close());

  it('counts the merged burst written by the bench route', async () => {
    const load = new LoadGenerator({ streamUrl: `${base}/feed`, burstUrl: `${base}/bench/burst` });
    try {
      await load.open(STREAMS);
      const burst = await load.burst(100, 70);
      assert.equal(burst.isComplete, true);
      assert.equal(load.total, 100 * STREAMS);
      assert.equal(feedChannel(app).stats.published, 100);
    } finally {
      await load.close();
    }
  });

  it('reports a stream that was not answered 200 as failed', async () => {
    const load = new LoadGenerator({ streamUrl: `${base}/nowhere`, burstUrl: `${base}/bench/burst` });
    try {
      const open = await load.open(2);
      assert.equal(open.opened, 0);
      assert.equal(open.failed, 2);
      assert.deepEqual(open.firstErrors, ['status 404', 'status 404']);
    } finally {
      await load.close();
    }
  });

  it('answers 400 to a burst request that is not JSON', async () => {
    const response = await fetch(`${base}/bench/burst`, { method: 'POST', body: 'nope' });
    assert.equal(response.status, 400);
    await response.text();
  });
});

describe('padData', () => {
  it('pads to the asked length and never cuts the prefix', () => {
    assert.equal(padData('t=1', 8), 't=1 xxxx');
    assert.equal(padData('t=12345', 3), 't=12345');
  });
});

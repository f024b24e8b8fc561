import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSseServer, type SseServer } from 'sse-reference';
import { BlockReader, StormClients } from './storm-client.js';
import { parseListenCounters, renderStormSection, STORM_PROFILE, UNSLICED, type PublisherRow, type StormRow } from './storm.js';

describe('BlockReader', () => {
  const STREAM = 'retry: 2500\n\nid: e-4\n\nid: e-5\ndata: t=1700000000000.5 xx\n\nevent: reset\nid: e-9\ndata: {}\n\n';

  function read(chunks: readonly string[]) {
    const blocks: [string | undefined, number, boolean, boolean, number | undefined][] = [];
    const retries: number[] = [];
    const reader = new BlockReader({ onBlock: (...block) => blocks.push(block), onRetry: (ms) => retries.push(ms) });
    for (const chunk of chunks) reader.push(Buffer.from(chunk, 'latin1'));
    return { blocks, retries };
  }

  it('reads ids, data, stamps, resets and retry hints, however the bytes are cut', () => {
    const whole = read([STREAM]);
    assert.deepEqual(whole.retries, [2500]);
    assert.deepEqual(whole.blocks, [
      ['e-4', 4, false, false, undefined],
      ['e-5', 5, true, false, 1700000000000.5],
      ['e-9', 9, true, true, undefined],
    ]);
    for (let cut = 1; cut < STREAM.length; cut++) assert.deepEqual(read([STREAM.slice(0, cut), STREAM.slice(cut)]), whole);
  });
});

describe('parseListenCounters', () => {
  it('reads ListenOverflows and ListenDrops from the TcpExt lines', () => {
    const text = 'TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 12 15\nIpExt: InNoRoutes\nIpExt: 0\n';
    assert.deepEqual(parseListenCounters(text), { overflows: 12, drops: 15 });
  });

  it('refuses a text without them', () => {
    assert.throws(() => parseListenCounters('IpExt: InNoRoutes\nIpExt: 0\n'), /No TcpExt ListenOverflows/);
  });
});

describe('StormClients against the reference server', () => {
  let app: SseServer;
  let port: number;
  before(async () => {
    app = createSseServer({ port: 0, tickMs: 20, retryMs: 300, heartbeatMs: 0, shutdownGraceMs: 200, maxPerClient: 100 });
    ({ port } = await app.listen());
  });
  after(() => app.close());

  it('comes back after each retry hint with Last-Event-ID, and catches up with no gap and no duplicate', async () => {
    const clients = new StormClients({ host: '127.0.0.1', port, path: '/feed', localAddresses: [] });
    try {
      assert.equal(await clients.openStreams(20, 5), 20);
      clients.arm();
      clients.drop();
      const result = await clients.settle(5000);
      assert.equal(result.caughtUp, 20);
      assert.deepEqual([result.gaps, result.duplicates, result.resets], [0, 0, 0]);
      // Hints of 300 ms ± 20 %: every client came back after its own, not before.
      assert.ok(result.jitterAllowsS >= 0.24 && result.jitterAllowsS <= 0.5, `jitter allows ${result.jitterAllowsS} s`);
      assert.equal(result.arrivals.reduce((a, b) => a + b, 0), 20);
      assert.ok(clients.head > 0);
    } finally {
      clients.close();
    }
  });
});

describe('the storm section of docs/benchmarks.md', () => {
  const storm: StormRow = {
    kind: 'proxy drop',
    rep: 1,
    clients: 2000,
    caughtUp: 2000,
    allCaughtUpS: 3.7,
    jitterAllowsS: 3.6,
    lateS: 0.1,
    lateP50Ms: 10,
    lateP99Ms: 50,
    clientLateP99Ms: 5,
    serverP99Ms: 45,
    gaps: 0,
    duplicates: 0,
    resets: 0,
    refused: 0,
    arrivals: [0, 5, 7],
    serverCpuS: 1,
    peakRssBytes: 100 * 2 ** 20,
    listenOverflows: 0,
    listenDrops: 0,
  };
  const publisher = (slice: number, mode: PublisherRow['mode'], perSecond: number, serverCpuS: number): PublisherRow => ({
    mode,
    slice,
    rep: 1,
    streams: 10_000,
    sent: 100,
    perSecond,
    answerP99Ms: 5,
    serverCpuS,
    completeness: 1,
    deliveries: 1_000_000,
    samples: 100,
    p50Ms: 20,
    p99Ms: 80,
    maxMs: 90,
    gaps: 0,
    duplicates: 0,
  });

  it('gives each target a verdict and the slicing its ratio against one pass', () => {
    const text = renderStormSection({
      storms: [storm],
      publishers: [publisher(100, 'sequential', 1200, 1), publisher(100, 'paced', 10, 1.1), publisher(UNSLICED, 'sequential', 10, 1), publisher(UNSLICED, 'paced', 10, 1)],
      profile: STORM_PROFILE,
      finishedAt: 'now',
      node: 'v20',
      load: '0.10',
      analysis: 'Read it so.',
    });
    assert.match(text, /^<!-- section: storm -->\n/);
    assert.match(text, /\| slices of 100 \| 1200 \|[^\n]*≥ 1,000 \/s: met; p99 ≤ 100 ms: met \|/);
    assert.match(text, /\| slices of 100 \|[^\n]*\| 1\.10× \|/);
    assert.match(text, /\| 2,000 \/ 2,000 \| proxy drop \(rep 1\) \| 3\.70 s \| 3\.60 s \| 0\.10 s met \|[^\n]*\| 0 5 7 \|/);
    assert.match(text, /Read it so\.\n<!-- \/section -->$/);
  });
});

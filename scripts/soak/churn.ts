import { connect } from 'node:net';
import { pool } from './pool.js';
import { SOURCE_ADDRESSES } from './profile.js';
import { mib, scenario } from './report.js';
import type { ServerStats } from './server-main.js';
import { startSoakServer } from './soak-server.js';

/** How one cycle leaves. */
type CycleKind = 'after-headers' | 'mid-write' | 'mid-request' | 'reset' | 'half-close' | 'head';
const KINDS: readonly CycleKind[] = ['after-headers', 'mid-write', 'mid-request', 'reset', 'half-close', 'head'];
const HEAP_GROWTH_BOUND = 4 * 1024 * 1024;

/**
 * Churn: many connect/disconnect cycles of six kinds (after the headers, in the middle of a replay
 * write, half-way through the request, with a TCP reset, with a half-close, a HEAD), then every
 * count the server keeps must be back at its baseline: streams, subscribers, heartbeat entries and
 * timer, leases, sockets, active handles, and the heap after a collection.
 */
export const churn = scenario('churn', async (findings, profile) => {
  const server = await startSoakServer({
    options: { tickMs: 50, heartbeatMs: 200, maxPerClient: 1_000_000, maxConnections: 100_000, historyEvents: 5000 },
  });
  try {
    // A history of ~300 KiB, so a resume from its start is a write still going when the client leaves.
    await server.command({ cmd: 'pump', count: 300, bytes: 1024, perTick: 300, intervalMs: 0 });
    const { epoch, oldest } = await server.stats();
    const replayFrom = `${epoch}-${oldest}`;
    const fresh = await server.stats(true);
    const tally = new Map<string, number>();
    const run = async (cycles: number): Promise<void> => {
      await pool(Array.from({ length: cycles }, (_, i) => i), profile.churnConcurrency, async (i) => {
        const kind = KINDS[i % KINDS.length] as CycleKind;
        const outcome = await cycle(server.port, SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] as string, kind, replayFrom);
        const key = `${kind}: ${outcome}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      });
    };
    // A warm-up round first, so the baseline already includes what the first connections allocate once.
    await run(Math.min(2000, Math.ceil(profile.churnCycles / 10)));
    const baseline = await server.settle((s) => s.openStreams === 0 && s.connections === 0, 10_000);
    const churnStarted = performance.now();
    // In two halves: memory that keeps growing in the second half is a leak; memory that the
    // allocator keeps after the first half for reuse levels off.
    await run(Math.floor(profile.churnCycles / 2));
    const half = await server.settle((s) => s.openStreams === 0 && s.connections === 0, 10_000);
    await run(profile.churnCycles - Math.floor(profile.churnCycles / 2));
    const churnSeconds = (performance.now() - churnStarted) / 1000;
    const after = await server.settle((s) => s.openStreams === 0 && s.connections === 0 && s.heapUsed - baseline.heapUsed < HEAP_GROWTH_BOUND, 10_000);

    findings.row('cycles (after the warm-up)', profile.churnCycles);
    findings.row('cycles per second', Math.round(profile.churnCycles / churnSeconds));
    for (const [key, n] of [...tally].sort()) findings.row(`cycle ${key}`, n);
    const compare = (name: string, pick: (s: ServerStats) => number | boolean | string): void => {
      findings.row(`${name}: fresh / baseline / after`, `${pick(fresh)} / ${pick(baseline)} / ${pick(after)}`);
    };
    compare('open streams', (s) => s.openStreams);
    compare('/feed subscribers', (s) => s.subscribers);
    compare('heartbeat entries', (s) => s.heartbeatStreams);
    compare('heartbeat timer running', (s) => s.heartbeatTimer);
    compare('leases held', (s) => s.leases);
    compare('sockets', (s) => s.connections);
    compare('active handles', (s) => resources(s));
    compare('heap used', (s) => mib(s.heapUsed));
    compare('RSS', (s) => mib(s.rss));
    findings.row('heap / RSS after the first half', `${mib(half.heapUsed)} / ${mib(half.rss)}`);
    findings.row('RSS growth in the first / second half', `${mib(half.rss - baseline.rss)} / ${mib(after.rss - half.rss)}`);
    const counters = after.counters as { streamsOpened: number; slowCut: Record<string, number> };
    findings.row('streams opened in all', counters.streamsOpened);
    const expected = new Set([
      'after-headers: left after the headers',
      'mid-write: left mid-write',
      'mid-request: left mid-request',
      'reset: reset after the headers',
      'half-close: closed by server',
      'head: closed by server',
    ]);
    const unexpected = [...tally].filter(([key]) => !expected.has(key));
    findings.expect(unexpected.length === 0, `unexpected cycle outcomes: ${JSON.stringify(unexpected)}`);
    for (const [name, pick] of [
      ['open streams', (s: ServerStats) => s.openStreams],
      ['subscribers', (s: ServerStats) => s.subscribers],
      ['heartbeat entries', (s: ServerStats) => s.heartbeatStreams],
      ['leases', (s: ServerStats) => s.leases],
      ['sockets', (s: ServerStats) => s.connections],
    ] as const) {
      findings.expect(pick(after) === pick(baseline), `${name}: ${pick(after)} after, ${pick(baseline)} at the baseline`);
    }
    findings.expect(!after.heartbeatTimer, 'the heartbeat timer still runs with no stream open');
    findings.expect(resources(after) === resources(baseline), `active handles ${resources(after)} after, ${resources(baseline)} at the baseline`);
    findings.expect(after.heapUsed - baseline.heapUsed < HEAP_GROWTH_BOUND, `heap grew by ${mib(after.heapUsed - baseline.heapUsed)} (bound ${mib(HEAP_GROWTH_BOUND)})`);
    findings.expect(server.stderr() === '', `the server wrote on stderr: ${server.stderr().slice(0, 300)}`);
    return { tally: Object.fromEntries(tally), fresh, baseline, half, after, churnSeconds };
  } finally {
    await server.stop();
  }
});

function resources(s: ServerStats): string {
  return Object.entries(s.resources)
    .sort()
    .map(([name, n]) => `${name}×${n}`)
    .join(' ');
}

/** One connect/disconnect cycle; resolves with what the client saw before it left. */
function cycle(port: number, localAddress: string, kind: CycleKind, replayFrom: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let received = 0;
    let text = '';
    let isDone = false;
    const done = (outcome: string): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('timed out'), 5000);
    const request = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
    socket.on('error', (error: NodeJS.ErrnoException) => done(`error ${error.code ?? error.message}`));
    socket.on('close', () => done(received > 0 ? 'closed by server' : 'closed before any byte'));
    socket.on('connect', () => {
      switch (kind) {
        case 'after-headers':
          socket.write(request('/feed'));
          break;
        case 'mid-write':
          socket.write(request('/feed', `Last-Event-ID: ${replayFrom}\r\n`));
          break;
        case 'mid-request':
          socket.write('GET /feed HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Ev');
          setImmediate(() => done('left mid-request'));
          break;
        case 'reset':
          socket.write(request('/events'));
          break;
        case 'half-close':
          socket.end(request('/time'));
          break;
        case 'head':
          socket.write(`HEAD /feed HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
          break;
      }
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (text.length < 2048) text += chunk.toString('latin1', 0, 2048);
      if (!text.startsWith('HTTP/1.1 200')) return done(`status ${text.slice(9, 12)}`);
      if (kind === 'after-headers' && text.includes('\r\n\r\n')) done('left after the headers');
      else if (kind === 'mid-write' && received > 16 * 1024 && received < 300 * 1024) done('left mid-write');
      else if (kind === 'mid-write' && received >= 300 * 1024) done('left after the replay');
      else if (kind === 'reset' && text.includes('\r\n\r\n')) {
        isDone = true;
        clearTimeout(timer);
        socket.resetAndDestroy();
        resolve('reset after the headers');
      }
    });
  });
}

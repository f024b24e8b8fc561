import { readFileSync } from 'node:fs';
import { getRequest, rawRequest, simpleGet, type RawResponse } from './raw-client.js';
import { percentile } from '../lib/stats.js';
import { scenario } from './report.js';
import { startSoakServer } from './soak-server.js';

/**
 * Reconnect storm: a server restarts and every client comes back at the same moment with the
 * `Last-Event-ID` it held. Each must get `200` and either the `reset` (epoch changed) or, past the
 * connection cap, a `retry:` hint and the end of the response. Never another status, never a hang.
 */
export const reconnectStorm = scenario('reconnect-storm', async (findings, profile) => {
  const cap = Math.floor(profile.stormClients * 0.8);
  const options = { tickMs: 0, heartbeatMs: 0, maxConnections: cap, maxPerClient: profile.stormClients };
  const before = await startSoakServer({ options });
  await before.command({ cmd: 'pump', count: 100, bytes: 100, perTick: 100, intervalMs: 0 });
  const oldEpoch = before.epoch;
  await before.stop();
  const server = await startSoakServer({ options });
  try {
    const overflowsBefore = listenOverflows();
    const clients: RawResponse[] = [];
    // From 127.0.0.1 with no explicit bind: after the churn has left ~100,000 sockets in TIME_WAIT on
    // the other loopback addresses, binding a source port there first is slow on the client side.
    for (let i = 0; i < profile.stormClients; i++) {
      clients.push(rawRequest({ port: server.port }, getRequest('/feed', [`Last-Event-ID: ${oldEpoch}-${1 + (i % 100)}`])));
    }
    await Promise.all(clients.map((c) => c.waitFor((r) => r.parser.events.length > 0 || r.isComplete, 30_000)));
    const overflows = listenOverflows() - overflowsBefore;
    const served: number[] = [];
    const refused: number[] = [];
    const wrong: string[] = [];
    const retries: number[] = [];
    for (const c of clients) {
      const first = c.parser.events[0];
      retries.push(...c.parser.retries);
      if (c.status !== 200) wrong.push(`status ${c.status} ${c.error ?? ''}`);
      else if (first !== undefined && first.type === 'reset' && (JSON.parse(first.data) as { reason: string }).reason === 'epoch') {
        served.push((c.times.firstEvent ?? 0) - c.times.start);
      } else if (first === undefined && c.isComplete && c.parser.retries.length === 1) {
        refused.push((c.times.closed ?? c.times.head ?? 0) - c.times.start);
      } else wrong.push(`first event ${first?.type ?? 'none'}, complete ${c.isComplete}, error ${c.error ?? 'none'}`);
    }
    const health = await simpleGet({ port: server.port }, '/health');
    const stats = await server.stats();
    for (const c of clients) c.destroy();
    const after = await server.settle((s) => s.openStreams === 0 && s.leases === 0, 10_000);
    const all = [...served, ...refused];
    const spread = { min: Math.min(...retries), max: Math.max(...retries), distinct: new Set(retries).size };

    findings.row('clients reconnecting at once', profile.stormClients);
    findings.row('connection cap', cap);
    findings.row('served: 200 + reset (epoch)', served.length);
    findings.row('told to retry: 200 + retry: + end', refused.length);
    findings.row('anything else', wrong.length);
    findings.row('time to first event p50 / p99 / max (ms)', `${percentile(served, 50).toFixed(0)} / ${percentile(served, 99).toFixed(0)} / ${Math.max(...served).toFixed(0)}`);
    findings.row('time to the retry answer p50 / p99 (ms)', `${percentile(refused, 50).toFixed(0)} / ${percentile(refused, 99).toFixed(0)}`);
    findings.row('every client answered within (s)', (Math.max(...all) / 1000).toFixed(2));
    findings.row('retry: values min / max / distinct', `${spread.min} / ${spread.max} / ${spread.distinct}`);
    findings.row('streams open at the peak', stats.openStreams);
    // Node listens with a backlog of 511: past it the kernel drops handshakes and clients retransmit.
    findings.row('accept-queue overflows (kernel counter, whole machine)', Number.isNaN(overflows) ? 'n/a' : overflows);
    findings.row('/health right after', health.status);
    findings.expect(wrong.length === 0, `${wrong.length} clients got something else, e.g. ${JSON.stringify(wrong.slice(0, 3))}`);
    findings.expect(served.length + refused.length === profile.stormClients, 'not every client was answered');
    findings.expect(served.length === cap, `${served.length} served, the cap is ${cap}`);
    findings.expect(spread.min >= 2400 && spread.max <= 3600 && spread.distinct > 1, `retry hints are not jittered within 3000 ± 20 %: ${JSON.stringify(spread)}`);
    findings.expect(health.status === 200, `/health answered ${health.status} after the storm`);
    findings.expect(after.openStreams === 0 && after.leases === 0, `afterwards ${after.openStreams} streams, ${after.leases} leases`);
    return { served: served.length, refused: refused.length, wrong: wrong.slice(0, 20), p99: percentile(served, 99), spread };
  } finally {
    await server.stop();
  }
});

/** The kernel's count of connections dropped because an accept queue was full (Linux), or NaN. */
function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((line) => line.startsWith('TcpExt:'));
    const names = (lines[0] ?? '').split(' ');
    const values = (lines[1] ?? '').split(' ');
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return Number.NaN;
  }
}

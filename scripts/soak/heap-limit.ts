import { setTimeout as sleep } from 'node:timers/promises';
import { postJson, startFaultCli, type FaultCli, type PostResult } from './fault-tools.js';
import { SOURCE_ADDRESSES } from './profile.js';
import { getRequest, rawRequest, simpleGet, type RawResponse } from './raw-client.js';
import { mib, scenario } from './report.js';

const HEAP_MB = 48;
const EVENT_BYTES = 16 * 1024;
const BURST = 32;

/**
 * A heap near its limit under bursts to slow readers: the real command line runs with
 * `--max-old-space-size=48`, many clients never read, and bursts of 16 KiB events are posted
 * until tens of MiB have gone out. Every slow reader must be cut (by its pending-bytes budget)
 * long before memory runs out, the process must not crash, and a reader that keeps up must get
 * every acknowledged event in order.
 *
 * @param extraArgs - flags after the scenario's own (a later flag wins), to run it against a weakened server
 */
export const heapLimit = scenario('heap-limit', async (findings, profile, extraArgs: readonly string[] = []) => {
  let server: FaultCli | undefined;
  const slow: RawResponse[] = [];
  let fast: RawResponse | undefined;
  try {
    server = await startFaultCli(['--tick', '0', '--publish-local', '--heartbeat', '0', '--max-per-client', '100000', ...extraArgs], { nodeArgs: [`--max-old-space-size=${HEAP_MB}`] });
    const port = server.port;
    fast = rawRequest({ port }, getRequest('/feed'));
    for (let i = 0; i < profile.heapSlowClients; i++) {
      const res = rawRequest({ port, localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] }, getRequest('/feed'));
      res.socket.pause();
      slow.push(res);
    }
    await fast.waitFor((r) => r.parser.retries.length > 0, 5000);
    await sleep(200);
    const rssBefore = server.peakRss();
    const count = Math.ceil(profile.heapBurstBytes / EVENT_BYTES);
    const answers: PostResult[] = [];
    const ids: string[] = [];
    const pad = 'x'.repeat(EVENT_BYTES - 100);
    for (let sent = 0; sent < count && server.isRunning(); ) {
      const burst = Math.min(BURST, count - sent);
      // Each burst's posts go at once, on their own connections: a publisher's burst.
      const results = await Promise.all(Array.from({ length: burst }, (_, k) => postJson(port, '/publish', { data: `${sent + k}:${pad}` }, { timeoutMs: 10_000 })));
      for (const r of results) {
        answers.push(r);
        if (r.status === 202) ids.push((JSON.parse(r.body) as { id: string }).id);
      }
      sent += burst;
      // The next burst waits for the reader that keeps up: a 202 says the event is stored, not
      // delivered, so a publisher that only waited for its answers would outrun any reader on a
      // busy machine and get it cut as slow. The slow readers are not waited for.
      const acknowledged = ids.length;
      await fast.waitFor((r) => r.parser.events.length >= acknowledged, 10_000);
    }
    const last = ids.at(-1);
    await fast.waitFor((r) => r.parser.events.some((e) => e.id === last), 15_000);
    const metrics = server.isRunning() ? (await simpleGet({ port }, '/metrics')).body : '';
    const cut = [...metrics.matchAll(/^sse_slow_clients_cut_total\{cause="\w+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const peakRss = server.peakRss();
    const isRunning = server.isRunning();
    const stderr = server.stderr();
    const fastIds = fast.parser.events.map((e) => e.id);
    const fastMissing = ids.filter((id) => !fastIds.includes(id)).length;
    const fastOrdered = fastIds.every((id, i) => i === 0 || Number(id.split('-')[1]) === Number(fastIds[i - 1]?.split('-')[1]) + 1);
    fast.destroy();
    const exitCode = await server.stop();

    findings.row('heap limit (--max-old-space-size)', `${HEAP_MB} MiB`);
    findings.row('slow readers (never read), fast readers', `${profile.heapSlowClients}, 1`);
    findings.row('events posted in bursts of 32 (bytes each)', `${count} (${EVENT_BYTES})`);
    findings.row('bytes published', mib(count * EVENT_BYTES));
    findings.row('posts answered 202', `${ids.length} / ${answers.length}`);
    findings.row('slow readers cut (per /metrics)', `${cut} / ${profile.heapSlowClients}`);
    findings.row('fast reader: acknowledged events missing, in order', `${fastMissing}, ${fastOrdered}`);
    findings.row('server peak RSS (VmHWM) before → after', `${mib(rssBefore)} → ${mib(peakRss)}`);
    findings.row('crashed, exit code', `${!isRunning}, ${exitCode}`);
    findings.expect(isRunning, `the server died under the heap limit: ${stderr.slice(0, 600)}`);
    findings.expect(ids.length === answers.length, `${answers.length - ids.length} posts were not acknowledged`);
    findings.expect(cut === profile.heapSlowClients, `${cut} of ${profile.heapSlowClients} slow readers were cut`);
    findings.expect(fastMissing === 0 && fastOrdered, `the fast reader missed ${fastMissing} events (in order: ${fastOrdered})`);
    findings.expect(exitCode === 0, `exit code ${exitCode}`);
    return { peakRss, cut };
  } catch (error) {
    findings.expect(false, `heap-limit stopped: ${(error as Error).message} ${server?.stderr().slice(0, 400) ?? ''}`);
    return undefined;
  } finally {
    fast?.destroy();
    for (const r of slow) r.destroy();
    await server?.kill();
  }
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seqOf, startFaultCli } from './fault-tools.js';
import { getRequest, rawRequest, type RawResponse } from './raw-client.js';
import { percentile } from '../lib/stats.js';
import { scenario } from './report.js';
import { startSoakServer } from './soak-server.js';

const PATHS = ['/feed', '/feed', '/feed', '/events', '/time', '/named'];
const GRACE_MS = 2000;

/**
 * Shutdown and restart of the real CLI (`dist/server.js`): with clients connected, SIGTERM must
 * give every stream a `retry:` hint and a clean end, and the process must exit 0. After a restart,
 * every `/feed` client that comes back with its `Last-Event-ID` must learn (`reset`, reason
 * `epoch`) that it has to refetch: the history was in memory and is gone. Then the same with
 * durable history (`--history-file`): every client resumes after the restart with nothing lost.
 */
export const shutdownRestart = scenario('shutdown-restart', async (findings, profile) => {
  const args = ['--tick', '50', '--max-per-client', String(profile.shutdownClients * 2), '--heartbeat', '0'];
  const first = await startFaultCli(args);
  const clients: { path: string; res: RawResponse }[] = [];
  for (let i = 0; i < profile.shutdownClients; i++) {
    const path = PATHS[i % PATHS.length] as string;
    clients.push({ path, res: rawRequest({ port: first.port }, getRequest(path)) });
  }
  // Every /feed client holds an id before the shutdown; the others hold their first retry hint.
  await Promise.all(clients.map((c) => c.res.waitFor((r) => (c.path === '/feed' ? r.parser.events.length > 0 : r.parser.retries.length > 0), 10_000)));
  const signalled = performance.now();
  const exit = first.stop(GRACE_MS + 5000);
  await Promise.all(clients.map((c) => c.res.waitFor((r) => r.isClosed, GRACE_MS + 3000)));
  const code = await exit;
  const exitMs = performance.now() - signalled;
  const endMs = clients.map((c) => (c.res.times.closed ?? Number.POSITIVE_INFINITY) - signalled);
  const clean = clients.filter((c) => c.res.isComplete && c.res.error === undefined && c.res.parser.retries.length >= 2 && !c.res.parser.hasPartial());
  const hints = clients.map((c) => c.res.parser.retries.at(-1) ?? 0);

  const second = await startFaultCli(args);
  const feed = clients.filter((c) => c.path === '/feed');
  const oldEpoch = feed[0]?.res.parser.events[0]?.id.split('-')[0];
  const back = feed.map((c) => rawRequest({ port: second.port }, getRequest('/feed', [`Last-Event-ID: ${c.res.parser.events.at(-1)?.id ?? ''}`])));
  await Promise.all(back.map((r) => r.waitFor((x) => x.parser.events.length > 0, 10_000)));
  const resets = back.filter((r) => {
    const event = r.parser.events[0];
    if (event?.type !== 'reset' || r.status !== 200) return false;
    const data = JSON.parse(event.data) as { reason?: string; epoch?: string };
    return data.reason === 'epoch' && data.epoch !== oldEpoch && event.id.startsWith(`${data.epoch}-`);
  }).length;
  for (const r of back) r.destroy();
  const secondCode = await second.stop(GRACE_MS + 5000);

  const durable = await durableRestart(Math.max(4, Math.floor(profile.shutdownClients / 2)));
  const crash = await durableCrash(Math.max(4, Math.floor(profile.shutdownClients / 10)));

  findings.row('clients connected at SIGTERM', clients.length);
  findings.row('streams ended cleanly with a retry: hint', `${clean.length} / ${clients.length}`);
  findings.row('time to each end p50 / max (ms)', `${percentile(endMs, 50).toFixed(0)} / ${Math.max(...endMs).toFixed(0)}`);
  findings.row('retry: hints at shutdown min / max', `${Math.min(...hints)} / ${Math.max(...hints)}`);
  findings.row('exit code, time to exit (ms)', `${code}, ${exitMs.toFixed(0)}`);
  findings.row('/feed clients back after the restart', back.length);
  findings.row('told reset (epoch) with the new epoch', `${resets} / ${back.length}`);
  findings.row('second server exit code', String(secondCode));
  findings.row('durable history: /feed clients (left early / at SIGTERM)', `${durable.clients} (${durable.leftEarly} / ${durable.clients - durable.leftEarly})`);
  findings.row('durable history: resumed with nothing lost, no reset', `${durable.exact} / ${durable.clients}`);
  findings.row('durable history: events replayed after the restart min / max', `${durable.replayedMin} / ${durable.replayedMax}`);
  findings.row('durable history: same epoch, ids continue after the restart', String(durable.isContinued));
  findings.row('durable history, crash: clients following a fast publisher at SIGKILL', crash.clients);
  findings.row('durable history, crash: highest id a client held / head after the restart', `${crash.lastSeen} / ${crash.headAfter}`);
  findings.row('durable history, crash: clients resumed exactly (no reset)', `${crash.exact} / ${crash.clients}`);
  findings.expect(crash.exact === crash.clients && crash.headAfter >= crash.lastSeen, `after a crash, ${crash.clients - crash.exact} clients did not resume exactly: ${crash.sample}`);
  findings.expect(durable.exact === durable.clients, `${durable.clients - durable.exact} clients did not resume exactly over durable history: ${durable.sample}`);
  findings.expect(durable.isContinued, 'the restarted server did not continue the epoch and the sequence from the history file');
  findings.expect(durable.codes.every((c) => c === 0), `durable-history server exit codes ${durable.codes.join(', ')}`);
  findings.expect(clean.length === clients.length, `${clients.length - clean.length} streams did not end cleanly with a retry: hint`);
  findings.expect(code === 0 && secondCode === 0, `exit codes ${code}, ${secondCode}`);
  findings.expect(Math.max(...endMs) <= GRACE_MS, `a stream ended ${Math.max(...endMs).toFixed(0)} ms after SIGTERM, past the ${GRACE_MS} ms grace`);
  findings.expect(resets === back.length && back.length > 0, `${back.length - resets} /feed clients were not told reset (epoch)`);
  return { code, exitMs, endMs: { p50: percentile(endMs, 50), max: Math.max(...endMs) }, resets, back: back.length, stdout: first.stdout(), durable };
});

/**
 * With `--history-file`, a restart keeps the epoch and the history: half the clients leave while
 * events flow (they miss some), the rest are ended by SIGTERM; after the restart every one comes
 * back with its last id and must get exactly the events after it, then live ones, no `reset`.
 */
async function durableRestart(count: number): Promise<{
  clients: number;
  leftEarly: number;
  exact: number;
  replayedMin: number;
  replayedMax: number;
  isContinued: boolean;
  codes: (number | null)[];
  sample: string;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-'));
  const args = ['--tick', '20', '--heartbeat', '0', '--max-per-client', String(count * 2), '--history-file', join(dir, 'feed.log')];
  try {
    const first = await startFaultCli(args);
    const clients = Array.from({ length: count }, () => rawRequest({ port: first.port }, getRequest('/feed')));
    await Promise.all(clients.map((c) => c.waitFor((r) => r.parser.events.length > 0, 10_000)));
    const leftEarly = Math.floor(count / 2);
    for (let i = 0; i < leftEarly; i++) {
      // Each leaves a little later than the one before, so they miss different stretches.
      await new Promise((resolve) => setTimeout(resolve, 15));
      clients[i]?.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const firstCode = await first.stop(GRACE_MS + 5000);
    await Promise.all(clients.map((c) => c.waitFor((r) => r.isClosed, 3000)));
    const lastSeen = clients.map((c) => c.parser.events.at(-1)?.id ?? '');
    const epoch = lastSeen[0]?.split('-')[0] ?? '';
    const headBefore = Math.max(...clients.slice(leftEarly).map((c) => seqOf(c.parser.events.at(-1)?.id)));

    const second = await startFaultCli(args);
    const back = lastSeen.map((id) => rawRequest({ port: second.port }, getRequest('/feed', [`Last-Event-ID: ${id}`])));
    // Every client must reach the first event published after the restart.
    await Promise.all(back.map((r) => r.waitFor((x) => seqOf(x.parser.events.at(-1)?.id) > headBefore, 10_000)));
    for (const r of back) r.destroy();
    const secondCode = await second.stop(GRACE_MS + 5000);
    const replayed: number[] = [];
    let exact = 0;
    let sample = '';
    back.forEach((r, i) => {
      const from = seqOf(lastSeen[i]);
      const events = r.parser.events;
      const isExact =
        r.status === 200 &&
        events.length > 0 &&
        events.every((e, k) => e.type === 'message' && e.id === `${epoch}-${from + 1 + k}`);
      if (isExact) exact++;
      else if (sample === '') sample = `from ${lastSeen[i]}: ${events.slice(0, 3).map((e) => `${e.type} ${e.id}`).join(', ')}`;
      replayed.push(events.filter((e) => seqOf(e.id) <= headBefore).length);
    });
    return {
      clients: count,
      leftEarly,
      exact,
      replayedMin: Math.min(...replayed),
      replayedMax: Math.max(...replayed),
      isContinued: back.every((r) => r.parser.events.some((e) => e.id === `${epoch}-${headBefore + 1}`)),
      codes: [firstCode, secondCode],
      sample,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A crash with durable history: clients follow `/feed` while events are published as fast as the
 * loop allows, and the server is killed with SIGKILL mid-stream. After a restart on the same file,
 * no client may hold an id the server lost: each resumes from its last id with an exact replay.
 */
async function durableCrash(count: number): Promise<{ clients: number; lastSeen: number; headAfter: number; exact: number; sample: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-crash-'));
  const options = { tickMs: 0, heartbeatMs: 0, maxPerClient: count * 2, historyEvents: 100_000, historyBytes: 64 * 1024 * 1024, historyFile: join(dir, 'feed.log') };
  try {
    const first = await startSoakServer({ options });
    const clients = Array.from({ length: count }, () => rawRequest({ port: first.port }, getRequest('/feed')));
    await Promise.all(clients.map((c) => c.waitFor((r) => r.parser.retries.length > 0, 5000)));
    // One client stops reading after 100 events, so at the crash at least one is well behind the
    // head and its resume needs a real replay (else, on a fast machine, every client could hold
    // the head and a server that kept one event would pass).
    const [laggard, ...followers] = clients as [RawResponse, ...RawResponse[]];
    laggard.socket.on('data', () => {
      if (laggard.parser.events.length >= 100) laggard.socket.pause();
    });
    void first.command({ cmd: 'pump', count: 1_000_000, bytes: 200, perTick: 20, intervalMs: 1 }).catch(() => undefined);
    await Promise.all(followers.map((c) => c.waitFor((r) => r.parser.events.length >= 300, 10_000)));
    await first.crash();
    // A paused socket never sees the close: it is dropped with what it parsed.
    laggard.destroy();
    await Promise.all(followers.map((c) => c.waitFor((r) => r.isClosed, 3000)));
    const lastIds = clients.map((c) => c.parser.events.at(-1)?.id ?? '');
    const lastSeen = Math.max(...lastIds.map(seqOf));

    const second = await startSoakServer({ options });
    try {
      const { head } = await second.stats();
      const back = lastIds.map((id) => rawRequest({ port: second.port }, getRequest('/feed', [`Last-Event-ID: ${id}`])));
      await Promise.all(back.map((r, i) => r.waitFor((x) => seqOf(x.parser.events.at(-1)?.id) >= head || (seqOf(lastIds[i]) === head && x.parser.retries.length > 0), 10_000)));
      // Give a resume at the head time to show a wrong first event, if it were to get one.
      await new Promise((resolve) => setTimeout(resolve, 100));
      let exact = 0;
      let sample = second.epoch === first.epoch ? '' : `the epoch changed from ${first.epoch} to ${second.epoch}`;
      back.forEach((r, i) => {
        const from = seqOf(lastIds[i]);
        const events = r.parser.events;
        const isExact = events.length === head - from && events.every((e, k) => e.type === 'message' && e.id === `${second.epoch}-${from + 1 + k}`);
        if (isExact && sample.startsWith('the epoch') === false) exact++;
        else if (sample === '') sample = `from ${lastIds[i]} (head ${head}): ${events.slice(0, 2).map((e) => `${e.type} ${e.id} ${e.data.slice(0, 60)}`).join(', ')}`;
        r.destroy();
      });
      return { clients: count, lastSeen, headAfter: head, exact, sample };
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

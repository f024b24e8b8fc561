import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson, publisherAgent, seqOf, startFaultCli, type FaultCli } from './fault-tools.js';
import { getRequest, rawRequest, type RawResponse } from './raw-client.js';
import { percentile } from '../lib/stats.js';
import { scenario } from './report.js';
import { createRng, type Rng } from './rng.js';

const PUBLISHERS = 4;
/** Events kept in the compacting run: the file is rewritten every 400 appends, so kills land around rewrites. */
const COMPACTING_HISTORY = 200;

/**
 * `kill -9` at random moments while publishers post to `/publish` over HTTP and a client follows
 * `/feed`, on the real command line with `--history-file`. After every restart, each event that
 * was answered `202` must be in the history, with its data, in its publisher's order, exactly
 * once; and the following client, resuming with its last id, must see no gap and no `reset`.
 * Run twice: with a history large enough to hold every event (every acknowledged event is checked),
 * and with a small one, so the file is compacted (rewritten and renamed) while the kills land
 * (every acknowledged event still retained is checked, and the sequence must never go back).
 */
export const crashPublish = scenario('crash-publish', async (findings, profile) => {
  const rng = createRng(profile.seed + 9);
  const whole = await crashRounds(profile.crashKills, undefined, rng);
  const compacting = await crashRounds(Math.max(2, Math.ceil(profile.crashKills / 2)), COMPACTING_HISTORY, rng);
  const all = [whole, compacting];
  const killAfterMs = all.flatMap((r) => r.killAfterMs);
  const restartMs = all.flatMap((r) => r.restartMs);
  const tornBytes = all.flatMap((r) => r.tornBytes);
  findings.row('kills (SIGKILL) at random moments: whole history / compacting', `${whole.kills} / ${compacting.kills}`);
  findings.row('kill after (ms) min / p50 / max', `${Math.min(...killAfterMs)} / ${percentile(killAfterMs, 50)} / ${Math.max(...killAfterMs)}`);
  findings.row('publishers, posts sent', `${PUBLISHERS}, ${whole.posts + compacting.posts}`);
  findings.row('posts answered 202 (whole / compacting)', `${whole.acked} / ${compacting.acked}`);
  findings.row('posts cut by a kill (no answer)', whole.cut + compacting.cut);
  findings.row('stored but never answered (the kill came between)', `${whole.head - whole.acked} / ${compacting.head - compacting.acked}`);
  findings.row('head after the last restart (whole / compacting)', `${whole.head} / ${compacting.head}`);
  findings.row('acknowledged events checked (whole / compacting, retained only)', `${whole.checked} / ${compacting.checked}`);
  findings.row('acknowledged events missing or changed', whole.lost + compacting.lost);
  findings.row('events stored twice', whole.duplicates + compacting.duplicates);
  findings.row('publishers whose acknowledged ids are out of order', whole.outOfOrder + compacting.outOfOrder);
  findings.row('torn last records cut on restart (bytes, max)', `${tornBytes.filter((b) => b > 0).length} (${Math.max(...tornBytes)})`);
  findings.row('restart to listening (ms) p50 / max', `${percentile(restartMs, 50).toFixed(0)} / ${Math.max(...restartMs).toFixed(0)}`);
  findings.row('following client: events seen, gaps, resets', `${whole.followed + compacting.followed}, ${whole.gaps + compacting.gaps}, ${whole.resets + compacting.resets}`);
  for (const [name, r] of [['whole history', whole], ['compacting', compacting]] as const) {
    findings.expect(r.acked > 0, `${name}: no publish was acknowledged`);
    findings.expect(r.lost === 0, `${name}: ${r.lost} acknowledged events are missing or changed after the restarts`);
    findings.expect(r.isContiguous, `${name}: the history after the last restart is not a contiguous run of ids ending at ${r.head}`);
    findings.expect(r.duplicates === 0, `${name}: ${r.duplicates} events are stored twice`);
    findings.expect(r.outOfOrder === 0, `${name}: ${r.outOfOrder} publishers' events are out of order`);
    findings.expect(r.gaps === 0 && r.resets === 0 && r.followed === r.head, `${name}: the following client saw ${r.gaps} gaps and ${r.resets} resets over ${r.followed} events (head ${r.head})`);
    findings.expect(r.problems.length === 0, `${name}: ${r.problems.join('; ')}`);
    findings.expect(r.exitCode === 0, `${name}: the last server exited with ${r.exitCode}`);
  }
  return { whole, compacting };
});

interface CrashRun {
  readonly kills: number;
  readonly posts: number;
  readonly acked: number;
  readonly cut: number;
  readonly head: number;
  readonly checked: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly isContiguous: boolean;
  readonly followed: number;
  readonly gaps: number;
  readonly resets: number;
  readonly killAfterMs: number[];
  readonly restartMs: number[];
  readonly tornBytes: number[];
  readonly problems: string[];
  readonly exitCode: number | null;
}

/** `kills` rounds of start, publish, follow, SIGKILL on one file; then a last start that reads it all back. */
async function crashRounds(kills: number, historyEvents: number | undefined, rng: Rng): Promise<CrashRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-kill9-'));
  const file = join(dir, 'feed.log');
  const keep = historyEvents ?? 1_000_000;
  const args = ['--tick', '0', '--heartbeat', '0', '--publish-local', '--history', String(keep), '--history-file', file];
  /** id → data of every 202. */
  const acked = new Map<string, string>();
  /** Per publisher, the ids acknowledged, in the order the answers came. */
  const ackOrder: string[][] = Array.from({ length: PUBLISHERS }, () => []);
  const followed: { id: string; type: string; data: string }[] = [];
  const killAfterMs: number[] = [];
  const restartMs: number[] = [];
  const tornBytes: number[] = [];
  const problems: string[] = [];
  let epoch = '';
  let lastHead = 0;
  let cut = 0;
  let posts = 0;
  let server: FaultCli | undefined;
  try {
    for (let round = 0; round < kills; round++) {
      const spawned = performance.now();
      server = await startFaultCli(args);
      restartMs.push(performance.now() - spawned);
      const described = await server.waitForOutput(/epoch ([0-9a-f]{12}), head (\d+)(?:, cut a torn last record \((\d+) bytes\))?/);
      if (described === undefined) throw new Error(`The server did not describe its history: ${server.stdout()}`);
      if (epoch === '') epoch = described[1] as string;
      if (described[1] !== epoch) problems.push(`round ${round}: the epoch changed from ${epoch} to ${described[1]}`);
      const head = Number(described[2]);
      // Every id a client holds or was answered must still exist: the sequence never goes back.
      if (head < lastHead) problems.push(`round ${round}: the head went back from ${lastHead} to ${head}`);
      tornBytes.push(Number(described[3] ?? 0));
      const port = server.port;
      // The follower comes back with its last id, as an EventSource would.
      const last = followed.at(-1)?.id;
      const follower = rawRequest({ port }, getRequest('/feed', last === undefined ? [] : [`Last-Event-ID: ${last}`]));
      await follower.waitFor((r) => r.parser.retries.length > 0, 5000);
      let isKilled = false;
      const publishers = Array.from({ length: PUBLISHERS }, async (_, p) => {
        const agent = publisherAgent();
        try {
          for (let n = 0; !isKilled; n++) {
            const data = `r${round}-p${p}-n${n}`;
            posts++;
            const answer = await postJson(port, '/publish', { data }, { agent, timeoutMs: 5000 });
            if (answer.status === 202) {
              const { id } = JSON.parse(answer.body) as { id: string };
              acked.set(id, data);
              ackOrder[p]?.push(id);
              lastHead = Math.max(lastHead, seqOf(id));
            } else {
              cut++;
              break;
            }
          }
        } finally {
          agent.destroy();
        }
      });
      // A random moment: early (during start-up traffic) or well into the flow.
      const wait = 30 + rng.int(400);
      killAfterMs.push(wait);
      await sleep(wait);
      isKilled = true;
      await server.kill();
      await Promise.all(publishers);
      await follower.waitFor((r) => r.isClosed, 3000);
      followed.push(...follower.parser.events.map((e) => ({ id: e.id, type: e.type, data: e.data })));
      lastHead = Math.max(lastHead, seqOf(followed.at(-1)?.id));
    }

    // The last restart: read back everything retained, from the oldest event kept.
    server = await startFaultCli(args);
    const head = Number((await server.waitForOutput(/head (\d+)/))?.[1] ?? 0);
    const from = Math.max(0, head - keep);
    const back: RawResponse = rawRequest({ port: server.port }, getRequest('/feed', [`Last-Event-ID: ${epoch}-${from}`]));
    await back.waitFor((r) => seqOf(r.parser.events.at(-1)?.id) >= head, 20_000);
    const last = followed.at(-1)?.id;
    const resumed = rawRequest({ port: server.port }, getRequest('/feed', last === undefined ? [] : [`Last-Event-ID: ${last}`]));
    await resumed.waitFor((r) => seqOf(r.parser.events.at(-1)?.id) >= head || (seqOf(last) === head && r.parser.retries.length > 0), 20_000);
    await sleep(50);
    followed.push(...resumed.parser.events.map((e) => ({ id: e.id, type: e.type, data: e.data })));
    back.destroy();
    resumed.destroy();
    const exitCode = await server.stop();

    const stored = new Map(back.parser.events.map((e) => [e.id, e.data]));
    const retained = [...acked].filter(([id]) => seqOf(id) > from);
    const lost = retained.filter(([id, data]) => stored.get(id) !== data).length + [...acked.keys()].filter((id) => seqOf(id) > head).length;
    const ids = back.parser.events.map((e) => seqOf(e.id));
    const isContiguous = ids.length === head - from && ids.every((seq, i) => seq === from + i + 1) && back.parser.events.every((e) => e.type === 'message');
    const datas = back.parser.events.map((e) => e.data);
    const followerSeqs = followed.map((e) => seqOf(e.id));
    return {
      kills,
      posts,
      acked: acked.size,
      cut,
      head,
      checked: retained.length,
      lost,
      duplicates: datas.length - new Set(datas).size,
      outOfOrder: ackOrder.filter((list) => list.some((id, i) => i > 0 && seqOf(id) <= seqOf(list[i - 1]))).length,
      isContiguous,
      followed: followed.length,
      gaps: followerSeqs.filter((seq, i) => seq !== i + 1).length,
      resets: followed.filter((e) => e.type !== 'message').length,
      killAfterMs,
      restartMs,
      tornBytes,
      problems,
      exitCode,
    };
  } finally {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

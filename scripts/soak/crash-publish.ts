import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson, publisherAgent, seqOf, sleep, startFaultCli, type FaultCli } from './fault-tools.js';
import type { Profile } from './profile.js';
import { getRequest, rawRequest, type RawResponse } from './raw-client.js';
import { Findings, percentile, type ScenarioResult } from './report.js';
import { createRng } from './rng.js';

const PUBLISHERS = 4;

/**
 * `kill -9` at random moments while publishers post to `/publish` over HTTP and a client follows
 * `/feed`, on the real command line with `--history-file`. After every restart, each event that
 * was answered `202` must be in the history, with its data, in its publisher's order, exactly
 * once; and the following client, resuming with its last id, must see no gap and no `reset`.
 */
export async function crashPublish(profile: Profile): Promise<ScenarioResult> {
  const started = performance.now();
  const findings = new Findings();
  const rng = createRng(profile.seed + 9);
  const dir = mkdtempSync(join(tmpdir(), 'sse-soak-kill9-'));
  const file = join(dir, 'feed.log');
  const args = ['--tick', '0', '--heartbeat', '0', '--history', '1000000', '--history-file', file];
  /** id → data of every 202. */
  const acked = new Map<string, string>();
  /** Per publisher, the ids acknowledged, in the order the answers came. */
  const ackOrder: string[][] = Array.from({ length: PUBLISHERS }, () => []);
  const followed: { id: string; type: string; data: string }[] = [];
  const killAfterMs: number[] = [];
  const restartMs: number[] = [];
  const tornBytes: number[] = [];
  let epoch = '';
  let lost = 0;
  let failedPosts = 0;
  let posts = 0;
  let server: FaultCli | undefined;
  try {
    for (let round = 0; round < profile.crashKills; round++) {
      const spawned = performance.now();
      server = await startFaultCli(args);
      restartMs.push(performance.now() - spawned);
      const described = await server.waitForOutput(/epoch ([0-9a-f]{12}), head (\d+)(?:, cut a torn last record \((\d+) bytes\))?/);
      if (described === undefined) throw new Error(`The server did not describe its history: ${server.stdout()}`);
      if (epoch === '') epoch = described[1] as string;
      findings.expect(described[1] === epoch, `round ${round}: the epoch changed from ${epoch} to ${described[1]}`);
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
            } else {
              failedPosts++;
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
    }

    // The last restart: read the whole history from the start of the epoch.
    server = await startFaultCli(args);
    const head = Number((await server.waitForOutput(/head (\d+)/))?.[1] ?? 0);
    const whole: RawResponse = rawRequest({ port: server.port }, getRequest('/feed', [`Last-Event-ID: ${epoch}-0`]));
    await whole.waitFor((r) => seqOf(r.parser.events.at(-1)?.id) >= head, 20_000);
    const last = followed.at(-1)?.id;
    const resumed = rawRequest({ port: server.port }, getRequest('/feed', last === undefined ? [] : [`Last-Event-ID: ${last}`]));
    await resumed.waitFor((r) => seqOf(r.parser.events.at(-1)?.id) >= head || (seqOf(last) === head && r.parser.retries.length > 0), 20_000);
    await sleep(50);
    followed.push(...resumed.parser.events.map((e) => ({ id: e.id, type: e.type, data: e.data })));
    whole.destroy();
    resumed.destroy();
    const exitCode = await server.stop();

    const stored = new Map(whole.parser.events.map((e) => [e.id, e.data]));
    for (const [id, data] of acked) if (stored.get(id) !== data) lost++;
    const ids = whole.parser.events.map((e) => seqOf(e.id));
    const isContiguous = ids.length === head && ids.every((seq, i) => seq === i + 1) && whole.parser.events.every((e) => e.type === 'message');
    const datas = whole.parser.events.map((e) => e.data);
    const duplicates = datas.length - new Set(datas).size;
    const outOfOrder = ackOrder.filter((ids) => ids.some((id, i) => i > 0 && seqOf(id) <= seqOf(ids[i - 1]))).length;
    const followerSeqs = followed.map((e) => seqOf(e.id));
    const followerGaps = followerSeqs.filter((seq, i) => seq !== i + 1).length;
    const followerResets = followed.filter((e) => e.type !== 'message').length;

    findings.row('kills (SIGKILL) at random moments', profile.crashKills);
    findings.row('kill after (ms) min / p50 / max', `${Math.min(...killAfterMs)} / ${percentile(killAfterMs, 50)} / ${Math.max(...killAfterMs)}`);
    findings.row('publishers, posts sent', `${PUBLISHERS}, ${posts}`);
    findings.row('posts answered 202', acked.size);
    findings.row('posts cut by the kill (no answer)', failedPosts);
    findings.row('head after the last restart', head);
    findings.row('acknowledged events missing or changed', lost);
    findings.row('events stored twice', duplicates);
    findings.row('publishers whose acknowledged ids are out of order', outOfOrder);
    findings.row('torn last records cut on restart (bytes, max)', `${tornBytes.filter((b) => b > 0).length} (${Math.max(...tornBytes)})`);
    findings.row('restart to listening (ms) p50 / max', `${percentile(restartMs, 50).toFixed(0)} / ${Math.max(...restartMs).toFixed(0)}`);
    findings.row('following client: events seen, gaps, resets', `${followed.length}, ${followerGaps}, ${followerResets}`);
    findings.expect(acked.size > 0, 'no publish was acknowledged');
    findings.expect(lost === 0, `${lost} acknowledged events are missing or changed after the restarts`);
    findings.expect(isContiguous, `the history is not exactly ids 1…${head}: got ${ids.length} events`);
    findings.expect(duplicates === 0, `${duplicates} events are stored twice`);
    findings.expect(outOfOrder === 0, `${outOfOrder} publishers' events are out of order`);
    findings.expect(followerGaps === 0 && followerResets === 0 && followed.length === head, `the following client saw ${followerGaps} gaps and ${followerResets} resets over ${followed.length} events (head ${head})`);
    findings.expect(exitCode === 0, `the last server exited with ${exitCode}`);
    return {
      name: 'crash-publish',
      profile: profile.name,
      rows: findings.rows,
      failures: findings.failures,
      seconds: (performance.now() - started) / 1000,
      data: { killAfterMs, restartMs, tornBytes, head, acked: acked.size },
    };
  } finally {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson, publisherAgent, seqOf, startFaultCli, type FaultCli, type PostResult } from './fault-tools.js';
import { getRequest, rawRequest, simpleGet } from './raw-client.js';
import { percentile } from '../lib/stats.js';
import { holdsWithin } from '../lib/wait.js';
import { scenario } from './report.js';

const DISK_BYTES = 1024 * 1024;
/**
 * Free space left for the history file in each round: less than a compacted copy of the history
 * (60 events of about 1 KiB), so a compaction while the ballast is there fails too.
 */
const ROOM_BYTES = 40 * 1024;
const EVENT_DATA_BYTES = 900;
/** Events kept: small, so the file is compacted (rewritten) while the disk is full. */
const HISTORY_EVENTS = 60;
const REFUSED_PROBES = 20;

/**
 * `ENOSPC` on the history file: the file lives on a 1 MiB tmpfs this scenario mounts (it must run
 * as root, and fails, never skips, otherwise). Each round fills the disk with ballast, publishes
 * until the server refuses, checks the refusals (`503`, a clear body, quickly, no crash, the
 * ticker running against the full disk too), frees the space, and checks that publishing resumes
 * by itself. A follower must see every acknowledged event once and in order, and a restart on the
 * same file must find no torn record and every retained acknowledged event.
 */
export const diskFull = scenario('disk-full', async (findings, profile) => {
  if (process.getuid?.() !== 0) {
    findings.expect(false, 'disk-full mounts a small tmpfs and needs root: run the soak (or npm test) as root, as .ci/run does');
    return undefined;
  }
  const mountpoint = mkdtempSync(join(tmpdir(), 'sse-soak-enospc-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_BYTES}`, 'tmpfs', mountpoint]);
  const file = join(mountpoint, 'feed.log');
  const args = ['--tick', '50', '--publish-local', '--heartbeat', '0', '--history', String(HISTORY_EVENTS), '--history-file', file];
  let server: FaultCli | undefined;
  const agent = publisherAgent();
  try {
    server = await startFaultCli(args);
    const port = server.port;
    // From before the first tick (`<epoch>-0`): on a busy machine the ticker's first event can come
    // before a follower that opens without an id is subscribed, and it would count every event a gap.
    const opening = (await server.waitForOutput(/epoch ([0-9a-f]{12}), head 0/))?.[1];
    const follower = rawRequest({ port }, getRequest('/feed', opening === undefined ? [] : [`Last-Event-ID: ${opening}-0`]));
    await follower.waitFor((r) => r.parser.retries.length > 0, 5000);
    const acked = new Map<string, string>();
    const refusals: PostResult[] = [];
    const firstRefusalAfter: number[] = [];
    const resumeMs: number[] = [];
    const healthWhileFull: string[] = [];
    const healthAfter: string[] = [];
    const healthTexts = new Set<string>();
    let n = 0;
    const publish = async (pad = 'x'.repeat(EVENT_DATA_BYTES)): Promise<PostResult> => {
      const data = `${n++}:${pad}`;
      const answer = await postJson(port, '/publish', { data }, { agent, timeoutMs: 5000 });
      if (answer.status === 202) acked.set((JSON.parse(answer.body) as { id: string }).id, data);
      return answer;
    };
    for (let round = 0; round < profile.diskFullRounds && server.isRunning(); round++) {
      // Ballast leaves ROOM_BYTES free for the history file.
      const { bavail, bsize } = statfsSync(mountpoint);
      const ballast = join(mountpoint, `ballast-${round}`);
      writeFileSync(ballast, Buffer.alloc(Math.max(0, bavail * bsize - ROOM_BYTES)));
      let accepted = 0;
      let answer = await publish();
      while (answer.status === 202 && accepted < 10_000) {
        accepted++;
        answer = await publish();
      }
      firstRefusalAfter.push(accepted);
      refusals.push(answer);
      // The last page may still hold a smaller event (a tick, say): fill it with the smallest
      // ones, so nothing the ticker sends fits and /health must stay down.
      for (let i = 0; i < 200 && (await publish('.')).status === 202; i++);
      healthWhileFull.push(`${(await simpleGet({ port }, '/health')).status}`);
      for (let i = 0; i < REFUSED_PROBES && server.isRunning(); i++) refusals.push(await publish());
      // The ticker publishes into the full disk too: give it a few ticks.
      await sleep(200);
      rmSync(ballast);
      const freed = performance.now();
      const cli = server;
      await holdsWithin(async () => (await publish()).status === 202 || !cli.isRunning(), 3000, 20);
      resumeMs.push(performance.now() - freed);
      for (let i = 0; i < 10 && server.isRunning(); i++) await publish();
      const health = await simpleGet({ port }, '/health');
      healthAfter.push(`${health.status}`);
      healthTexts.add(health.body.trim());
    }
    const wasRunning = server.isRunning();
    const firstStderr = server.stderr();
    // Let the follower take the last ticks, then stop the ticker with the server.
    await sleep(100);
    const exitCode = await server.stop();
    await follower.waitFor((r) => r.isClosed, 3000);
    const seen = follower.parser.events.filter((e) => e.type === 'message');
    const seenById = new Map(seen.map((e) => [e.id, e.data]));
    const missed = [...acked].filter(([id, data]) => seenById.get(id) !== data).length;
    const seqs = follower.parser.events.map((e) => seqOf(e.id));
    const gaps = seqs.filter((seq, i) => seq !== i + 1).length;

    // Restart on the same file, now with room: nothing torn, the retained events as acknowledged.
    server = await startFaultCli(args);
    const described = await server.waitForOutput(/epoch ([0-9a-f]{12}), head (\d+)(, cut a torn last record \((\d+) bytes\))?/);
    const head = Number(described?.[2] ?? 0);
    const torn = Number(described?.[4] ?? 0);
    const lastSeen = seqs.at(-1) ?? 0;
    const epoch = follower.parser.events[0]?.id.split('-')[0] ?? '';
    const replay = rawRequest({ port: server.port }, getRequest('/feed', [`Last-Event-ID: ${epoch}-${Math.max(0, head - HISTORY_EVENTS + 1)}`]));
    await replay.waitFor((r) => seqOf(r.parser.events.at(-1)?.id) >= head, 5000);
    replay.destroy();
    const retainedWrong = replay.parser.events.filter((e) => acked.has(e.id) && acked.get(e.id) !== e.data).length;
    const secondExit = await server.stop();

    const bodies = refusals.filter((r) => r.status !== 202);
    const clear = bodies.filter((r) => r.status === 503 && /no space|ENOSPC/i.test(r.body) && /"code"/.test(r.body));
    const refusalMs = bodies.map((r) => r.ms);
    findings.row('disk (tmpfs), room left per round', `${DISK_BYTES / 1024} KiB, ${ROOM_BYTES / 1024} KiB`);
    findings.row('rounds of disk full → space back', profile.diskFullRounds);
    findings.row('publishes accepted before the first refusal, per round', firstRefusalAfter.join(', '));
    findings.row('publishes refused while full', bodies.length);
    findings.row('refusals that are 503 with a code and say "no space"', `${clear.length} / ${bodies.length}`);
    findings.row('refusal time p50 / max (ms)', `${percentile(refusalMs, 50).toFixed(1)} / ${Math.max(...refusalMs).toFixed(1)}`);
    findings.row('sample refusal', bodies[0]?.body.slice(0, 160) ?? '(none)');
    findings.row('/health while full, after', `${healthWhileFull.join(' ')}, ${healthAfter.join(' ')}`);
    findings.row('/health text once space is back', [...healthTexts].join(' | ').slice(0, 200));
    findings.row('space back → first 202 (ms) per round', resumeMs.map((ms) => ms.toFixed(0)).join(', '));
    findings.row('publishes answered 202 in all', acked.size);
    findings.row('acknowledged events the follower missed', missed);
    findings.row('follower: events, gaps', `${seqs.length}, ${gaps}`);
    findings.row('restart: head, torn bytes cut, retained events wrong', `${head}, ${torn}, ${retainedWrong}`);
    findings.expect(wasRunning, `the server died while the disk was full: ${firstStderr.slice(0, 600)}`);
    findings.expect(bodies.length > 0 && clear.length === bodies.length, `${bodies.length - clear.length} refusals were not 503 with a clear body: ${bodies.find((r) => !clear.includes(r))?.body ?? ''} ${bodies.find((r) => !clear.includes(r))?.error ?? ''}`);
    findings.expect(Math.max(...refusalMs) < 1000, `a refusal took ${Math.max(...refusalMs).toFixed(0)} ms`);
    findings.expect(resumeMs.length === profile.diskFullRounds && Math.max(...resumeMs) < 1000, `publishing did not resume by itself within 1 s of the space coming back: ${resumeMs.join(', ')}`);
    findings.expect(healthWhileFull.every((s) => s === '503') && healthAfter.every((s) => s === '200'), `/health was ${healthWhileFull.join(' ')} while full and ${healthAfter.join(' ')} after`);
    findings.expect(missed === 0 && gaps === 0, `the follower missed ${missed} acknowledged events and saw ${gaps} gaps`);
    findings.expect(torn === 0 && head === lastSeen, `after the restart the head is ${head} (the follower saw ${lastSeen}) and ${torn} torn bytes were cut`);
    findings.expect(retainedWrong === 0 && replay.parser.events.length > 0, `${retainedWrong} retained events differ from what was acknowledged`);
    findings.expect(exitCode === 0 && secondExit === 0, `exit codes ${exitCode}, ${secondExit}`);
    return { firstRefusalAfter, resumeMs, refusalMs, head, torn };
  } catch (error) {
    findings.expect(false, `disk-full stopped: ${(error as Error).message} ${server?.stderr().slice(0, 400) ?? ''}`);
    return undefined;
  } finally {
    agent.destroy();
    await server?.kill();
    execFileSync('umount', [mountpoint]);
    rmSync(mountpoint, { recursive: true, force: true });
  }
});

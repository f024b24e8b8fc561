import { setTimeout as sleep } from 'node:timers/promises';
import { spawnRedis, type SpawnedRedis } from '#internal/testing/spawn-redis.js';
import { postJson, publisherAgent, startDelayProxy, startFaultCli, type DelayProxy, type FaultCli, type PostResult } from './fault-tools.js';
import { getRequest, rawRequest, type RawResponse } from './raw-client.js';
import { percentile } from '../lib/stats.js';
import { scenario } from './report.js';

const DELAY_MS = 2000;
const PUBLISH_TIMEOUT_MS = 1000;
const FOLLOWERS = 3;
const STEADY_PUBLISHES = 10;

/**
 * A Redis that answers slowly rather than not at all: the server reaches Redis through a proxy in
 * this process that holds every reply back by 2 s for a while. Publishes during the slow spell
 * must be answered within the server's publish timeout with a clear error (never hang, never a
 * false `202`), the `/feed` streams must stay up, and every event answered `202` before, during
 * or after the spell must reach every follower, once, in order.
 *
 * @param extraArgs - flags after the scenario's own (a later flag wins), to run it against a weakened server
 */
export const slowRedis = scenario('slow-redis', async (findings, profile, extraArgs: readonly string[] = []) => {
  let redis: SpawnedRedis | undefined;
  let proxy: DelayProxy | undefined;
  let server: FaultCli | undefined;
  const followers: RawResponse[] = [];
  const agent = publisherAgent();
  try {
    redis = await spawnRedis();
    proxy = await startDelayProxy(redis.port);
    const key = `sse:slow:${process.pid}`;
    server = await startFaultCli(['--redis', `redis://127.0.0.1:${proxy.port}/0`, '--redis-key', key, '--tick', '0', '--heartbeat', '0', '--publish-local', '--publish-timeout', String(PUBLISH_TIMEOUT_MS), ...extraArgs]);
    const port = server.port;
    for (let i = 0; i < FOLLOWERS; i++) followers.push(rawRequest({ port }, getRequest('/feed')));
    await Promise.all(followers.map((f) => f.waitFor((r) => r.parser.retries.length > 0, 5000)));
    const acked = new Map<string, string>();
    let n = 0;
    const publish = async (phase: string, options: { agent?: typeof agent } = { agent }): Promise<PostResult> => {
      const data = `${phase}-${n++}`;
      const answer = await postJson(port, '/publish', { data }, { ...options, timeoutMs: DELAY_MS * 4 });
      if (answer.status === 202) acked.set((JSON.parse(answer.body) as { id: string }).id, data);
      return answer;
    };
    const before: PostResult[] = [];
    for (let i = 0; i < STEADY_PUBLISHES; i++) before.push(await publish('before'));

    proxy.delayMs = DELAY_MS;
    const spellStarted = performance.now();
    // Concurrent publishers, each on its own connection, as many clients would be.
    const during = await Promise.all(Array.from({ length: profile.slowRedisPublishes }, () => publish('during', {})));
    const stillUp = followers.filter((f) => !f.isClosed).length;
    await sleep(Math.max(0, DELAY_MS + 500 - (performance.now() - spellStarted)));
    const upAfterSpell = followers.filter((f) => !f.isClosed).length;
    proxy.delayMs = 0;
    // Replies held back in the proxy drain within the delay.
    await sleep(DELAY_MS);
    const after: PostResult[] = [];
    for (let i = 0; i < STEADY_PUBLISHES; i++) after.push(await publish('after'));
    const lastAcked = [...acked.keys()].at(-1);
    await Promise.all(followers.map((f) => f.waitFor((r) => r.parser.events.some((e) => e.id === lastAcked), 10_000)));

    const duringMs = during.map((r) => r.ms);
    const timedOut = during.filter((r) => r.status === 503);
    const clear = timedOut.filter((r) => /"code":"broker_timeout"/.test(r.body) && /within/.test(r.body));
    const falseAcks = during.filter((r) => r.status === 202 && r.ms > PUBLISH_TIMEOUT_MS + 500).length;
    const missing = followers.map((f) => {
      const seen = new Map(f.parser.events.map((e) => [e.id, e.data]));
      return [...acked].filter(([id, data]) => seen.get(id) !== data).length;
    });
    const duplicates = followers.map((f) => f.parser.events.length - new Set(f.parser.events.map((e) => e.data)).size);
    const storedLate = followers[0]?.parser.events.filter((e) => e.data.startsWith('during') && !acked.has(e.id)).length ?? 0;
    const ordered = followers.every((f) => f.parser.events.every((e, i) => i === 0 || compareIds(e.id, f.parser.events[i - 1]?.id ?? '') > 0));
    const isRunning = server.isRunning();
    const exitCode = await server.stop();

    findings.row('reply delay injected (ms), publish timeout (ms)', `${DELAY_MS}, ${PUBLISH_TIMEOUT_MS}`);
    findings.row('publishes before / during / after the slow spell', `${before.length} / ${during.length} / ${after.length}`);
    findings.row('before: answered 202', `${before.filter((r) => r.status === 202).length} / ${before.length}`);
    findings.row('during: answered 202 / 503 / other', `${during.filter((r) => r.status === 202).length} / ${timedOut.length} / ${during.filter((r) => r.status !== 202 && r.status !== 503).length}`);
    findings.row('during: answer time p50 / max (ms)', `${percentile(duringMs, 50).toFixed(0)} / ${Math.max(...duringMs).toFixed(0)}`);
    findings.row('during: sample answer', during[0]?.body.slice(0, 200) ?? '');
    findings.row('after: answered 202, max time (ms)', `${after.filter((r) => r.status === 202).length} / ${after.length}, ${Math.max(...after.map((r) => r.ms)).toFixed(0)}`);
    findings.row('streams up during / after the spell', `${stillUp} / ${upAfterSpell} of ${FOLLOWERS}`);
    findings.row('acknowledged events missing per follower', missing.join(', '));
    findings.row('events delivered twice per follower', duplicates.join(', '));
    findings.row('timed-out publishes Redis stored after all (delivered)', storedLate);
    findings.expect(before.every((r) => r.status === 202) && after.every((r) => r.status === 202), 'a publish with Redis answering promptly was not acknowledged');
    findings.expect(Math.max(...duringMs) <= PUBLISH_TIMEOUT_MS + 500, `a publish during the slow spell took ${Math.max(...duringMs).toFixed(0)} ms, past the ${PUBLISH_TIMEOUT_MS} ms timeout`);
    findings.expect(timedOut.length === during.length && clear.length === timedOut.length, `${during.length - clear.length} publishes during the spell were not a 503 broker_timeout saying so: ${during.find((r) => !clear.includes(r))?.body ?? ''}`);
    findings.expect(falseAcks === 0, `${falseAcks} late 202s`);
    findings.expect(stillUp === FOLLOWERS && upAfterSpell === FOLLOWERS, `streams closed during the slow spell: ${FOLLOWERS - upAfterSpell}`);
    findings.expect(missing.every((m) => m === 0) && duplicates.every((d) => d === 0) && ordered, `followers missed ${missing.join(', ')} acknowledged events, saw ${duplicates.join(', ')} twice, ordered ${ordered}`);
    findings.expect(isRunning && exitCode === 0, `the server ${isRunning ? `exited with ${exitCode}` : 'died'}`);
    return { duringMs, storedLate };
  } catch (error) {
    findings.expect(false, `slow-redis stopped: ${(error as Error).message}`);
    return undefined;
  } finally {
    agent.destroy();
    for (const f of followers) f.destroy();
    await server?.kill();
    await proxy?.close();
    await redis?.stop();
  }
});

/** Orders `<epoch>-<ms>-<seq>` ids of one epoch. */
function compareIds(a: string, b: string): number {
  const [, am = '0', as = '0'] = a.split('-');
  const [, bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

import { readdirSync } from 'node:fs';
import { holdsWithin } from '../lib/wait.js';
import { seqOf, startFaultCli, type FaultCli } from './fault-tools.js';
import { SOURCE_ADDRESSES } from './profile.js';
import { getRequest, rawRequest, simpleGet, type RawResponse } from './raw-client.js';
import { scenario } from './report.js';

const TICK_MS = 100;
/** Descriptors over the held streams: the server keeps 64 free of streams, and the storm gets 40 slots. */
const SPARE_FDS = 64 + 40;

/**
 * `EMFILE` during a connection storm: the server runs under a low open-files limit (`prlimit
 * --nofile`), holds streams that fill most of it, then a storm of new connections exhausts it.
 * The server must keep serving the streams it has (every tick, no gap), refuse or drop the new
 * ones, log the cause once per episode rather than per connection, not crash, and serve new
 * streams again once descriptors are free.
 */
export const fdExhaustion = scenario('fd-exhaustion', async (findings, profile) => {
  const limit = profile.fdStreams + SPARE_FDS;
  const args = ['--tick', String(TICK_MS), '--heartbeat', '0', '--max-per-client', '100000', '--max-connections', '100000'];
  let server: FaultCli | undefined;
  const held: RawResponse[] = [];
  const storm: RawResponse[] = [];
  try {
    server = await startFaultCli(args, { prefix: ['prlimit', `--nofile=${limit}:${limit}`, '--'] });
    const port = server.port;
    const baseFds = readdirSync(`/proc/${server.pid}/fd`).length;
    for (let i = 0; i < profile.fdStreams; i++) {
      held.push(rawRequest({ port, localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] }, getRequest('/feed')));
    }
    const heldUp = await Promise.all(held.map((r) => r.waitFor((x) => x.parser.events.length > 0, 10_000)));
    const before = held.map((r) => r.parser.events.length);

    const stormStarted = performance.now();
    for (let i = 0; i < profile.fdStorm; i++) {
      storm.push(rawRequest({ port, localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] }, getRequest('/feed')));
    }
    // Every storm client learns its fate: a stream (an event arrives) or a refusal (a close).
    await Promise.all(storm.map((r) => r.waitFor((x) => x.parser.events.length > 0 || x.isClosed, 10_000)));
    const stormMs = performance.now() - stormStarted;
    const served = storm.filter((r) => r.status === 200 && r.parser.events.length > 0 && !r.isClosed).length;
    const dropped = storm.filter((r) => r.isClosed && r.status === 0).length;
    const refused = storm.filter((r) => r.isClosed && r.status !== 0).length;
    const undecided = storm.length - served - dropped - refused;
    // The held streams keep flowing while the limit is reached: several more ticks each.
    const flowing = await Promise.all(held.map((r, i) => r.waitFor((x) => x.parser.events.length >= (before[i] ?? 0) + 5, 5000)));
    const wasRunning = server.isRunning();
    const emfileLines = causeLines(server);

    for (const r of storm) r.destroy();
    await Promise.all(storm.map((r) => r.waitFor((x) => x.isClosed, 3000)));
    // Descriptors come back once the server has seen the closes.
    const cli = server;
    let fdsAfter = Number.POSITIVE_INFINITY;
    await holdsWithin(() => (fdsAfter = cli.isRunning() ? readdirSync(`/proc/${cli.pid}/fd`).length : 0) <= baseFds + profile.fdStreams + 10, 5000, 50);
    const fresh = Array.from({ length: 10 }, (_, i) => rawRequest({ port, localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length] }, getRequest('/feed')));
    const recovered = (await Promise.all(fresh.map((r) => r.waitFor((x) => x.status === 200 && x.parser.events.length > 0, 5000)))).filter(Boolean).length;
    for (const r of fresh) r.destroy();
    const health = server.isRunning() ? (await simpleGet({ port }, '/health')).status : 0;
    const gaps = held.filter((r) => r.parser.events.some((e, i) => i > 0 && seqOf(e.id) !== seqOf(r.parser.events[i - 1]?.id) + 1)).length;
    const heldClosed = held.filter((r) => r.isClosed).length;
    for (const r of held) r.destroy();
    const stderr = server.stderr();
    const exitCode = await server.stop();

    findings.row('open-files limit of the server (prlimit)', limit);
    findings.row('descriptors at start, after the storm left', `${baseFds}, ${fdsAfter}`);
    findings.row('streams held through the storm', profile.fdStreams);
    findings.row('storm: connections (served / refused / dropped / undecided)', `${profile.fdStorm} (${served} / ${refused} / ${dropped} / ${undecided})`);
    findings.row('storm settled in (ms)', stormMs.toFixed(0));
    findings.row('held streams still flowing, gaps, closed', `${flowing.filter(Boolean).length} / ${held.length}, ${gaps}, ${heldClosed}`);
    findings.row('log lines naming the open-files limit (EMFILE)', emfileLines);
    findings.row('new streams served after the storm left', `${recovered} / ${fresh.length}`);
    findings.row('/health after, exit code', `${health}, ${exitCode}`);
    findings.expect(heldUp.every(Boolean), 'not every held stream started');
    findings.expect(wasRunning, `the server died in the storm: ${stderr.slice(0, 600)}`);
    findings.expect(served < profile.fdStorm, 'the storm never reached the descriptor limit: the scenario proves nothing');
    findings.expect(undecided === 0, `${undecided} storm connections were neither served nor refused within 10 s`);
    findings.expect(flowing.every(Boolean) && gaps === 0 && heldClosed === 0, `held streams: ${flowing.filter((x) => !x).length} stopped flowing, ${gaps} saw gaps, ${heldClosed} were closed`);
    findings.expect(emfileLines >= 1 && emfileLines <= 3, `the open-files limit (EMFILE) was logged ${emfileLines} times (once per episode expected)`);
    findings.expect(recovered === fresh.length && health === 200, `after the storm ${recovered} of ${fresh.length} new streams were served, /health ${health}`);
    findings.expect(exitCode === 0, `exit code ${exitCode}`);
    return { limit, served, refused, dropped, emfileLines, stderr: stderr.slice(0, 2000) };
  } catch (error) {
    findings.expect(false, `fd-exhaustion stopped: ${(error as Error).message}`);
    return undefined;
  } finally {
    for (const r of [...held, ...storm]) r.destroy();
    await server?.kill();
  }
});

/** Lines of the server's output that name the cause: the open-files limit, or EMFILE. */
function causeLines(server: FaultCli): number {
  return `${server.stdout()}\n${server.stderr()}`.split('\n').filter((line) => /EMFILE|open-files limit/i.test(line)).length;
}

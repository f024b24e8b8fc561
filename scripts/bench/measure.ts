import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { traceWhile, type Census } from './census.js';
import type { BurstResult, OpenResult, RateResult } from './load-generator.js';
import type { Profile } from './options.js';
import { readPeakRss, resetPeakRss, sampleProcess } from './proc-stat.js';
import type { LoadChild } from './processes.js';

/** A server being measured; without a pid, only what the client sees is measured. */
export interface ServerUnderTest {
  readonly name: string;
  readonly pid?: number | undefined;
  readonly hasCrashed?: () => boolean;
  /** False for a server the bench cannot publish to: only streams and memory are measured. */
  readonly canPublish?: boolean;
}

/** A rate run with the CPU both sides spent on it. */
export interface RateFigures extends RateResult {
  readonly serverCpuSeconds?: number | undefined;
  readonly loadCpuSeconds: number;
}

/** Everything one repetition measured for one server at one stream count. */
export interface CountResult {
  readonly server: string;
  readonly rep: number;
  readonly streams: number;
  readonly open: OpenResult;
  readonly openLoadCpuSeconds: number;
  readonly openLoadSystemSeconds: number;
  readonly openServerCpuSeconds?: number | undefined;
  readonly baseRssBytes?: number | undefined;
  readonly idleRssBytes?: number | undefined;
  readonly bursts: readonly BurstResult[];
  readonly burstServerCpuSeconds?: number | undefined;
  /** The kernel's share of {@link burstServerCpuSeconds}. */
  readonly burstServerSystemSeconds?: number | undefined;
  readonly burstLoadCpuSeconds: number;
  /** Highest RSS during the bursts (from `VmHWM` after a reset, else the idle RSS). */
  readonly peakRssBytes?: number | undefined;
  readonly rates: readonly RateFigures[];
  /** System calls while new streams connected, under strace, taken after everything else. */
  readonly census?: Census | undefined;
  readonly errors: readonly string[];
}

function cpuOf(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : sampleProcess(pid).cpuSeconds;
}

function systemOf(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : sampleProcess(pid).systemSeconds;
}

function rssOf(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : sampleProcess(pid).rssBytes;
}

function spent(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : after - before;
}

/**
 * Measures one server at `streams` open streams: idle memory, bursts, and (when `withRates`)
 * steady single-event rates. The load process must have been initialised with the server's URLs.
 */
export async function measureAtCount(
  server: ServerUnderTest,
  load: LoadChild,
  profile: Profile,
  streams: number,
  rep: number,
  withRates: boolean,
): Promise<CountResult> {
  const errors: string[] = [];
  const { pid } = server;
  const check = (reply: { error?: string; errors: readonly string[]; unexpectedCloses: number }, what: string): void => {
    if (reply.error !== undefined) errors.push(`${what}: ${reply.error}`);
    for (const error of reply.errors) errors.push(`${what}: ${error}`);
    if (reply.unexpectedCloses > 0) errors.push(`${what}: ${reply.unexpectedCloses} stream(s) closed by the server`);
    if (server.hasCrashed?.() === true) errors.push(`${what}: the server process died`);
  };

  const baseRssBytes = rssOf(pid);
  const openCpu = cpuOf(pid);
  const opened = await load.call({ type: 'open', count: streams, concurrency: profile.connectConcurrency });
  const openServerCpuSeconds = spent(openCpu, cpuOf(pid));
  check(opened, 'open');
  if (opened.result === undefined) throw new Error(`The load process could not open the streams: ${opened.error ?? 'no answer'}.`);
  const open = opened.result as OpenResult;
  if (open.failed > 0) errors.push(`open: ${open.failed} of ${streams} streams failed (${open.firstErrors.join('; ')})`);
  await sleep(profile.settleMs);
  const idleRssBytes = rssOf(pid);

  const canResetPeak = pid !== undefined && resetPeakRss(pid);
  // The peak covers the warm-up bursts too: they are as large as the counted ones.
  let sampledPeak = idleRssBytes ?? 0;
  const sampler =
    pid !== undefined && !canResetPeak
      ? setInterval(() => {
          sampledPeak = Math.max(sampledPeak, rssOf(pid) ?? 0);
        }, 5)
      : undefined;
  const burstCount = server.canPublish === false ? 0 : (profile.burstsAt[streams] ?? 1);
  // Warm-up bursts first, not counted: both servers get their code paths optimised before the clock runs.
  for (let i = 0; burstCount > 0 && i < profile.warmUpBursts; i++) {
    const warmUp = await load.call({ type: 'burst', events: profile.burstEvents, bytes: profile.dataBytes });
    check(warmUp, 'warm-up burst');
  }
  const bursts: BurstResult[] = [];
  let burstLoadCpuSeconds = 0;
  const burstCpu = cpuOf(pid);
  const burstSystem = systemOf(pid);
  for (let i = 0; i < burstCount; i++) {
    const reply = await load.call({ type: 'burst', events: profile.burstEvents, bytes: profile.dataBytes });
    check(reply, 'burst');
    burstLoadCpuSeconds += reply.cpuSeconds;
    if (reply.result === undefined) break;
    const burst = reply.result as BurstResult;
    bursts.push(burst);
    if (!burst.isComplete) {
      errors.push(`burst: not every stream got all ${burst.events} events within 60 s`);
      break;
    }
  }
  const burstServerCpuSeconds = spent(burstCpu, cpuOf(pid));
  const burstServerSystemSeconds = spent(burstSystem, systemOf(pid));
  clearInterval(sampler);
  const peakRssBytes = pid === undefined || burstCount === 0 ? undefined : canResetPeak ? readPeakRss(pid) : sampledPeak;

  const rates: RateFigures[] = [];
  if (withRates) {
    for (const perSecond of profile.rates) {
      const cpu = cpuOf(pid);
      const reply = await load.call({ type: 'rate', perSecond, seconds: profile.rateSeconds, bytes: profile.dataBytes });
      check(reply, `rate ${perSecond}/s`);
      if (reply.result === undefined) continue;
      rates.push({ ...(reply.result as RateResult), serverCpuSeconds: spent(cpu, cpuOf(pid)), loadCpuSeconds: reply.cpuSeconds });
    }
  }

  const closed = await load.call({ type: 'close' });
  if (closed.error !== undefined) errors.push(`close: ${closed.error}`);
  return {
    server: server.name,
    rep,
    streams,
    open,
    openLoadCpuSeconds: opened.cpuSeconds,
    openLoadSystemSeconds: opened.systemSeconds,
    openServerCpuSeconds,
    baseRssBytes,
    idleRssBytes,
    bursts,
    burstServerCpuSeconds,
    burstServerSystemSeconds,
    burstLoadCpuSeconds,
    peakRssBytes,
    rates,
    errors,
  };
}

/**
 * Opens `streams` new streams while strace counts the server's system calls, then closes them.
 * The closing is not counted: a census is of the connect path.
 */
export async function takeCensus(pid: number, load: LoadChild, streams: number, concurrency: number): Promise<Census> {
  // The streams of the timed figures were just reset: a server still closing them would count
  // their reads, epoll_ctl and close calls as the new streams'.
  await settleOpenFiles(pid);
  const { census, result } = await traceWhile(pid, streams, () => load.call({ type: 'open', count: streams, concurrency }));
  await load.call({ type: 'close' });
  const opened = (result.result as OpenResult | undefined)?.opened ?? 0;
  if (opened !== streams) throw new Error(`The census opened ${opened} of ${streams} streams: ${result.error ?? ''}`);
  return census;
}

/** Waits (at most `timeoutMs`) until the number of descriptors `pid` holds stops changing. */
async function settleOpenFiles(pid: number, timeoutMs = 5000): Promise<void> {
  const count = (): number => readdirSync(`/proc/${pid}/fd`).length;
  const deadline = Date.now() + timeoutMs;
  let last = count();
  while (Date.now() < deadline) {
    await sleep(100);
    const now = count();
    if (now === last) return;
    last = now;
  }
}

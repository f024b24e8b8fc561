import { randomBytes } from 'node:crypto';
import { answerWait, type Context } from './checks/context.js';
import { checkGrammar } from './checks/grammar.js';
import { checkHostile } from './checks/hostile.js';
import { checkLimits, skipLimits } from './checks/limits.js';
import type { CheckResult } from './checks/result.js';
import { checkMethods, probeMethods } from './checks/methods.js';
import { checkIdsAndRetry, checkResumes, waitForIds } from './checks/resume.js';
import { checkStatusAndHeaders } from './checks/status-and-headers.js';
import { canJudgeIdleGaps, checkTiming } from './checks/timing.js';
import { buildReport, type Expectations, type Report } from './report.js';
import { runRoundTrips } from './round-trips.js';
import { AREAS, isRuleId, ruleById, type RuleArea, type RuleId } from './rules.js';
import { Observation } from './session.js';
import { resolveTarget, type Target } from './target.js';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Called once per area, as soon as its checks are done (the CLI prints a progress line). */
  readonly onProgress?: (area: RuleArea, results: readonly CheckResult[], elapsedMs: number) => void;
  /** Known failures to report as such (see {@link parseExpectations}). */
  readonly expectations?: Expectations;
  /** Called when the run does something that takes long, e.g. watches longer for a verdict. */
  readonly onNotice?: (message: string, elapsedMs: number) => void;
  /** Report only these rules (ids or areas); the capacity probe runs only when SSE-S12 or S13 is reported. */
  readonly only?: readonly string[];
  /** Leave these rules (ids or areas) out of the report. */
  readonly skip?: readonly string[];
  /** Called about once a second while the main stream is watched (the CLI's live progress line). */
  readonly onWatch?: (state: WatchState) => void;
}

/** What the watch has seen so far. */
export interface WatchState {
  readonly events: number;
  readonly ids: number;
  readonly elapsedMs: number;
  /** The observe window; the watch may go on past it, up to the watch maximum. */
  readonly windowMs: number;
}

/** Seconds kept for the checks after the watch when a deadline is given, and the least the capacity probe needs. */
const AFTER_WATCH_S = 12;
const LIMITS_S = 8;

/**
 * Which rules a run reports, from `only` and `skip` (rule ids or area names).
 *
 * @throws TypeError naming an id or area the catalogue does not have
 */
export function selection(only: readonly string[] = [], skip: readonly string[] = []): (id: RuleId) => boolean {
  for (const name of [...only, ...skip]) {
    if (!isRuleId(name) && !AREAS.includes(name as RuleArea)) {
      throw new TypeError(`${JSON.stringify(name)} is neither a rule id nor an area; run with --list for the ids, areas are: ${AREAS.join(', ')}.`);
    }
  }
  const names = (id: RuleId): string[] => [id, ruleById(id).area];
  return (id) => (only.length === 0 || names(id).some((n) => only.includes(n))) && !names(id).some((n) => skip.includes(n));
}

/** Events with ids the observation waits for before it tries resumes (bounded by the observe window). */
const IDS_FOR_RESUME = 6;

/**
 * Checks an SSE endpoint against every rule of the catalogue.
 *
 * One connection watches the stream for `observeSeconds`, longer (up to `watchMaxSeconds`) while
 * the heartbeat rule cannot be judged yet, reconnecting like `EventSource` when the server ends
 * it. Meanwhile chosen payloads are published, other methods and hostile headers are sent, and,
 * once the stream has shown a few ids, resumes from them are tried on connections of their own;
 * the capacity probe runs last, alone.
 *
 * @returns the report; it never throws for a broken server, only for a bad target description
 * @throws TypeError when the target is not valid (see {@link resolveTarget})
 * @example
 * ```ts
 * import { check } from 'sse-reference/conformance';
 * const report = await check({ url: 'http://127.0.0.1:8080/feed', publishUrl: 'http://127.0.0.1:8080/publish' });
 * console.log(report.summary);
 * ```
 */
export async function check(target: Target, options: CheckOptions = {}): Promise<Report> {
  const selected = selection(options.only, options.skip);
  const asked = resolveTarget(target);
  // The capacity probe is the slow part nobody asked for when its rules are left out.
  const probed = selected('SSE-S12') || selected('SSE-S13') ? asked : { ...asked, capacityProbe: 0, capacity: undefined };
  // A deadline shortens the watch, leaving time for what comes after it.
  const budget = probed.deadlineSeconds === undefined ? undefined : Math.max(probed.deadlineSeconds / 2, probed.deadlineSeconds - AFTER_WATCH_S);
  const resolved =
    budget === undefined
      ? probed
      : { ...probed, observeSeconds: Math.min(probed.observeSeconds, budget), watchMaxSeconds: Math.min(probed.watchMaxSeconds, budget) };
  const startedAt = new Date();
  const started = performance.now();
  const results: CheckResult[] = [];
  let unreachable: string | undefined;
  const done = (area: RuleArea, areaResults: readonly CheckResult[]): void => {
    results.push(...areaResults);
    options.onProgress?.(area, areaResults, performance.now() - started);
  };
  // A random marker in every published payload finds its event among the server's own.
  const nonce = `sse-conformance ${randomBytes(4).toString('hex')}`;
  // The main stream stays open while resumes are compared with it, and until SSE-S02 can be judged.
  let isResumeDone = false;
  const observation: Observation = new Observation(resolved, {
    maxMs: resolved.watchMaxSeconds * 1000,
    isJudged: (): boolean => isResumeDone && canJudgeIdleGaps(observation, resolved.heartbeatMaxMs),
    why: () => (isResumeDone ? `no connection has been watched for the ${Math.round(resolved.heartbeatMaxMs / 1000)} s the heartbeat rule (SSE-S02) needs` : undefined),
    onExtend: (message) => options.onNotice?.(message, performance.now() - started),
  });
  const ticker = setInterval(() => {
    if (observation.isOver || options.onWatch === undefined) return;
    const ids = observation.events.filter((e) => e.hasOwnId && e.lastEventId !== '').length;
    options.onWatch?.({ events: observation.events.length, ids, elapsedMs: performance.now() - started, windowMs: resolved.observeSeconds * 1000 });
  }, 1000);
  try {
    await observation.ready();
    const first = observation.first.record;
    if (first.head === undefined && (first.end === 'error' || first.end === 'reset')) unreachable = first.error ?? first.end;
    const context: Context = {
      target: resolved,
      observation,
      roundTrips: resolved.publishUrl === undefined ? undefined : await runRoundTrips(resolved, observation, nonce),
      nonce,
      otherStreams: [],
      unknownIdsSent: [],
      answerWaitMs: answerWait(resolved.timeoutMs, observation.first.record.headAtMs),
    };
    const methods = probeMethods(context);
    done('status and headers', await checkStatusAndHeaders(context));
    done('hostile input', await checkHostile(context));
    done('methods', await checkMethods(context, methods));
    await waitForIds(context, IDS_FOR_RESUME);
    const resumes = await checkResumes(context);
    isResumeDone = true;
    await observation.untilOver();
    await observation.stop();
    done('ids and resume', checkIdsAndRetry(context, resumes));
    done('grammar and encoding', checkGrammar(context));
    done('heartbeat and timing', checkTiming(context));
    const left = resolved.deadlineSeconds === undefined ? Infinity : resolved.deadlineSeconds - (performance.now() - started) / 1000;
    done('limits', left < LIMITS_S ? skipLimits(`left out: ${left.toFixed(1)} s of the --deadline remained`) : await checkLimits(context));
  } finally {
    clearInterval(ticker);
    await observation.stop();
  }
  const meta = { target: resolved.url, startedAt: startedAt.toISOString(), durationMs: performance.now() - started, ...(unreachable === undefined ? {} : { unreachable }) };
  return buildReport(results, meta, options.expectations, selected);
}

import { randomBytes } from 'node:crypto';
import { answerWait, type Context } from './checks/context.js';
import { checkGrammar } from './checks/grammar.js';
import { checkHostile } from './checks/hostile.js';
import { checkLimits } from './checks/limits.js';
import type { CheckResult } from './checks/result.js';
import { checkMethods, probeMethods } from './checks/methods.js';
import { checkIdsAndRetry, checkResumes, waitForIds } from './checks/resume.js';
import { checkStatusAndHeaders } from './checks/status-and-headers.js';
import { canJudgeIdleGaps, checkTiming } from './checks/timing.js';
import { buildReport, type Expectations, type Report } from './report.js';
import { runRoundTrips } from './round-trips.js';
import type { RuleArea } from './rules.js';
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
  const resolved = resolveTarget(target);
  const startedAt = new Date();
  const started = performance.now();
  const results: CheckResult[] = [];
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
  try {
    await observation.ready();
    const context: Context = {
      target: resolved,
      observation,
      roundTrips: resolved.publishUrl === undefined ? undefined : await runRoundTrips(resolved, observation, nonce),
      nonce,
      otherStreams: [],
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
    done('ids and resume', [...resumes, ...checkIdsAndRetry(context)]);
    done('grammar and encoding', checkGrammar(context));
    done('heartbeat and timing', checkTiming(context));
    done('limits', await checkLimits(context));
  } finally {
    await observation.stop();
  }
  return buildReport(results, { target: resolved.url, startedAt: startedAt.toISOString(), durationMs: performance.now() - started }, options.expectations);
}

import { randomBytes } from 'node:crypto';
import { AREA_PLANS, PHASES, type AreaPlan, type AreaRun } from './areas.js';
import { answerWait, type Context } from './checks/context.js';
import { learnCapacity, SLOTS } from './checks/limits.js';
import type { CheckResult } from './checks/result.js';
import { canJudgeIdleGaps } from './checks/timing.js';
import { createDeadline } from './deadline.js';
import type { Expectations } from './expectations.js';
import { Observation } from './observation.js';
import { unreachableReason } from './reach.js';
import { buildReport, type Report } from './report.js';
import { runRoundTrips } from './round-trips.js';
import { RULES, type RuleArea, type RuleId } from './rules.js';
import { applySelection, parseSelection, wantsArea } from './select.js';
import { checkKnown, resolveTarget, type Target } from './target.js';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Called once per area, as soon as its checks are done (the CLI prints a progress line). */
  readonly onProgress?: (area: RuleArea, results: readonly CheckResult[], elapsedMs: number) => void;
  /** Known failures to report as such (see {@link parseExpectations}). */
  readonly expectations?: Expectations;
  /** Called when the run does something that takes long, e.g. watches longer for a verdict. */
  readonly onNotice?: (message: string, elapsedMs: number) => void;
  /**
   * Judge only these rules (ids or areas, see {@link parseSelection}); the others are n/a, "not
   * run". An area with no rule to judge is not probed, nor the capacity probe without SSE-S12 or S13.
   */
  readonly only?: readonly string[];
  /** Do not judge these rules (ids or areas); they are n/a, "not run". */
  readonly skip?: readonly string[];
  /** Called about once a second while the main stream is watched (the CLI's live progress line). */
  readonly onWatch?: (state: WatchState) => void;
}

const CHECK_OPTIONS = { onProgress: true, expectations: true, onNotice: true, only: true, skip: true, onWatch: true } as const satisfies Record<keyof CheckOptions, true>;

/** What the watch has seen so far. */
export interface WatchState {
  readonly events: number;
  readonly ids: number;
  readonly elapsedMs: number;
  /** The observe window; the watch may go on past it, up to the watch maximum. */
  readonly windowMs: number;
}

/** Seconds kept for the checks after the watch when a deadline is given. */
const AFTER_WATCH_S = 12;

/** The areas in the order the run drives them (see {@link AREA_PLANS}). */
const PLANNED = Object.entries(AREA_PLANS) as [RuleArea, AreaPlan][];

/**
 * Checks an SSE endpoint against every rule of the catalogue.
 *
 * One connection watches the stream for `observeSeconds`, longer (up to `watchMaxSeconds`) while
 * the heartbeat rule cannot be judged yet, reconnecting like `EventSource` when the server ends
 * it. Meanwhile chosen payloads are published, other methods and hostile headers are sent, and,
 * once the stream has shown a few ids, resumes from them are tried on connections of their own;
 * the capacity probe runs last, alone.
 *
 * With `deadlineSeconds`, the watch is shortened to fit and, past the deadline, probing stops: what
 * was not judged by then is n/a, "deadline reached", and the report is `incomplete`. A target that
 * cannot be reached at all is judged on its status only (SSE-M01 fails), and the report says `unreachable`.
 *
 * @returns the report; it never throws for a broken server, only for a bad target description
 * @throws TypeError when the target is not valid (see {@link resolveTarget}), or `only`/`skip` name an unknown rule or area
 * @example
 * ```ts
 * import { check } from 'sse-reference/conformance';
 * const report = await check({ url: 'http://127.0.0.1:8080/feed', publishUrl: 'http://127.0.0.1:8080/publish' });
 * console.log(report.summary);
 * ```
 */
export async function check(target: Target, options: CheckOptions = {}): Promise<Report> {
  checkKnown(options, CHECK_OPTIONS, 'check()');
  const selection = parseSelection(options.only ?? [], options.skip ?? []);
  const selected = (id: RuleId): boolean => selection.rules.has(id);
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
  // An area is probed only when one of its rules is asked for and time is left; a target that cannot
  // be reached is judged on its status (SSE-M01 fails with the connection error) and nothing more.
  const deadline = createDeadline(resolved.deadlineSeconds === undefined ? undefined : resolved.deadlineSeconds * 1000, () => void observation.stop());
  const isOn = (area: RuleArea): boolean => wantsArea(selection, area) && !deadline.isReached && (unreachable === undefined || area === 'status and headers');
  const done = async (area: RuleArea, work: () => Promise<readonly CheckResult[]> | readonly CheckResult[] | undefined): Promise<void> => {
    if (!isOn(area)) return;
    const judged = await deadline.race(Promise.resolve().then(work));
    if (judged === undefined) return;
    // A check judges its whole area; only the rules asked for are reported (and counted in progress).
    const areaResults = judged.filter((r) => selected(r.id));
    results.push(...areaResults);
    options.onProgress?.(area, areaResults, performance.now() - started);
  };
  // A random marker in every published payload finds its event among the server's own.
  const nonce = `sse-conformance ${randomBytes(4).toString('hex')}`;
  // The main stream stays open while resumes are compared with it, and until SSE-S02 can be judged.
  let isResumeDone = false;
  const observation: Observation = new Observation(resolved, {
    maxMs: resolved.watchMaxSeconds * 1000,
    isJudged: (): boolean => isResumeDone && (!wantsArea(selection, 'heartbeat and timing') || canJudgeIdleGaps(observation, resolved.heartbeatMaxMs)),
    why: () => (isResumeDone ? `no connection has been watched for the ${Math.round(resolved.heartbeatMaxMs / 1000)} s the heartbeat rule (SSE-S02) needs` : undefined),
    onExtend: (message) => options.onNotice?.(message, performance.now() - started),
  });
  const ticker = setInterval(() => {
    if (observation.isOver || options.onWatch === undefined) return;
    const ids = observation.events.filter((e) => e.hasOwnId && e.lastEventId !== '').length;
    options.onWatch?.({ events: observation.events.length, ids, elapsedMs: performance.now() - started, windowMs: resolved.observeSeconds * 1000 });
  }, 1000);
  try {
    await deadline.race(observation.ready());
    unreachable = unreachableReason(observation.first.record);
    const context: Context = {
      target: resolved,
      observation,
      roundTrips: resolved.publishUrl === undefined || unreachable !== undefined ? undefined : await deadline.race(runRoundTrips(resolved, observation, nonce)),
      nonce,
      otherStreams: [],
      unknownIdsSent: [],
      opened: [],
      answerWaitMs: answerWait(resolved.timeoutMs, observation.first.record.headAtMs),
      capacity: { servesAtOnce: undefined, slots: SLOTS },
      stalled: undefined,
    };
    const run: AreaRun = {
      context,
      selected,
      race: (work) => deadline.race(work),
      secondsLeft: () => (resolved.deadlineSeconds === undefined ? Infinity : resolved.deadlineSeconds - (performance.now() - started) / 1000),
    };
    // The phases in their order, and in each the steps of every area asked for, in the registry's order.
    const steps = PLANNED.map(([area, plan]) => [area, plan.steps()] as const);
    for (const phase of PHASES) {
      // Diagnose before blame: how many streams the server serves at once, before any rule opens more.
      if (phase === 'diagnose' && unreachable === undefined && PLANNED.some(([area, plan]) => plan.connects && isOn(area))) {
        context.capacity = (await deadline.race(learnCapacity(context))) ?? context.capacity;
      }
      if (phase === 'after the watch') {
        isResumeDone = true;
        // Only the rules judged from the whole watch need it to run its course.
        if (PLANNED.some(([area, plan]) => plan.watches && isOn(area))) await deadline.race(observation.untilOver());
        await observation.stop();
      }
      for (const [area, areaSteps] of steps) {
        for (const step of areaSteps) {
          if (step.phase !== phase || !isOn(area)) continue;
          if ('probe' in step) await step.probe(run);
          else await done(area, () => step.judge(run));
        }
      }
    }
  } finally {
    deadline.dispose();
    clearInterval(ticker);
    await observation.stop();
  }
  // What the deadline or an unreachable target kept from being judged is n/a, and says why.
  const unjudged = RULES.filter((r) => selected(r.id) && !results.some((x) => x.id === r.id));
  const why = unreachable !== undefined ? `not judged: the target cannot be reached (${unreachable})` : deadline.isReached ? 'deadline reached' : undefined;
  if (why !== undefined) for (const rule of unjudged) results.push({ id: rule.id, status: 'n/a', evidence: why });
  const meta = {
    target: resolved.url,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - started,
    ...(unreachable === undefined ? {} : { unreachable }),
    ...(unreachable === undefined && deadline.isReached && unjudged.length > 0 ? { incomplete: `--deadline reached: ${unjudged.length} rules not judged` } : {}),
  };
  return buildReport(applySelection(results, selection), meta, options.expectations);
}

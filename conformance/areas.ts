import type { Context } from './checks/context.js';
import { checkGrammar } from './checks/grammar.js';
import { checkHostile } from './checks/hostile.js';
import { checkLimits, skipLimits } from './checks/limits.js';
import { checkMethods, checkMethodsAlone, probeMethods, type MethodAnswers } from './checks/methods.js';
import type { CheckResult } from './checks/result.js';
import { checkIdsAndRetry, checkResumes, waitForIds } from './checks/resume.js';
import { checkStatusAndHeaders } from './checks/status-and-headers.js';
import { checkTiming } from './checks/timing.js';
import type { RuleArea, RuleId } from './rules.js';

/**
 * The phases of a run, in the order they run. The order is the suite's answer to servers that
 * serve few streams, or stop answering after one odd request (issue 23): diagnose before blame,
 * so what the server can take is known before any rule opens more; judge beside the watch what
 * needs its own connections while the main stream is open; judge what reads the whole watch once
 * it is over; the capacity probe alone; and last, the requests that may wedge a server that
 * serves one stream at a time, once nothing else is open.
 */
export const PHASES = ['diagnose', 'beside the watch', 'after the watch', 'alone', 'last'] as const;

/** One phase of a run (see {@link PHASES}). */
export type Phase = (typeof PHASES)[number];

/** What an area's steps get from the run. */
export interface AreaRun {
  readonly context: Context;
  /** Whether a rule is asked for (`--only`, `--skip`). */
  selected(id: RuleId): boolean;
  /** `work`'s value, or undefined once `--deadline` has passed (see `createDeadline`). */
  race<T>(work: Promise<T>): Promise<T | undefined>;
  /** Seconds left before `--deadline`; Infinity without one. */
  secondsLeft(): number;
}

/**
 * One step of an area in one phase: a probe, whose answers a later judge of the same area reads,
 * or a judge, whose verdicts are the area's (one progress line). A judge that answers undefined
 * has nothing to judge in this phase (its probe found the area belongs to another phase).
 */
export type AreaStep =
  | { readonly phase: Phase; readonly probe: (run: AreaRun) => Promise<void> }
  | { readonly phase: Phase; readonly judge: (run: AreaRun) => Promise<readonly CheckResult[]> | readonly CheckResult[] | undefined };

/** How the run drives one area. */
export interface AreaPlan {
  /** Whether its checks open connections of their own beside the main stream (the capacity is learned first when one does). */
  readonly connects: boolean;
  /** Whether its judge reads the whole watch (the run waits for the observe window to end before the phase after it). */
  readonly watches: boolean;
  /** Its steps, made afresh for each run: a probe's answers stay in the closure until the judge reads them. */
  steps(): readonly AreaStep[];
}

/** Events with ids the observation waits for before it tries resumes (bounded by the observe window). */
const IDS_FOR_RESUME = 6;

/** Seconds the capacity probe needs at least; with less left before `--deadline`, it is left out. */
const LIMITS_S = 8;

/**
 * The area registry: how each area of the catalogue is probed and judged, keyed by area (the type
 * makes every area have an entry). Within a phase, the steps run in this order: the areas that
 * open their own connections first, the resumes last, as they wait for the stream to show ids.
 * The report keeps the catalogue's order (`AREAS`), whatever the run order.
 */
export const AREA_PLANS: { readonly [A in RuleArea]: AreaPlan } = {
  'status and headers': { connects: true, watches: false, steps: () => [{ phase: 'beside the watch', judge: ({ context }) => checkStatusAndHeaders(context) }] },
  'hostile input': { connects: true, watches: false, steps: () => [{ phase: 'beside the watch', judge: ({ context }) => checkHostile(context) }] },
  methods: {
    connects: true,
    watches: false,
    steps: () => {
      // HEAD goes first and alone, before other areas open streams; a server that serves one stream
      // at a time gets each method alone at the end instead (isDeferred), as a HEAD may wedge it.
      let answers: MethodAnswers | undefined;
      return [
        {
          phase: 'diagnose',
          probe: async (run) => {
            answers = await run.race(probeMethods(run.context, run.selected('SSE-S18')));
          },
        },
        { phase: 'beside the watch', judge: ({ context }) => (answers === undefined || answers.isDeferred === true ? undefined : checkMethods(context, answers)) },
        { phase: 'last', judge: (run) => (answers?.isDeferred === true ? checkMethodsAlone(run.context, run.selected('SSE-S18')) : undefined) },
      ];
    },
  },
  'ids and resume': {
    connects: true,
    watches: true,
    steps: () => {
      let resumes: readonly CheckResult[] = [];
      return [
        {
          phase: 'beside the watch',
          probe: async (run) => {
            await run.race(waitForIds(run.context, IDS_FOR_RESUME));
            resumes = (await run.race(checkResumes(run.context))) ?? [];
          },
        },
        { phase: 'after the watch', judge: ({ context }) => checkIdsAndRetry(context, resumes) },
      ];
    },
  },
  'grammar and encoding': { connects: false, watches: true, steps: () => [{ phase: 'after the watch', judge: ({ context }) => checkGrammar(context) }] },
  'heartbeat and timing': { connects: false, watches: true, steps: () => [{ phase: 'after the watch', judge: ({ context }) => checkTiming(context) }] },
  limits: {
    connects: true,
    watches: false,
    steps: () => [
      {
        phase: 'alone',
        judge: (run) => {
          const left = run.secondsLeft();
          return left < LIMITS_S ? skipLimits(`left out: ${left.toFixed(1)} s of the --deadline remained`) : checkLimits(run.context);
        },
      },
    ],
  },
};

import type { RuleId } from '../rules.js';

/** What a check concluded about one rule. */
export type CheckStatus = 'pass' | 'fail' | 'n/a';

/** The outcome of one check: the rule, the verdict and the evidence in a few words. */
export interface CheckResult {
  readonly id: RuleId;
  readonly status: CheckStatus;
  /** Specific: the offending bytes (escaped) and their offset, the header seen, the timing. */
  readonly evidence: string;
}

/** A passed rule. */
export const pass = (id: RuleId, evidence: string): CheckResult => ({ id, status: 'pass', evidence });
/** A broken rule. */
export const fail = (id: RuleId, evidence: string): CheckResult => ({ id, status: 'fail', evidence });
/** A rule that cannot apply to this target; `reason` says why. */
export const notApplicable = (id: RuleId, reason: string): CheckResult => ({ id, status: 'n/a', evidence: reason });

/** Milliseconds, rounded, with a unit. */
export const ms = (value: number): string => `${Math.round(value)} ms`;

/**
 * The noise a time bound tolerates before a verdict fails: a quarter of the bound, at least 250 ms.
 * A bound met by 1,008 ms against 1,000 is noise (a loaded machine, a slow network), not a defect.
 */
export const marginOf = (boundMs: number): number => Math.max(250, boundMs / 4);

/** Whether a measured time is beyond its bound by more than noise explains (see {@link marginOf}). */
export const isBeyond = (valueMs: number, boundMs: number): boolean => valueMs > boundMs + marginOf(boundMs);

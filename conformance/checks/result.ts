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

export type { CheckResult, CheckStatus } from './checks/result.js';
export { ChunkedDecoder, FramingError, headerValue, parseHead, type ResponseHead } from './framing.js';
export { fetchRaw, Probe, type Arrival, type ProbeEnd, type ProbeRecord, type ProbeRequest } from './probe.js';
export {
  buildReport,
  exitCode,
  ExpectationsError,
  formatTable,
  parseExpectations,
  summaryLine,
  type Expectations,
  type Report,
  type RuleOutcome,
  type Verdict,
} from './report.js';
export { AREAS, RULES, ruleById, type Rule, type RuleArea, type RuleLevel } from './rules.js';
export { check, type CheckOptions } from './run.js';
export { conformanceSuite } from './suite.js';
export { resolveTarget, TARGET_DEFAULTS, type ResolvedTarget, type Target } from './target.js';

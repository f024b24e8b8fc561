export type { CheckResult, CheckStatus } from './checks/result.js';
export { EXIT, EXIT_CODES, type ExitCode } from './exit-codes.js';
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
export { formatJunit } from './junit.js';
export { AREAS, RULES, ruleById, type Rule, type RuleArea, type RuleLevel } from './rules.js';
export { check, type CheckOptions, type WatchState } from './run.js';
export { parseSelection, SelectionError, type Selection } from './select.js';
export { conformanceSuite } from './suite.js';
export { resolveTarget, TARGET_DEFAULTS, type ResolvedTarget, type Target } from './target.js';

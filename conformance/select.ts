import type { CheckResult } from './checks/result.js';
import { AREAS, RULES, isRuleId, type RuleArea, type RuleId } from './rules.js';

/** Which rules a run judges: every rule unless `--only` or `--skip` narrowed it. */
export interface Selection {
  readonly rules: ReadonlySet<RuleId>;
  /** Why a rule outside the selection was not run, for its evidence (e.g. "--skip SSE-S12"). */
  readonly why: (id: RuleId) => string;
}

/** Thrown for a name that is neither a rule id nor an area. */
export class SelectionError extends TypeError {
  override readonly name = 'SelectionError';
}

/** An area written with hyphens or spaces, in any case: `status-and-headers`, `"Status and headers"`. */
function areaOf(name: string): RuleArea | undefined {
  const wanted = name.toLowerCase().replace(/[-_]+/g, ' ');
  return AREAS.find((area) => area === wanted);
}

/** The rules one comma-separated list names, in any mix of ids (`SSE-M01`, case-insensitive) and areas. */
function rulesNamed(lists: readonly string[], flag: string): Set<RuleId> {
  const out = new Set<RuleId>();
  for (const name of lists.flatMap((list) => list.split(',')).map((n) => n.trim())) {
    if (name === '') continue;
    const id = name.toUpperCase();
    const area = areaOf(name);
    if (isRuleId(id)) {
      out.add(id);
    } else if (area !== undefined) {
      for (const rule of RULES) if (rule.area === area) out.add(rule.id);
    } else {
      const areas = AREAS.map((a) => a.replace(/ /g, '-')).join(', ');
      throw new SelectionError(`${flag} names ${JSON.stringify(name)}, which is neither a rule id (see --list) nor an area (${areas}).`);
    }
  }
  return out;
}

/**
 * Reads `--only` and `--skip` (each repeatable, each a comma-separated list of rule ids and areas).
 * `--only` keeps just what it names (all rules when absent); `--skip` then removes what it names.
 *
 * @throws {@link SelectionError} on a name that is no rule id and no area, or a selection that leaves nothing
 */
export function parseSelection(only: readonly string[], skip: readonly string[]): Selection {
  const kept = only.length === 0 ? new Set(RULES.map((r) => r.id)) : rulesNamed(only, '--only');
  const skipped = rulesNamed(skip, '--skip');
  const rules = new Set([...kept].filter((id) => !skipped.has(id)));
  if (rules.size === 0) throw new SelectionError('--only and --skip leave no rule to run.');
  return {
    rules,
    why: (id) => (skipped.has(id) ? 'not run: --skip' : 'not run: not named by --only'),
  };
}

/** Whether a run with this selection needs any rule of `area` (no selection: every area). */
export function wantsArea(selection: Selection | undefined, area: RuleArea): boolean {
  return selection === undefined || RULES.some((r) => r.area === area && selection.rules.has(r.id));
}

/**
 * The results a selected run reports: each rule outside the selection is n/a with "not run" and why,
 * whatever its check said (a check judges an area at once; its other verdicts are not asked for).
 */
export function applySelection(results: readonly CheckResult[], selection: Selection | undefined): CheckResult[] {
  if (selection === undefined) return [...results];
  const kept = results.filter((r) => selection.rules.has(r.id));
  const notRun = RULES.filter((r) => !selection.rules.has(r.id)).map((r): CheckResult => ({ id: r.id, status: 'n/a', evidence: selection.why(r.id) }));
  return [...kept, ...notRun];
}

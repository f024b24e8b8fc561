import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES } from 'sse-reference/conformance';
import type { CheckEvidence } from './evidence.js';
import { anchor, cell, costOf, disagreements, fixOutcome, renderSurvey, renderTargetPage, reproduce, ruleCost, ruleIds, seenCauses, type SurveyResult, type TargetResult } from './report.js';
import type { Cause } from './targets.js';
import type { SuiteRow } from './suite-json.js';

function row(id: string, level: string, status: SuiteRow['status'], evidence = `${id} evidence`): SuiteRow {
  return { id, level, area: 'a', title: `${id} title`, status, rawStatus: status, evidence };
}

const check = (id: string, verdict: CheckEvidence['verdict'], opinions: CheckEvidence['opinions'] = [], cost?: string): CheckEvidence => ({
  id,
  title: `${id} title`,
  verdict,
  summary: `${id} summary`,
  transcript: '→ GET / HTTP/1.1\\r\\n\n← +1ms HTTP/1.1 200 OK | ```',
  opinions,
  ...(cost === undefined ? {} : { cost }),
});

function target(id: string, rows: SuiteRow[], checks: CheckEvidence[]): TargetResult {
  return {
    id,
    language: 'Node',
    stack: `${id} stack`,
    path: '/sse',
    source: `${id}.mjs`,
    from: 'its docs',
    changes: '',
    versions: [`${id} 1.0.0`],
    suite: { rows, exitCode: 0, durationMs: 20_000, stderr: '' },
    checks,
  };
}

const a = target('alpha', [row('SSE-M01', 'MUST', 'pass'), row('SSE-M12', 'MUST', 'fail'), row('SSE-A01', 'ADVICE', 'advice')], [
  check('resume', 'defect', [{ rule: 'SSE-M12', verdict: 'fail', why: 'reconnect → text/plain', cost: 'the client gives up' }], 'the client gives up'),
]);
const b = target('beta', [row('SSE-M01', 'MUST', 'pass'), row('SSE-S10', 'SHOULD', 'n/a'), row('SSE-NEW', 'SHOULD', 'fail')], [
  check('resume', 'defect', [{ rule: 'SSE-S10', verdict: 'fail', why: 'a duplicate' }]),
  check('methods', 'ok', [{ rule: 'SSE-NEW', verdict: 'pass', why: 'fine' }]),
  check('capacity', 'defect', [], 'the 9th client hangs'),
]);
const result: SurveyResult = { date: '2026-12-02 20:00 UTC', command: 'npm run survey', wallMs: 400_000, tools: { node: 'v20' }, targets: [a, b] };

describe('renderSurvey', () => {
  it('has one row per rule id the JSON held, in order, with every target as a column', () => {
    assert.deepEqual(ruleIds(result).map((r) => r.id), ['SSE-M01', 'SSE-M12', 'SSE-A01', 'SSE-S10', 'SSE-NEW']);
    const md = renderSurvey(result);
    assert.match(md, /\| rule \| level \| \[alpha\]\(survey\/alpha\.md\) \| \[beta\]\(survey\/beta\.md\) \|/);
    assert.match(md, /\| SSE-M12 \| MUST \| \[FAIL\]\(survey\/alpha\.md#sse-m12\) \|  \|/);
    assert.match(md, /\| SSE-A01 \| ADVICE \| \[advice\]\(survey\/alpha\.md#sse-a01\) \|  \|/);
    assert.match(md, /\| SSE-NEW \| SHOULD \|  \| \[FAIL\]\(survey\/beta\.md#sse-new\) \|/);
    assert.match(md, /wall time 400 s/);
    assert.match(md, /In short: 2 of 2 targets have at least one defect a user pays for; 1 fail a MUST rule in the suite's default run, confirmed by the evidence \(alpha\); the suite and the evidence disagree 2 times \(below\): 1 false MUST\/SHOULD FAIL, 1 MUST\/SHOULD defect missed\./);
    assert.match(md, /\| alpha \| 1 pass, 1 FAIL \(1 MUST\), 1 advice, 0 n\/a \|/);
  });

  it("prices each FAIL with the evidence's cost when it confirms, else the rule's own line", () => {
    const md = renderSurvey(result);
    assert.match(md, /\[SSE-M12\]\(survey\/alpha\.md#sse-m12\) \(MUST\): the client gives up/);
    assert.equal(costOf(b, row('SSE-NEW', 'SHOULD', 'fail')), 'SSE-NEW title');
    assert.match(md, /\(survey check, no rule judges it\): the 9th client hangs/);
    assert.match(md, /- SSE-NEW \(SHOULD\): not billed: the suite failed it, the survey's evidence does not confirm it/);
    assert.match(md, /- \[SSE-S10\]\(survey\/beta\.md#check-resume\) \(SHOULD, missed by the suite: n\/a\): after a reconnect/, 'a miss is billed, and says so');
  });

  // The catalogue's type makes every MUST and SHOULD rule carry its cost; the survey only reads it.
  it("prices a rule with the catalogue's cost line, and an unpriced ADVICE or an unknown rule with its title", () => {
    for (const rule of RULES) assert.equal(ruleCost({ id: rule.id, title: 'the title' }), rule.cost ?? 'the title');
    assert.equal(ruleCost({ id: 'SSE-NEW', title: 'SSE-NEW title' }), 'SSE-NEW title');
  });

  it('names the rules of the catalogue the run predates, and none when it has them all', () => {
    assert.match(renderSurvey(result), /^Rules newer than this run, not judged on these targets yet \(`npm run survey` judges them\): SSE-[A-Z0-9]+(, SSE-[A-Z0-9]+)*\.$/m);
    const complete: SurveyResult = { ...result, targets: [target('all', RULES.map((r) => row(r.id, r.level, 'pass')), [])] };
    assert.doesNotMatch(renderSurvey(complete), /Rules newer than this run/);
  });

  it('lists a FAIL the evidence contradicts and a defect the suite passed or left n/a', () => {
    assert.deepEqual(
      disagreements(result).map((d) => [d.target, d.rule, d.kind]),
      [
        ['beta', 'SSE-S10', 'missed'],
        ['beta', 'SSE-NEW', 'false FAIL'],
      ],
    );
    const md = renderSurvey(result);
    assert.match(md, /\| beta \| SSE-S10 \| SHOULD \| n\/a: SSE-S10 evidence \| resume: a duplicate \| missed \|/);
    assert.match(md, /beta, \[capacity title\]\(survey\/beta\.md#check-capacity\): capacity summary/);
  });

  it('prices a defect the suite confirmed once, and lists apart the part of one that no rule judges', () => {
    const loops: CheckEvidence = {
      ...check('shared-ids', 'defect', [{ rule: 'SSE-S20', verdict: 'fail', why: 'one counter', cost: 'no exact resume' }], 'loops pile up'),
      unjudged: 'streams keep running after their client left',
    };
    const counted = check('capacity', 'defect', [{ rule: 'SSE-S12', verdict: 'fail', why: '8 hung' }], 'the 9th client hangs');
    const d = target('delta', [row('SSE-S20', 'SHOULD', 'fail'), row('SSE-S12', 'SHOULD', 'fail')], [loops, counted]);
    const md = renderSurvey({ ...result, targets: [d] });
    assert.match(md, /\[SSE-S20\]\(survey\/delta\.md#sse-s20\) \(SHOULD\): no exact resume/);
    assert.match(md, /\[shared-ids title\]\(survey\/delta\.md#check-shared-ids\) \(survey check, no rule judges it\): loops pile up/);
    assert.doesNotMatch(md, /\(survey check[^)]*\): the 9th client hangs/, 'SSE-S12 already says it');
    assert.match(md, /- delta, \[shared-ids title\]\(survey\/delta\.md#check-shared-ids\): streams keep running after their client left/);
    assert.doesNotMatch(md, /- delta, \[capacity title\]/);
    assert.deepEqual(disagreements({ ...result, targets: [d] }), []);
  });

  it('lets a failure seen under other conditions confirm a FAIL, and never count as a miss', () => {
    const quiet = (): CheckEvidence =>
      check('idle', 'defect', [{ rule: 'SSE-S02', verdict: 'fail', why: 'silent 30 s', cost: 'cut by proxies', elsewhere: 'an idle instance' }], 'cut by proxies');
    const failed = target('epsilon', [row('SSE-S02', 'SHOULD', 'fail')], [quiet()]);
    const passed = target('zeta', [row('SSE-S02', 'SHOULD', 'pass')], [quiet()]);
    const both = { ...result, targets: [failed, passed] };
    assert.deepEqual(disagreements(both), []);
    const md = renderSurvey(both);
    assert.match(md, /\[SSE-S02\]\(survey\/epsilon\.md#sse-s02\) \(SHOULD\): cut by proxies/);
    assert.doesNotMatch(md, /- epsilon, \[idle title\]/, 'the suite judged it');
    assert.match(md, /- zeta, \[idle title\]\(survey\/zeta\.md#check-idle\): idle summary/);
    assert.match(renderTargetPage(failed, both), /Second means, \[idle\]\(#check-idle\) \(on an idle instance\): confirms: silent 30 s/);
  });

  it("judges the idle watch against the suite's own SSE-S02 on the idle instance", () => {
    const watch = check('idle', 'defect', [{ rule: 'SSE-S02', verdict: 'fail', why: 'silent 30 s', cost: 'cut by proxies', elsewhere: 'an idle instance' }], 'cut by proxies');
    const caught: TargetResult = { ...target('eta', [row('SSE-S02', 'SHOULD', 'pass')], [watch]), idleRow: row('SSE-S02', 'SHOULD', 'fail', 'silent for 20 s') };
    const missed: TargetResult = { ...target('theta', [row('SSE-S02', 'SHOULD', 'pass')], [watch]), idleRow: row('SSE-S02', 'SHOULD', 'pass', 'heartbeat every 15 s') };
    const both = { ...result, targets: [caught, missed] };
    assert.deepEqual(
      disagreements(both).map((d) => [d.target, d.rule, d.kind]),
      [['theta', 'SSE-S02, app idle', 'missed']],
    );
    const md = renderSurvey(both);
    assert.match(md, /the suite and the evidence disagree once \(below\)/);
    assert.match(md, /\| SSE-S02, app idle \| SHOULD \| \[FAIL\]\(survey\/eta\.md#sse-s02-app-idle\) \| pass \|/);
    assert.match(md, /\[SSE-S02, app idle\]\(survey\/eta\.md#sse-s02-app-idle\) \(SHOULD\): cut by proxies/);
    assert.doesNotMatch(renderSurvey({ ...result, targets: [caught] }), /\(survey check\): cut by proxies/, 'priced once, by the suite');
    assert.match(md, /- theta, \[idle title\]\(survey\/theta\.md#check-idle\): idle summary/);
    assert.doesNotMatch(md, /- eta, \[idle title\]/, 'the suite judged it');
    const eta = renderTargetPage(caught, both);
    assert.match(eta, /^## SSE-S02, app idle$/m);
    assert.match(eta, /- The suite: FAIL, "silent for 20 s"/);
    assert.match(eta, /Second means, \[idle\]\(#check-idle\): agrees: silent 30 s/);
    assert.match(renderTargetPage(missed, both), /Second means, \[idle\]\(#check-idle\): \*\*disagrees\*\*: silent 30 s/);
  });

  it('says so when a target gave no report', () => {
    const broken: TargetResult = { ...target('gamma', [], []), suite: undefined, error: 'exited (1) before listening' };
    const md = renderSurvey({ ...result, targets: [a, broken] });
    assert.match(md, /\| SSE-M01 \| MUST \| pass \| error \|/);
    assert.match(md, /\| gamma \| exited \(1\) before listening \|/);
  });
});

describe('renderTargetPage', () => {
  it('gives each FAIL and advice a section with both verdicts, and each check its transcript', () => {
    const md = renderTargetPage(a, result);
    assert.match(md, /^## SSE-M12$/m);
    assert.match(md, /Second means, \[resume\]\(#check-resume\): confirms: reconnect → text\/plain/);
    assert.match(md, /^## SSE-A01$/m);
    assert.match(md, /^## check: resume$/m);
    assert.match(md, /```text\n→ GET/);
    assert.doesNotMatch(md, /\| ```$/m, 'a fence inside a transcript is defused');
  });
});

describe('causes', () => {
  const cause = (rules: string[], edits?: Cause['edits']): Cause => ({
    rules,
    where: 'lib/handler.js:12',
    quote: 'res.write(text)',
    why: 'one reason',
    cost: `what ${rules.join('+')} costs`,
    fix: 'the fix',
    ...(edits === undefined ? {} : { edits }),
  });
  const withCauses: TargetResult = {
    ...target('iota', [row('SSE-M12', 'MUST', 'fail'), row('SSE-S10', 'SHOULD', 'fail'), row('SSE-S04', 'SHOULD', 'fail'), row('SSE-S08', 'SHOULD', 'pass')], []),
    causes: [cause(['SSE-M12', 'SSE-S10'], [{ find: 'a', replace: 'b' }]), cause(['SSE-S08']), cause(['SSE-S04'], [{ find: 'c', replace: 'd' }])],
    fixes: [
      { cause: 0, rows: [row('SSE-M12', 'MUST', 'pass'), row('SSE-S10', 'SHOULD', 'pass')] },
      { cause: 2, rows: [row('SSE-S04', 'SHOULD', 'fail')] },
    ],
  };

  it('bills one cause once, with every rule it fails, at the highest level among them', () => {
    const md = renderSurvey({ ...result, targets: [withCauses] });
    assert.match(md, /- \[SSE-M12, SSE-S10\]\(survey\/iota\.md#cause-1\) \(MUST\): what SSE-M12\+SSE-S10 costs/);
    assert.doesNotMatch(md, /- \[SSE-S10\]\(survey\/iota\.md#sse-s10\)/, 'not billed a second time');
    assert.deepEqual(seenCauses(withCauses).map((c) => c.index), [0, 2], 'a cause whose rules all passed is not billed');
  });

  it('says what checking each fix showed, and how to reproduce a finding in one line', () => {
    assert.equal(fixOutcome(withCauses, 0), 'checked: the suite with `--only SSE-M12,SSE-S10` on a copy with the fix: SSE-M12 pass, SSE-S10 pass');
    assert.match(fixOutcome(withCauses, 1), /not checked by the survey: the fix lies outside/);
    assert.match(fixOutcome(withCauses, 2), /^\*\*not confirmed\*\*: .*SSE-S04 FAIL$/);
    assert.equal(reproduce(withCauses, ['SSE-S04']), 'node dist/scripts/survey/serve.js iota --check SSE-S04');
    const page = renderTargetPage(withCauses, result);
    assert.match(page, /^## cause 1$/m);
    assert.match(page, /- Fails: \[SSE-M12\]\(#sse-m12\), \[SSE-S10\]\(#sse-s10\)/);
    assert.match(page, /- Fails: SSE-S08 \(pass in this run\)/);
    assert.match(page, /- Cause: \[cause 1\]\(#cause-1\), in the code/);
    assert.match(page, /- Reproduce: `node dist\/scripts\/survey\/serve\.js iota --check SSE-M12`/);
    assert.match(page, /```diff\n# iota\.mjs\n- a\n\+ b\n```/);
  });
});

describe('anchor and cell', () => {
  it('makes GitHub anchors and safe table cells', () => {
    assert.equal(anchor('SSE-M12'), 'sse-m12');
    assert.equal(anchor('check: first-connection'), 'check-first-connection');
    assert.equal(cell('a|b\nc'), 'a\\|b c');
  });
});

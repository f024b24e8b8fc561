import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AREA_PLANS, PHASES } from './areas.js';
import { AREAS } from './rules.js';

describe('the area registry', () => {
  it('plans every area of the catalogue once', () => {
    assert.deepEqual(Object.keys(AREA_PLANS).sort(), [...AREAS].sort());
  });

  // Issue 23's order, which the run must keep: the methods probe first (HEAD alone, before other
  // areas open streams), the resumes after the other connecting areas, the whole-watch judges once
  // the watch is over, the capacity probe alone, and the deferred methods last.
  it('runs the steps phase by phase in the order that diagnoses before it blames', () => {
    const order = PHASES.flatMap((phase) =>
      Object.entries(AREA_PLANS).flatMap(([area, plan]) => plan.steps().filter((step) => step.phase === phase).map((step) => `${phase}: ${area} ${'probe' in step ? 'probe' : 'judge'}`)),
    );
    assert.deepEqual(order, [
      'diagnose: methods probe',
      'beside the watch: status and headers judge',
      'beside the watch: hostile input judge',
      'beside the watch: methods judge',
      'beside the watch: ids and resume probe',
      'after the watch: ids and resume judge',
      'after the watch: grammar and encoding judge',
      'after the watch: heartbeat and timing judge',
      'alone: limits judge',
      'last: methods judge',
    ]);
  });

  it('waits for the whole watch only for the areas judged from it, and learns the capacity for those that connect', () => {
    const areas = (pick: (plan: (typeof AREA_PLANS)[keyof typeof AREA_PLANS]) => boolean): string[] => Object.entries(AREA_PLANS).filter(([, plan]) => pick(plan)).map(([area]) => area);
    assert.deepEqual(areas((plan) => plan.watches), ['ids and resume', 'grammar and encoding', 'heartbeat and timing']);
    assert.deepEqual(areas((plan) => plan.connects), ['status and headers', 'hostile input', 'methods', 'ids and resume', 'limits']);
  });
});

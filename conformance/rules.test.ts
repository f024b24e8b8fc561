import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFECTS } from './fixtures/defects.js';
import { RULES, ruleById } from './rules.js';

// One rule, one place: from a rule's id, its catalogue entry (rules.ts), its check (the one file
// under checks/ that names it) and its failing fixtures (defects.ts) are found.
describe('one rule, one place', () => {
  it('names every rule in exactly one check file, and gives it at least one failing fixture', async () => {
    const dir = fileURLToPath(new URL('../../conformance/checks/', import.meta.url));
    const sources = await Promise.all(
      (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map(async (f) => [f, await readFile(join(dir, f), 'utf8')] as const),
    );
    const places = RULES.map((rule) => [rule.id, sources.filter(([, text]) => text.includes(`'${rule.id}'`)).map(([f]) => f)] as const);
    assert.deepEqual(places.filter(([, files]) => files.length !== 1), []);
    assert.deepEqual(RULES.filter((r) => !DEFECTS.some((d) => d.rule === r.id)).map((r) => r.id), []);
  });
});

describe('the rule catalogue', () => {
  it('has unique ids in the SSE-<letter><digits> scheme, each with a link, a hint and a harm line', () => {
    assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
    for (const rule of RULES) {
      assert.match(rule.id, /^SSE-[MSAFR]\d{1,2}$/);
      assert.ok(rule.harm.length > 20 && !rule.harm.includes('\n'), rule.id);
      assert.match(rule.link, /^https:\/\//);
      assert.ok(rule.hint.length > 10 && rule.title.length > 10, rule.id);
    }
  });

  it('finds a rule by id and refuses an unknown one', () => {
    assert.equal(ruleById('SSE-M01').level, 'MUST');
    assert.throws(() => ruleById('SSE-X99'), RangeError);
  });
});

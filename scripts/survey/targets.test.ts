import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../paths.js';
import { applyEdits } from './install.js';
import { filesOf, TARGETS } from './targets.js';

const SOURCES = join(ROOT, 'scripts', 'survey', 'targets');

describe('the targets and their causes', () => {
  it('have unique ids, and every file they name exists', () => {
    assert.equal(new Set(TARGETS.map((t) => t.id)).size, TARGETS.length);
    for (const target of TARGETS) for (const file of filesOf(target)) readFileSync(join(SOURCES, file));
  });

  it("apply each fix to the target's files: every edit's text occurs exactly once", () => {
    for (const target of TARGETS) {
      for (const cause of target.causes ?? []) {
        for (const file of filesOf(target)) {
          const edits = (cause.edits ?? []).filter((e) => (e.file ?? target.source) === file);
          assert.doesNotThrow(() => applyEdits(readFileSync(join(SOURCES, file), 'utf8'), edits), `${target.id}: ${cause.fix}`);
        }
        for (const edit of cause.edits ?? []) assert.ok(filesOf(target).includes(edit.file ?? target.source), `${target.id}: an edit names ${edit.file}`);
      }
    }
  });

  it('quote lines that stand in the target sources they cite', () => {
    for (const target of TARGETS) {
      for (const cause of target.causes ?? []) {
        const cited = /^scripts\/survey\/targets\/([\w.-]+):/.exec(cause.where)?.[1];
        if (cited === undefined) continue;
        const text = readFileSync(join(SOURCES, cited), 'utf8');
        for (const line of cause.quote.split('\n').map((l) => l.trim())) {
          if (line === '' || line === '...' || line.includes('...')) continue;
          assert.ok(text.includes(line), `${target.id}: ${JSON.stringify(line)} is not in ${cited}`);
        }
      }
    }
  });
});

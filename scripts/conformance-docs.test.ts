import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EXIT_CODES, RULES } from 'sse-reference/conformance';
import { DOCS_PATH, renderConformanceDocs } from './conformance-docs.js';

describe('docs/conformance.md', () => {
  it('is what the catalogue generates (run node dist/scripts/conformance-docs.js when this fails)', async () => {
    assert.equal(await readFile(DOCS_PATH, 'utf8'), renderConformanceDocs());
  });

  it('lists every rule once, with its level and a link', () => {
    const text = renderConformanceDocs();
    for (const rule of RULES) {
      const rows = text.split('\n').filter((line) => line.startsWith(`| \`${rule.id}\` |`));
      assert.equal(rows.length, 1, rule.id);
      assert.match(rows[0] ?? '', new RegExp(`\\| ${rule.level} \\|.*\\]\\(https://`));
    }
  });
});

describe('the exit codes in the README', () => {
  it('lists every exit code the CLI has', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const { code } of EXIT_CODES) assert.match(readme, new RegExp(`^\\| ${code} \\| .+ \\|$`, 'm'), `exit code ${code}`);
  });
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { EXIT_CODES, RULES } from 'sse-reference/conformance';
import { DOCS_PATH, renderConformanceDocs, renderReadme, renderSurveyPage, SURVEY_PATH } from './conformance-docs.js';
import { readRuns, rulesNewerThan } from './conformance-runs.js';

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

// Every page the catalogue feeds fails here when it is stale, each with the command that refreshes it.
describe('the pages the catalogue feeds', () => {
  it("has README conformance runs recorded with every rule of the catalogue (run npm run docs:conformance -- --record when this fails)", () => {
    const newer = Object.entries(readRuns()).map(([name, run]) => [name, rulesNewerThan(run)] as const).filter(([, ids]) => ids.length > 0);
    assert.deepEqual(newer, []);
  });

  it('shows the README conformance runs as their records render them (run npm run docs:conformance when this fails)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(readme, renderReadme(readme));
  });

  it('has docs/survey.md as the survey results render it with today\'s catalogue (run npm run docs:conformance when this fails)', async () => {
    assert.equal(await readFile(SURVEY_PATH, 'utf8'), await renderSurveyPage());
  });
});

describe('the exit codes in the README', () => {
  it('lists every exit code the CLI has', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const { code } of EXIT_CODES) assert.match(readme, new RegExp(`^\\| ${code} \\| .+ \\|$`, 'm'), `exit code ${code}`);
  });
});

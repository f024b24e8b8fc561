import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../paths.js';
import { codeBlockUnder } from './code-blocks.js';

describe('the code blocks the frameworks check runs', () => {
  it('takes the first block of the language under the heading, and only from that section', () => {
    const page = ['## A', '```js', 'a()', '```', '## B', 'text', '```py', 'no', '```', '```js', 'b()', '```'].join('\n');
    assert.equal(codeBlockUnder(page, 'A', 'js'), 'a()\n');
    assert.equal(codeBlockUnder(page, 'B', 'js'), 'b()\n');
    assert.throws(() => codeBlockUnder(page, 'A', 'py'), /no ```py block under "## A"/);
    assert.throws(() => codeBlockUnder(page, 'C', 'js'), /no "## C" section/);
  });

  it('finds the Express and FastAPI ports in chapter 20', () => {
    const chapter = readFileSync(join(ROOT, 'docs/recipes/20-other-frameworks.md'), 'utf8');
    assert.match(codeBlockUnder(chapter, 'Express', 'js'), /require\('express'\)[\s\S]*app\.listen\(Number\(process\.env\.PORT/);
    assert.match(codeBlockUnder(chapter, 'FastAPI', 'python'), /^import asyncio[\s\S]*StreamingResponse/);
  });
});

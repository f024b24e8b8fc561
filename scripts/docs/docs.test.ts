import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { HTTP_ERRORS } from '#internal/http/errors.js';
import { SSE_ERRORS } from '#internal/protocol/errors.js';
import { ROOT } from '../paths.js';
import { DocsError, extractRegion, fence, findBlocks, parseSnippetRef, replaceBlocks } from '../lib/blocks.js';
import { listMarkdown, renderBook, type RenderedPage } from './book.js';
import { renderEventErrors, renderHttpErrors, renderStoreErrors } from './errors-table.js';
import { renderOptionsTable } from './options-table.js';

// Where the package's files are on GitHub: package.json's homepage, which the npm page links to.
const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { homepage: string };
const REPOSITORY_FILES = `${manifest.homepage.replace(/#.*$/, '')}/blob/main/`;

describe('generated blocks', () => {
  it('extracts a region without its markers and without the common indentation', () => {
    const source = ['function f() {', '  // #region r', '  const a = 1;', '    return a;', '  // #endregion r', '}'].join('\n');
    assert.equal(extractRegion(source, 'r'), 'const a = 1;\n  return a;');
  });

  it('refuses a missing, unclosed or empty region', () => {
    assert.throws(() => extractRegion('x', 'r'), DocsError);
    assert.throws(() => extractRegion('// #region r\nx', 'r'), /never closed/);
    assert.throws(() => extractRegion('// #region r\n\n// #endregion r', 'r'), /empty/);
  });

  it('replaces a block body and keeps the markers and the text around them', () => {
    const page = 'a\n<!-- snippet: src/x.ts#r -->\nold\n<!-- /snippet -->\nb';
    assert.equal(replaceBlocks(page, () => 'new'), 'a\n<!-- snippet: src/x.ts#r -->\nnew\n<!-- /snippet -->\nb');
  });

  it('refuses a block that is never closed or closed by the other kind', () => {
    assert.throws(() => findBlocks('<!-- snippet: a#b -->\nx'), /never closed/);
    assert.throws(() => findBlocks('<!-- snippet: a#b -->\n<!-- /transcript -->'), /no matching opening/);
  });

  it('makes a fence longer than any backtick run in the code', () => {
    assert.equal(fence('ts', 'a ``` b'), '````ts\na ``` b\n````');
    assert.throws(() => parseSnippetRef('src/x.ts'), DocsError);
  });
});

describe('the book in docs/', () => {
  let pages: RenderedPage[] = [];
  before(async () => {
    pages = await renderBook(ROOT);
  });

  it('has every page it promises', async () => {
    const paths = await listMarkdown(ROOT);
    for (const page of ['docs/README.md', 'docs/architecture.md', 'docs/reference/errors.md', 'docs/reference/api.md', 'docs/reference/what-catches-it.md']) {
      assert.ok(paths.includes(page), `${page} is missing`);
    }
    assert.ok(paths.filter((path) => path.startsWith('docs/recipes/')).length >= 11, 'fewer than 11 recipe chapters');
  });

  it('quotes every snippet exactly as its source region reads now and shows every transcript as a fresh recording makes it', () => {
    const stale: string[] = [];
    for (const page of pages) {
      const now = findBlocks(page.current);
      const fresh = findBlocks(page.fresh);
      now.forEach((block, index) => {
        if (block.body !== fresh[index]?.body) {
          stale.push(`${page.path}:${block.line} ${block.kind} ${block.ref}\n--- in the page\n${block.body}\n--- fresh\n${fresh[index]?.body ?? ''}`);
        }
      });
    }
    assert.deepEqual(stale, [], `stale blocks (run \`npm run docs\` to refresh):\n${stale.join('\n\n')}`);
  });

  it('shows something quoted or recorded in every chapter but the two that say why not', () => {
    // A chapter whose code was not run has nothing to record; a comparison links to the chapters it compares.
    const exempt = new Set(['docs/recipes/21-spring-gin-rails.md', 'docs/recipes/22-sse-vs-alternatives.md']);
    for (const page of pages.filter((p) => p.path.startsWith('docs/recipes/') && !exempt.has(p.path))) {
      const kinds = new Set(findBlocks(page.current).map((block) => block.kind));
      assert.ok(kinds.has('snippet') || kinds.has('transcript'), `${page.path} shows no snippet and no transcript`);
    }
  });

  it('prints each snippet and each transcript once, so later chapters link back to it', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const page of pages) {
      for (const block of findBlocks(page.current).filter((b) => b.kind !== 'generated')) {
        const key = `${block.kind} ${block.ref}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, `${page.path}:${block.line}`);
        else twice.push(`${key}: ${first} and ${page.path}:${block.line}`);
      }
    }
    assert.deepEqual(twice, []);
  });

  it('links only to files that exist', async () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const match of page.current.matchAll(/\]\(([^)\s]+)\)/g)) {
        let target = (match[1] as string).split('#', 1)[0] as string;
        // The README's links for the npm package page are absolute, into this repository on GitHub.
        const inRepository = target.startsWith(REPOSITORY_FILES);
        if (inRepository) target = target.slice(REPOSITORY_FILES.length);
        if (target === '' || (!inRepository && /^[a-z]+:/.test(target))) continue;
        try {
          await access(inRepository ? join(ROOT, target) : join(ROOT, dirname(page.path), target));
        } catch {
          broken.push(`${page.path}: ${target}`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('links from the README\'s section for library users only by absolute URLs, which work from the npm package page', () => {
    const readme = pages.find((page) => page.path === 'README.md')?.current ?? '';
    const start = readme.indexOf('\n## In your project\n');
    assert.notEqual(start, -1, 'README.md has no "## In your project" section');
    const section = readme.slice(start + 1, readme.indexOf('\n## ', start + 1));
    const links = [...section.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] as string);
    assert.ok(links.length >= 3, `only ${links.length} links`);
    assert.deepEqual(links.filter((link) => !link.startsWith('https://')), []);
    assert.ok(links.some((link) => link.startsWith(REPOSITORY_FILES)), `no link into ${REPOSITORY_FILES}`);
  });

  it('cites only conformance rules that exist in conformance/rules.ts', async () => {
    const rules = await readFile(join(ROOT, 'conformance/rules.ts'), 'utf8');
    const known = new Set([...rules.matchAll(/^  '(SSE-[A-Z]+\d+)': \{$/gm)].map((match) => match[1]));
    assert.ok(known.size > 0, 'no rule ids found in conformance/rules.ts');
    const unknown = pages.flatMap((page) =>
      [...page.current.matchAll(/`(SSE-[A-Z]+\d+)`/g)].map((match) => match[1] as string).filter((id) => !known.has(id)).map((id) => `${page.path}: ${id}`),
    );
    assert.deepEqual(unknown, []);
  });

  it('renders the README options table from the options table', () => {
    const readme = pages.find((page) => page.path === 'README.md');
    assert.ok(readme !== undefined && readme.current.includes('<!-- generated: options-table -->'), 'README.md has no options table block');
    assert.equal(findBlocks(readme.current).find((block) => block.ref === 'options-table')?.body, renderOptionsTable());
  });

  it('renders docs/reference/errors.md\'s tables from the error tables, so every code the library throws or the server answers is listed', () => {
    // The compiler holds the code to the tables (SseError takes an SseErrorCode, sendError an
    // HttpErrorCode); this holds the page to them.
    const page = pages.find((p) => p.path === 'docs/reference/errors.md')?.current ?? '';
    const blocks = findBlocks(page);
    const wanted: [string, () => string][] = [['event-errors', renderEventErrors], ['store-errors', renderStoreErrors], ['http-errors', renderHttpErrors]];
    for (const [ref, render] of wanted) {
      assert.equal(blocks.find((block) => block.kind === 'generated' && block.ref === ref)?.body, render(), `docs/reference/errors.md's ${ref} block is missing or stale (run \`npm run docs\`)`);
    }
    for (const code of [...Object.keys(SSE_ERRORS), ...Object.keys(HTTP_ERRORS)]) assert.ok(page.includes(`\`${code}\``), code);
  });

  it('names every export of src/index.ts, src/web.ts and src/client/index.ts in docs/reference/api.md', async () => {
    const index = (await Promise.all(['src/index.ts', 'src/web.ts', 'src/client/index.ts'].map((file) => readFile(join(ROOT, file), 'utf8')))).join('\n');
    const page = await readFile(join(ROOT, 'docs/reference/api.md'), 'utf8');
    const names = [...index.matchAll(/export\s*(?:type\s*)?{([^}]*)}/g)].flatMap((match) =>
      (match[1] as string).split(',').map((name) => name.replace(/^\s*type\s+/, '').trim()).filter((name) => name !== ''),
    );
    assert.ok(names.length > 10);
    assert.deepEqual(names.filter((name) => !['`', '(', '<'].some((after) => page.includes(`\`${name}${after}`))), []);
  });

  it('lists every recipe chapter in the table of contents', async () => {
    const contents = await readFile(join(ROOT, 'docs/README.md'), 'utf8');
    const chapters = (await listMarkdown(ROOT)).filter((path) => path.startsWith('docs/recipes/'));
    assert.deepEqual(chapters.filter((path) => !contents.includes(`](${path.slice('docs/'.length)})`)), []);
  });
});

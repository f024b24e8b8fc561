import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DocsError, extractRegion, fence, findBlocks, parseSnippetRef, replaceBlocks } from '../lib/blocks.js';
import { Lab } from './lab.js';
import { GENERATED } from './options-table.js';
import { SCENARIOS } from './scenarios.js';

/** One Markdown file of the book, as it is and as it should be. */
export interface RenderedPage {
  /** The path from the repository root, e.g. `docs/recipes/02-clock.md`. */
  readonly path: string;
  readonly current: string;
  readonly fresh: string;
}

/** Every `.md` file under `dir`, as paths relative to `root`, sorted. */
export async function listMarkdown(root: string, dir = 'docs'): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * Records every named transcript against freshly started reference servers, one scenario at a
 * time, each with its own servers, all closed before the next starts.
 *
 * @param names - the scenarios to run; unknown names throw
 */
export async function recordTranscripts(names: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of new Set(names)) {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    if (scenario === undefined) throw new DocsError(`no transcript scenario named "${name}" (see scripts/docs/scenarios.ts)`);
    const lab = new Lab();
    try {
      const transcript = await scenario.run(lab);
      out.set(name, lab.normalise(`${lab.serverLine()}${transcript}`));
    } finally {
      await lab.close();
    }
  }
  return out;
}

/**
 * Reads every page of the book (and the README) and renders it fresh: each snippet from its
 * source region, each transcript from a new recording, each generated block from its code.
 */
export async function renderBook(root: string): Promise<RenderedPage[]> {
  const pages = await Promise.all(
    ['README.md', ...(await listMarkdown(root))].map(async (path) => ({ path, current: await readFile(join(root, path), 'utf8') })),
  );
  const wanted = pages.flatMap((page) => findBlocks(page.current).filter((b) => b.kind === 'transcript').map((b) => b.ref));
  const transcripts = await recordTranscripts(wanted);
  const sources = new Map<string, string>();
  const rendered: RenderedPage[] = [];
  for (const page of pages) {
    for (const block of findBlocks(page.current)) {
      if (block.kind !== 'snippet') continue;
      const { path } = parseSnippetRef(block.ref);
      if (!sources.has(path)) sources.set(path, await readFile(join(root, path), 'utf8'));
    }
    const fresh = replaceBlocks(page.current, (block) => {
      // A section is a run's own (`npm run bench` writes them): the book keeps it as it is.
      if (block.kind === 'section') return block.body;
      if (block.kind === 'transcript') return fence('text', (transcripts.get(block.ref) as string).replace(/\n$/, ''));
      if (block.kind === 'generated') {
        const generate = GENERATED[block.ref];
        if (generate === undefined) throw new DocsError(`${page.path}:${block.line}: no generated block named "${block.ref}" (see scripts/docs/options-table.ts)`);
        return generate();
      }
      const { path, region } = parseSnippetRef(block.ref);
      try {
        return fence('ts', extractRegion(sources.get(path) as string, region));
      } catch (error) {
        throw new DocsError(`${page.path}:${block.line}: ${block.ref}: ${(error as Error).message}`);
      }
    });
    rendered.push({ ...page, fresh });
  }
  return rendered;
}

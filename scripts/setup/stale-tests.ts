import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The source a compiled test came from: `tsc -b` writes src/ to dist/, conformance/ to
 * dist/conformance/ and scripts/ to dist/scripts/ (their tsconfig files' rootDir and outDir).
 */
export function sourceOf(compiled: string): string {
  const ts = compiled.replace(/\.js$/, '.ts');
  return ts.startsWith('conformance/') || ts.startsWith('scripts/') ? ts : join('src', ts);
}

/**
 * Compiled tests under `dist/` whose source is gone. `tsc -b` never deletes what it wrote, so a
 * test file moved or removed in the sources stays in `dist/` and `npm test`'s glob would run it
 * (against modules that moved too). `dist/cjs/` holds no tests.
 */
export function staleTests(root: string): string[] {
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return [];
  const stale: string[] = [];
  for (const entry of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.test.js') || entry.startsWith('cjs/')) continue;
    if (!existsSync(join(root, sourceOf(entry)))) stale.push(join(dist, entry));
  }
  return stale.sort();
}

/** Removes each stale compiled test with its map and declaration files; returns the paths removed. */
export function removeStaleTests(root: string): string[] {
  const removed = staleTests(root);
  for (const file of removed) {
    const stem = file.replace(/\.js$/, '');
    for (const path of [file, `${file}.map`, `${stem}.d.ts`, `${stem}.d.ts.map`]) rmSync(path, { force: true });
  }
  return removed.map((file) => relative(root, file));
}

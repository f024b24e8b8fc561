#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../paths.js';
import { renderBook } from './book.js';

// `npm run docs`: rewrites every snippet and transcript block of docs/ in place.
const pages = await renderBook(ROOT);
let changed = 0;
for (const page of pages) {
  if (page.fresh === page.current) continue;
  await writeFile(join(ROOT, page.path), page.fresh);
  process.stdout.write(`updated ${page.path}\n`);
  changed++;
}
process.stdout.write(`${pages.length} page(s) checked, ${changed} updated\n`);

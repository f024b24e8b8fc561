import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../paths.js';
import { INSIDE, isAllowed, roomOf, ROOMS, targetRoom } from './directions.js';

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}

interface Edge {
  readonly file: string;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
  /** The repository path a relative import lands on. */
  readonly target: string | undefined;
}

function edges(): Edge[] {
  const found: Edge[] = [];
  for (const file of ['src', 'scripts', 'conformance'].flatMap(sources)) {
    const from = roomOf(file);
    if (from === undefined) continue;
    for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2] ?? match[3]) as string;
      if (specifier.startsWith('node:')) continue;
      const resolved = specifier.startsWith('.') ? relative('.', normalize(join(dirname(file), specifier))) : undefined;
      const target = resolved?.replace(/\.js$/, '.ts');
      const to = targetRoom(specifier, target);
      found.push({ file, specifier, from, to: to ?? `outside: ${specifier}`, target });
    }
  }
  return found;
}

describe('import directions', () => {
  const all = edges();

  it('knows the room of every source file, so a new folder needs a rule', () => {
    const homeless = ['src', 'scripts', 'conformance'].flatMap(sources).filter((file) => roomOf(file) === undefined);
    assert.deepEqual(homeless, []);
    assert.ok(all.length > 100, `only ${all.length} imports read`);
  });

  for (const [name, room] of Object.entries(ROOMS)) {
    it(`${name}: ${room.why}`, (t) => {
      const wrong = all
        .filter((edge) => edge.from === name && !isAllowed(edge.from, edge.to, edge.file.endsWith('.test.ts')))
        .map((edge) => `${edge.file} imports ${edge.specifier} (${edge.to})`);
      if (room.pending !== undefined) {
        t.diagnostic(`pending (${room.pending}): ${wrong.length} import(s) against it${wrong.length > 0 ? `:\n${wrong.join('\n')}` : ''}`);
        return;
      }
      assert.deepEqual(wrong, [], `${name} may import only ${room.may.join(', ') || 'itself'}`);
    });
  }

  for (const rule of INSIDE) {
    it(`${rule.files.join(', ')}: ${rule.why}`, () => {
      for (const file of [...rule.files, ...rule.never]) assert.ok(readFileSync(join(ROOT, file), 'utf8').length > 0, `${file} exists`);
      const wrong = all.filter((edge) => rule.files.includes(edge.file) && edge.target !== undefined && rule.never.includes(edge.target)).map((edge) => `${edge.file} imports ${edge.specifier}`);
      assert.deepEqual(wrong, [], `never: ${rule.never.join(', ')}`);
    });
  }

  it('flags an import that goes the wrong way', () => {
    assert.equal(isAllowed('src/protocol', 'src/hub', false), false);
    assert.equal(isAllowed('src/recipes', 'src/redis', false), false);
    assert.equal(isAllowed('src/publish', 'src/redis', false), false);
    assert.equal(isAllowed('src/publish', 'src/stream', false), false);
    assert.equal(isAllowed('src/history', 'src/redis', false), false);
    assert.equal(isAllowed('src', 'scripts', false), false);
    assert.equal(isAllowed('src', 'src/testing', false), false);
    assert.equal(isAllowed('src/hub', 'src/protocol', false), true);
    assert.equal(isAllowed('conformance', 'package:sse-reference', false), false);
  });
});

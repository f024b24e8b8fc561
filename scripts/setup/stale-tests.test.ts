import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { removeStaleTests, sourceOf } from './stale-tests.js';

describe('stale compiled tests', () => {
  const root = mkdtempSync(join(tmpdir(), 'stale-tests-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  function write(path: string): void {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
  }

  it('maps each output folder to its source room', () => {
    assert.equal(sourceOf('hub/channel.test.js'), join('src', 'hub/channel.test.ts'));
    assert.equal(sourceOf('conformance/run.test.js'), 'conformance/run.test.ts');
    assert.equal(sourceOf('scripts/setup/check.test.js'), 'scripts/setup/check.test.ts');
  });

  it('removes a compiled test whose source moved, with its map and declarations, and keeps the rest', () => {
    write('src/publish/gate.test.ts');
    write('dist/publish/gate.test.js');
    for (const path of ['dist/publish-gate.test.js', 'dist/publish-gate.test.js.map', 'dist/publish-gate.test.d.ts']) write(path);
    write('dist/cjs/index.test.js');
    assert.deepEqual(removeStaleTests(root), ['dist/publish-gate.test.js']);
    assert.equal(existsSync(join(root, 'dist/publish-gate.test.js.map')), false);
    assert.equal(existsSync(join(root, 'dist/publish-gate.test.d.ts')), false);
    assert.equal(existsSync(join(root, 'dist/publish/gate.test.js')), true);
    assert.equal(existsSync(join(root, 'dist/cjs/index.test.js')), true);
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../paths.js';
import { webModuleGraph, writeWorkerdConfig } from './workerd.js';

describe('the workerd config of docs/examples/workerd.mjs', () => {
  it('walks the portable entry\'s compiled import graph: web.js first, its channel, stream and resume in it', async () => {
    const graph = await webModuleGraph(join(ROOT, 'dist'));
    assert.equal(graph[0], 'web.js');
    for (const file of ['hub/portable-channel.js', 'stream/web-stream.js', 'hub/resume.js', 'protocol/web-encode.js']) assert.ok(graph.includes(file), `${file} is in the graph`);
    assert.equal(new Set(graph).size, graph.length);
  });

  it('embeds the app and every module of the graph under the name its import resolves to, from files that exist', async () => {
    const project = await mkdtemp(join(tmpdir(), 'sse-workerd-config-'));
    try {
      await mkdir(join(project, 'node_modules/sse-reference'), { recursive: true });
      await symlink(join(ROOT, 'dist'), join(project, 'node_modules/sse-reference/dist'), 'dir');
      const command = await writeWorkerdConfig(project, 'workerd.mjs', 8123);
      assert.deepEqual(command, [join(project, 'node_modules/.bin/workerd'), 'serve', 'workerd.capnp']);
      const config = await readFile(join(project, 'workerd.capnp'), 'utf8');
      assert.match(config, /address = "127\.0\.0\.1:8123"/);
      assert.match(config, /\(name = "worker\.js", esModule = embed "workerd\.mjs"\)/);
      assert.match(config, /\(name = "sse-reference\/web", esModule = embed "node_modules\/sse-reference\/dist\/web\.js"\)/);
      assert.match(config, /\(name = "sse-reference\/hub\/portable-channel\.js", esModule = embed "node_modules\/sse-reference\/dist\/hub\/portable-channel\.js"\)/);
      const embedded = [...config.matchAll(/embed "([^"]+)"/g)].map((match) => match[1] as string);
      assert.equal(embedded.length, (await webModuleGraph(join(ROOT, 'dist'))).length + 1);
      for (const path of embedded.slice(1)) assert.ok(existsSync(join(project, path)), `${path} exists`);
      assert.doesNotMatch(config, /compatibilityFlags/);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

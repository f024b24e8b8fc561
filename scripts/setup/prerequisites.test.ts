import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { onPath, planSetup, TOOLS, type Machine } from './prerequisites.js';

const DEBIAN: Machine = { nodeVersion: 'v20.15.0', platform: 'linux', isRoot: false, hasApt: true, hasDnf: false, hasBrew: false, missing: [] };
const redis = TOOLS.filter((tool) => tool.command === 'redis-server');

describe('the test prerequisites', () => {
  it('does nothing when every tool is there', () => {
    assert.deepEqual(planSetup(DEBIAN), { kind: 'ready' });
  });

  it('installs the missing packages as root on Debian, as .ci/run does', () => {
    assert.deepEqual(planSetup({ ...DEBIAN, isRoot: true, missing: TOOLS }), { kind: 'install', packages: ['redis-server', 'openssl', 'curl', 'util-linux', 'iproute2', 'mount'] });
  });

  it('stops with the one command to run when it may not install', () => {
    const debian = planSetup({ ...DEBIAN, missing: redis });
    assert.equal(debian.kind, 'stop');
    assert.match((debian as { message: string }).message, /\nRun: sudo apt-get install -y redis-server\n/);
    const mac = planSetup({ ...DEBIAN, platform: 'darwin', hasApt: false, hasBrew: true, missing: TOOLS });
    assert.match((mac as { message: string }).message, /Run: brew install redis\n/);
    const fedora = planSetup({ ...DEBIAN, hasApt: false, hasDnf: true, missing: redis });
    assert.match((fedora as { message: string }).message, /Run: sudo dnf install -y redis\n/);
  });

  it('refuses a Node older than 20.15, whatever else is there', () => {
    for (const version of ['v20.14.0', 'v18.20.4']) {
      const plan = planSetup({ ...DEBIAN, nodeVersion: version, isRoot: true, missing: TOOLS });
      assert.equal(plan.kind, 'stop');
      assert.match((plan as { message: string }).message, /needs Node 20\.15 or later/);
    }
    assert.deepEqual(planSetup({ ...DEBIAN, nodeVersion: 'v22.1.0' }), { kind: 'ready' });
  });

  it('finds an executable on PATH and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sse-path-'));
    try {
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
      chmodSync(join(dir, 'tool'), 0o755);
      writeFileSync(join(dir, 'plain'), '');
      chmodSync(join(dir, 'plain'), 0o644);
      assert.equal(onPath('tool', `${delimiter}${dir}`), true);
      assert.equal(onPath('plain', dir), false);
      assert.equal(onPath('absent', dir), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

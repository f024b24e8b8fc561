#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onPath, planSetup, TOOLS } from './prerequisites.js';
import { removeStaleTests } from './stale-tests.js';

// Run by `npm test` before the tests: costs a few PATH lookups when everything is there.
const machine = {
  nodeVersion: process.version,
  platform: process.platform,
  isRoot: process.getuid?.() === 0,
  hasApt: existsSync('/etc/debian_version') && onPath('apt-get'),
  hasDnf: onPath('dnf'),
  hasBrew: onPath('brew'),
  missing: TOOLS.filter((tool) => !onPath(tool.command)),
};
const plan = planSetup(machine);
if (plan.kind === 'stop') {
  process.stderr.write(`${plan.message}\n`);
  process.exit(1);
}
if (plan.kind === 'install') {
  process.stdout.write(`npm test: installing ${plan.packages.join(' ')} (missing; running as root on Debian)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...plan.packages]]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (run.status !== 0) {
      process.stderr.write(`apt-get ${args.join(' ')} failed (exit ${String(run.status ?? run.signal)}); install ${plan.packages.join(' ')} and run npm test again.\n`);
      process.exit(1);
    }
  }
  const still = TOOLS.filter((tool) => !onPath(tool.command));
  if (still.length > 0) {
    process.stderr.write(`still missing after apt-get: ${still.map((tool) => tool.command).join(', ')}\n`);
    process.exit(1);
  }
}

// A test whose source moved or went would still be found by npm test's glob in dist/.
for (const file of removeStaleTests(process.cwd())) process.stdout.write(`npm test: removed ${file} (its source is gone)\n`);

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepSection, withSection } from '../lib/blocks.js';
import { renderScaleOutSection, type ScaleOutRow } from './scale-out.js';

const ROW: ScaleOutRow = {
  setup: 'redis ×2',
  streams: 400,
  rate: 100,
  published: 600,
  refused: 0,
  deliveriesPerSecond: 40000,
  completeness: 1,
  p50Ms: 1.234,
  p99Ms: 5.678,
  cpuMsPerThousand: 12.5,
};

describe('the scale-out section of docs/benchmarks.md', () => {
  it('shows one row per setup and rate, with the figures rounded', () => {
    const section = renderScaleOutSection([ROW, { ...ROW, p99Ms: Number.NaN }], '2026-11-23T20:00:00Z', 2);
    assert.match(section, /\| redis ×2 \| 400 \| 100 \| 40,000 \| 100\.0 % \| 1\.2 \| 5\.7 \| 12\.50 \| 0 \|/);
    assert.match(section, /\| n\/a \|/);
  });

  it('replaces an earlier section in place, or adds one at the end', () => {
    const first = withSection('# Benchmarks\n\ntext\n', 'scale-out', renderScaleOutSection([ROW], 'then', 2));
    assert.ok(first.startsWith('# Benchmarks\n\ntext\n\n<!-- section: scale-out -->'));
    const second = withSection(`${first}after\n`, 'scale-out', renderScaleOutSection([{ ...ROW, rate: 400 }], 'now', 2));
    assert.equal(second.match(/<!-- section: scale-out -->/g)?.length, 1);
    assert.match(second, /\| 400 \|[^\n]*\n\nRead it/);
    assert.ok(second.endsWith('<!-- /section -->\nafter\n'));
    assert.equal(keepSection('# New page\n', second, 'scale-out'), `# New page\n\n${renderScaleOutSection([{ ...ROW, rate: 400 }], 'now', 2)}\n`);
    assert.equal(keepSection('# New page\n', '# Old page without one\n', 'scale-out'), '# New page\n');
  });
});

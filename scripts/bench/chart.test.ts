import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart } from './chart.js';

describe('renderChart', () => {
  const svg = renderChart(
    [
      { title: 'Deliveries <per> second', unit: '/s', groups: [{ label: 'C = 1,000', reference: 2_000_000, baseline: 250_000 }] },
      { title: 'CPU', unit: 's', groups: [{ label: 'bursts & more', reference: 0.2, baseline: Number.NaN }] },
    ],
    'caption',
  );

  it('is one standalone SVG document with escaped text', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.match(svg, /Deliveries &lt;per&gt; second/);
    assert.match(svg, /bursts &amp; more/);
    assert.doesNotMatch(svg, /<script/);
  });

  it('scales bars to the largest value of their panel', () => {
    const widths = [...svg.matchAll(/<rect x="200" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(widths[0], 450);
    assert.equal(widths[1], 56.3);
    assert.equal(widths[2], 450);
  });

  it('draws no bar and a dash for a missing figure', () => {
    assert.equal([...svg.matchAll(/<rect x="200"/g)].length, 3);
    assert.match(svg, />–<\/text>/);
    assert.match(svg, />2,000,000 \/s<\/text>/);
  });
});

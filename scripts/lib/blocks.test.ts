import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepSection, section, withSection } from './blocks.js';

describe('sections (blocks a run writes into its page)', () => {
  it('adds a section at the end, then replaces only that one', () => {
    const page = withSection('# Page\n', 'peers', section('peers', 'first'));
    assert.equal(page, '# Page\n\n<!-- section: peers -->\nfirst\n<!-- /section -->\n');
    const both = withSection(page, 'h2', section('h2', 'h2 body'));
    const replaced = withSection(both, 'peers', section('peers', 'second'));
    assert.match(replaced, /<!-- section: peers -->\nsecond\n<!-- \/section -->/);
    assert.match(replaced, /h2 body/);
    assert.doesNotMatch(replaced, /first/);
  });

  it('carries a section over from the previous page', () => {
    const previous = withSection('# Old\n', 'peers', section('peers', 'kept'));
    assert.match(keepSection('# New\n', previous, 'peers'), /^# New\n\n<!-- section: peers -->\nkept\n<!-- \/section -->\n$/);
    assert.equal(keepSection('# New\n', '# Old\n', 'peers'), '# New\n');
  });

  it('leaves the other blocks of the page as they are', () => {
    const page = '# Page\n<!-- snippet: a.ts#x -->\n```ts\nx\n```\n<!-- /snippet -->\n';
    const both = withSection(withSection(page, 'peers', section('peers', 'one')), 'peers', section('peers', 'two'));
    assert.equal(both, `${page}\n${section('peers', 'two')}\n`);
  });
});

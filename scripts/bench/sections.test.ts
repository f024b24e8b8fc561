import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepSection, section, withSection } from './sections.js';

describe('sections', () => {
  it('adds a section at the end, then replaces only that one', () => {
    const page = withSection('# Page\n', 'peers', section('peers', 'first'));
    assert.equal(page, '# Page\n\n<!-- peers -->\nfirst\n<!-- /peers -->\n');
    const both = withSection(page, 'h2', section('h2', 'h2 body'));
    const replaced = withSection(both, 'peers', section('peers', 'second'));
    assert.match(replaced, /<!-- peers -->\nsecond\n<!-- \/peers -->/);
    assert.match(replaced, /h2 body/);
    assert.doesNotMatch(replaced, /first/);
  });

  it('carries a section over from the previous page', () => {
    const previous = withSection('# Old\n', 'peers', section('peers', 'kept'));
    assert.match(keepSection('# New\n', previous, 'peers'), /^# New\n\n<!-- peers -->\nkept\n<!-- \/peers -->\n$/);
    assert.equal(keepSection('# New\n', '# Old\n', 'peers'), '# New\n');
  });
});

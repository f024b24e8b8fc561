import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLibraryFile, measureFeedVisits } from './visits.js';

describe('files visited by GET /feed with Last-Event-ID', () => {
  it('counts library files only', () => {
    const dist = new URL('../../', import.meta.url).href;
    assert.equal(isLibraryFile(`${dist}hub/channel.js`), true);
    assert.equal(isLibraryFile(`${dist}scripts/layout/visits.js`), false);
    assert.equal(isLibraryFile(`${dist}conformance/run.js`), false);
    assert.equal(isLibraryFile(`${dist}cjs/index.js`), false);
    assert.equal(isLibraryFile('node:http'), false);
  });

  it('measures one resume on the memory broker: the replay, through the /feed handler and the channel', async () => {
    const visits = await measureFeedVisits();
    assert.equal(visits.firstEvent, 'message');
    assert.ok(visits.files.includes('src/feed/handler.ts'), visits.files.join(' '));
    assert.ok(visits.files.includes('src/hub/channel.ts'), visits.files.join(' '));
    assert.ok(visits.files.every((file) => file.startsWith('src/') && file.endsWith('.ts')), visits.files.join(' '));
    // Start-up is not counted: the options table is read only then.
    assert.ok(!visits.files.includes('src/options/table.ts'), visits.files.join(' '));
  });
});

import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { CdpError, Chromium, takeMessages } from './cdp.js';

describe('the DevTools pipe', () => {
  it('splits NUL-terminated messages and keeps an unfinished one for the next chunk', () => {
    assert.deepEqual(takeMessages('{"id":1}\0{"id":2}\0{"id"'), { messages: ['{"id":1}', '{"id":2}'], rest: '{"id"' });
    assert.deepEqual(takeMessages(':3}\0'), { messages: [':3}'], rest: '' });
    assert.deepEqual(takeMessages(''), { messages: [], rest: '' });
  });

  it('fails with the package to install when the browser is missing, and leaves no profile behind', async () => {
    const before = (await readdir(tmpdir())).filter((name) => name.startsWith('sse-reference-chromium-'));
    await assert.rejects(Chromium.launch([], '/nonexistent/chromium'), (error: unknown) => {
      assert.ok(error instanceof CdpError);
      assert.match(error.message, /install the Debian package "chromium"/);
      return true;
    });
    const after = (await readdir(tmpdir())).filter((name) => name.startsWith('sse-reference-chromium-'));
    assert.deepEqual(after, before);
  });
});

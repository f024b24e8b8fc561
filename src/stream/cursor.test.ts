import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { lastEventIdOf, lastEventIdOfRequest, queryCursor } from './cursor.js';

const req = (url: string, headers: Record<string, string> = {}): IncomingMessage => ({ url, headers }) as unknown as IncomingMessage;

describe('queryCursor', () => {
  it('reads ?lastEventId= as the URL parser does, and is null without a query', () => {
    assert.equal(queryCursor(undefined), null);
    assert.equal(queryCursor('/feed'), null);
    assert.equal(queryCursor('/feed?'), null);
    assert.equal(queryCursor('/feed?other=1'), null);
    assert.equal(queryCursor('/feed?lastEventId=0123456789ab-7'), '0123456789ab-7');
    assert.equal(queryCursor('/feed?lastEventId=a%20b&lastEventId=c'), 'a b');
    assert.equal(queryCursor('/feed?lastEventId=x#y'), 'x');
    assert.equal(queryCursor('/feed?lastEventId='), '');
  });
});

describe('the cursor of a request', () => {
  it('takes the header over the query, and the query when the header is absent or empty', () => {
    assert.equal(lastEventIdOf(req('/feed?lastEventId=q', { 'last-event-id': 'h' })), 'h');
    assert.equal(lastEventIdOf(req('/feed?lastEventId=q', { 'last-event-id': '' })), 'q');
    assert.equal(lastEventIdOf(req('/feed?lastEventId=q')), 'q');
    assert.equal(lastEventIdOf(req('/feed')), undefined);
  });

  it('reads a Web Request the same way', () => {
    assert.equal(lastEventIdOfRequest(new Request('http://x/feed?lastEventId=q', { headers: { 'last-event-id': 'h' } })), 'h');
    assert.equal(lastEventIdOfRequest(new Request('http://x/feed?lastEventId=q')), 'q');
    assert.equal(lastEventIdOfRequest(new Request('http://x/feed')), undefined);
  });
});

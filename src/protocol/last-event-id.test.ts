import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { EPOCH, HOSTILE_IDS } from '../testing/hostile-ids.js';
import { formatEventId, lastEventIdOf, lastEventIdOfRequest, MAX_LAST_EVENT_ID_LENGTH, parseLastEventId, queryCursor, readLastEventId } from './last-event-id.js';




describe('readLastEventId, the one reader every id scheme parses after', () => {
  it('reads absent, empty and whitespace-only as none, and trims only space and tab', () => {
    for (const value of [undefined, null, '', ' \t ']) assert.deepEqual(readLastEventId(value), { kind: 'none' });
    assert.deepEqual(readLastEventId(' \tabc \t'), { kind: 'text', text: 'abc' });
    assert.deepEqual(readLastEventId('abc\u00a0'), { kind: 'text', text: 'abc\u00a0' });
  });

  it('calls more than one value, or one too long, invalid; the cap is the caller\'s', () => {
    assert.equal(readLastEventId(['a', 'b']).kind, 'invalid');
    const long = 'x'.repeat(MAX_LAST_EVENT_ID_LENGTH + 1);
    assert.equal(readLastEventId(long).kind, 'invalid');
    assert.deepEqual(readLastEventId(long, Infinity), { kind: 'text', text: long });
  });
});

describe('parseLastEventId', () => {
  it('reads a canonical <epoch>-<seq>', () => {
    assert.deepEqual(parseLastEventId(`${EPOCH}-0`), { kind: 'position', epoch: EPOCH, seq: 0 });
    assert.deepEqual(parseLastEventId(`${EPOCH}-9007199254740991`), { kind: 'position', epoch: EPOCH, seq: 2 ** 53 - 1 });
  });

  it('treats absent and empty as a fresh connection', () => {
    for (const value of [undefined, null, '', '   ']) assert.deepEqual(parseLastEventId(value), { kind: 'none' });
  });

  it('trims outer whitespace, as Node does for header values', () => {
    assert.deepEqual(parseLastEventId(`  ${EPOCH}-5\t`), { kind: 'position', epoch: EPOCH, seq: 5 });
  });

  it('calls an id with a no-break space around it invalid (a latin1 0xA0 header byte)', () => {
    for (const value of [`${EPOCH}-5\u00a0`, `\u00a0${EPOCH}-5`, `\u00a0`]) {
      assert.equal(parseLastEventId(value).kind, 'invalid', `expected invalid for ${JSON.stringify(value)}`);
    }
  });

  it(`calls each of ${HOSTILE_IDS.length} hostile values invalid, without throwing`, () => {
    for (const value of HOSTILE_IDS) {
      const result = parseLastEventId(value);
      assert.equal(result.kind, 'invalid', `expected invalid for ${JSON.stringify(value)}`);
    }
  });

  it('refuses more than one value and anything over the length cap', () => {
    assert.equal(parseLastEventId(['a', 'b']).kind, 'invalid');
    assert.equal(MAX_LAST_EVENT_ID_LENGTH, 128);
  });

  it('formats what it parses', () => {
    assert.equal(formatEventId({ epoch: EPOCH, seq: 12 }), `${EPOCH}-12`);
  });
});

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

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { longestSilence, numericIds, parseStream } from './sse-text.js';

describe('parseStream', () => {
  it('dispatches events on a blank line, with type, data lines joined, and the last event id', () => {
    const { events, retries, comments, ignored, trailing } = parseStream('retry: 3000\n\n: hi\nevent: tick\nid: 7\ndata: a\ndata:b\n\ndata: c\n\n');
    assert.deepEqual(
      events.map((e) => [e.type, e.data, e.lastEventId, e.hasOwnId]),
      [
        ['tick', 'a\nb', '7', true],
        ['message', 'c', '7', false],
      ],
    );
    assert.deepEqual(retries.map((r) => [r.value, r.eventsBefore]), [[3000, 0]]);
    assert.deepEqual(comments.map((c) => c.text), [' hi']);
    assert.deepEqual(ignored, []);
    assert.equal(trailing, '');
  });

  it('splits lines on CR, LF and CRLF, even across pieces, and strips one BOM at the start', () => {
    const { events } = parseStream([
      { atMs: 1, text: '\ufeffdata: a\r' },
      { atMs: 2, text: '\n\r' },
      { atMs: 3, text: 'data: b\n\n' },
    ]);
    assert.deepEqual(events.map((e) => [e.data, e.atMs]), [['a', 2], ['b', 3]]);
  });

  it('ignores unknown fields, bad retry values and an id holding NUL; keeps a trailing partial event apart', () => {
    const { events, ignored, retries, trailing } = parseStream('Data: x\nretry: 1e3\nid: a\u0000b\ndata: y\n\ndata: z');
    assert.deepEqual(ignored, ['Data: x', 'retry: 1e3']);
    assert.deepEqual(retries, []);
    assert.deepEqual(events.map((e) => [e.data, e.lastEventId, e.hasOwnId]), [['y', '', false]]);
    assert.equal(trailing, 'data: z');
  });

  it('starts from a given last event id, as a resumed client does', () => {
    assert.equal(parseStream('data: x\n\n', '41').events[0]?.lastEventId, '41');
  });
});

describe('numericIds and longestSilence', () => {
  it('reads integer ids as bigints, and refuses a list with any other id', () => {
    assert.deepEqual(numericIds(['1', '-2', '1796241262030']), [1n, -2n, 1796241262030n]);
    assert.equal(numericIds(['1', 'abc']), undefined);
    assert.equal(numericIds([]), undefined);
  });

  it('measures the longest gap, counting from the start and to the end', () => {
    assert.equal(longestSilence([100, 200, 5200], 0, 6000), 5000);
    assert.equal(longestSilence([], 10, 40_010), 40_000);
  });
});

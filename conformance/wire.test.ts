import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escape, fieldValue, lineKind, parseTimed, splitBlocks, splitLines, writeEnds } from './wire.js';

describe('splitLines', () => {
  it('ends lines at LF, CR and CRLF, with byte offsets and terminators', () => {
    const lines = splitLines(Buffer.from('a\nbé\r\nc\rd'));
    assert.deepEqual(
      lines.map((l) => [l.offset, l.text, l.end]),
      [
        [0, 'a', 'lf'],
        [2, 'bé', 'crlf'],
        [7, 'c', 'cr'],
        [9, 'd', 'none'],
      ],
    );
  });

  it('skips one BOM at byte 0 but keeps a later one visible', () => {
    const lines = splitLines(Buffer.from('\ufeffdata: x\n\ufeff: y\n'));
    assert.equal(lines[0]?.text, 'data: x');
    assert.equal(lines[1]?.text, '\ufeff: y');
  });

  it('stamps each line with the arrival of its last byte', () => {
    const body = Buffer.from('data: a\n\ndata: b\n\n');
    const lines = splitLines(body, [
      { atMs: 5, offset: 0, length: 9 },
      { atMs: 80, offset: 9, length: 9 },
    ]);
    assert.deepEqual(lines.map((l) => l.atMs), [5, 5, 80, 80]);
  });
});

describe('lines, blocks and fields', () => {
  it('names what each line means to a client', () => {
    assert.deepEqual(['', ': c', 'data: x', 'event:y', 'id', 'retry: 1', 'Data: x', ' data: x'].map(lineKind), [
      'blank',
      'comment',
      'data',
      'event',
      'id',
      'retry',
      'unknown',
      'unknown',
    ]);
  });

  it('removes exactly one space after the colon', () => {
    assert.equal(fieldValue('data:  two'), ' two');
    assert.equal(fieldValue('data:none'), 'none');
    assert.equal(fieldValue('data'), '');
  });

  it('groups lines into blocks and marks a last block without its blank line', () => {
    const blocks = splitBlocks(splitLines(Buffer.from('data: a\n\n\ndata: b\nid: 1')));
    assert.deepEqual(blocks.map((b) => [b.lines.map((l) => l.text), b.isEnded]), [
      [['data: a'], true],
      [['data: b', 'id: 1'], false],
    ]);
  });
});

describe('parseTimed', () => {
  it('stamps events with their arrival, tells own ids, and reports retries and a discarded tail', () => {
    const body = Buffer.from('retry: 3000\n\nid: 1\ndata: a\n\ndata: b\n\ndata: lost');
    const { events, retries, discarded } = parseTimed(body, [
      { atMs: 1, offset: 0, length: 13 },
      { atMs: 2, offset: 13, length: 15 },
      { atMs: 3, offset: 28, length: body.length - 28 },
    ]);
    assert.deepEqual(events.map((e) => [e.data, e.lastEventId, e.hasOwnId, e.atMs]), [
      ['a', '1', true, 2],
      ['b', '1', false, 3],
    ]);
    assert.deepEqual(retries, [{ value: 3000, atMs: 1, eventsBefore: 0 }]);
    assert.equal(discarded, true);
  });
});

describe('escape', () => {
  it('shows control characters and cuts long text in the middle', () => {
    assert.equal(escape('a\r\nb\u0000"'), 'a\\r\\nb\\u0000"');
    const long = escape('x'.repeat(100), 30);
    assert.equal(long.length, 30);
    assert.match(long, /…/);
  });
});

describe('parseTimed with the server\'s writes', () => {
  it('tells which write an event and a retry came in, when one read joined them', () => {
    // Two writes a millisecond apart, read at once: the chunk framing still tells them apart.
    const body = Buffer.from('event: connected\ndata: {}\n\nretry: 3000\n\n');
    const arrivals = [{ atMs: 4, offset: 0, length: body.length }];
    const { events, retries } = parseTimed(body, arrivals, [27, body.length]);
    assert.deepEqual(events.map((e) => [e.type, e.write, e.atMs]), [['connected', 0, 4]]);
    assert.deepEqual(retries.map((r) => [r.value, r.eventsBefore, r.write]), [[3000, 1, 1]]);
    // One write: the same index for both.
    assert.equal(parseTimed(body, arrivals, [body.length]).retries[0]?.write, 0);
    // Without the writes, no index at all.
    assert.equal(parseTimed(body, arrivals).retries[0]?.write, undefined);
  });

  it('reads the writes from chunk framing only, with no content coding', () => {
    const head = (coding?: string) => ({ headers: coding === undefined ? [] : [['Content-Encoding', coding] as [string, string]] });
    assert.deepEqual(writeEnds({ framing: 'chunked', chunkSizes: [27, 13, 0], head: head() }), [27, 40]);
    assert.equal(writeEnds({ framing: 'chunked', chunkSizes: [27, 13], head: head('gzip') }), undefined);
    assert.equal(writeEnds({ framing: 'close', chunkSizes: [], head: head() }), undefined);
  });
});

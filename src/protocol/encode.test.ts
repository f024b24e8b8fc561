import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeComment, encodeCursor, encodeEvent, encodeRetry, formatEvent } from './encode.js';
import { SseError, type SseErrorCode } from './errors.js';
import { createParser, type ParsedEvent } from './parse.js';

function roundTrip(bytes: Buffer): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(bytes);
  parser.end();
  return events;
}

function refuses(fn: () => unknown, code: SseErrorCode): void {
  assert.throws(fn, (error: unknown) => error instanceof SseError && error.code === code);
}

describe('encodeEvent', () => {
  it('writes data, event, id and retry in a fixed order with the space after each colon', () => {
    assert.equal(
      formatEvent({ data: 'hello', event: 'greeting', id: 'e-1', retry: 2500 }),
      'event: greeting\nid: e-1\nretry: 2500\ndata: hello\n\n',
    );
  });

  it('splits data on LF, CR and CRLF into one data line each', () => {
    assert.equal(formatEvent({ data: 'a\rb\r\nc\nd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('keeps a trailing line break as a final empty data line', () => {
    assert.equal(formatEvent({ data: 'a\n' }), 'data: a\ndata: \n\n');
    assert.deepEqual(roundTrip(encodeEvent({ data: 'a\n' })).map((e) => e.data), ['a\n']);
  });

  it('keeps a leading space, and an empty payload is still an event', () => {
    assert.equal(formatEvent({ data: ' x' }), 'data:  x\n\n');
    assert.deepEqual(roundTrip(encodeEvent({ data: ' x' })).map((e) => e.data), [' x']);
    assert.deepEqual(roundTrip(encodeEvent({ data: '' })).map((e) => e.data), ['']);
  });

  it('carries an injection attempt as data only', () => {
    const events = roundTrip(encodeEvent({ data: 'x\nevent: evil\nid: 999\nretry: 1', id: 'a-1' }));
    assert.deepEqual(events, [{ type: 'message', data: 'x\nevent: evil\nid: 999\nretry: 1', lastEventId: 'a-1' }]);
  });

  it('passes NULL, emoji and non-ASCII through as UTF-8', () => {
    const data = 'nul\0 😀 é 日本';
    const bytes = encodeEvent({ data });
    assert.equal(bytes.toString('utf8'), `data: ${data}\n\n`);
    assert.deepEqual(roundTrip(bytes).map((e) => e.data), [data]);
  });

  it('refuses CR or LF in an event name, before writing anything', () => {
    refuses(() => encodeEvent({ data: 'x', event: 'a\nb' }), 'SSE_ERR_EVENT_HAS_NEWLINE');
    refuses(() => encodeEvent({ data: 'x', event: 'a\rb' }), 'SSE_ERR_EVENT_HAS_NEWLINE');
    refuses(() => encodeEvent({ data: 'x', event: '' }), 'SSE_ERR_EVENT_EMPTY');
  });

  it('refuses an event name holding a lone surrogate, before writing anything', () => {
    for (const event of ['a\uD800', '\uDC00b', '\uDC00\uD800']) {
      assert.throws(() => encodeEvent({ event, data: 'x' }), { name: 'SseError', code: 'SSE_ERR_EVENT_NOT_WELL_FORMED' });
    }
    assert.equal(formatEvent({ event: 'tick-😀', data: 'x' }), 'event: tick-😀\ndata: x\n\n');
  });

  it('refuses CR, LF or NULL in an id', () => {
    refuses(() => encodeEvent({ data: 'x', id: '1\n2' }), 'SSE_ERR_ID_HAS_NEWLINE');
    refuses(() => encodeEvent({ data: 'x', id: '1\r' }), 'SSE_ERR_ID_HAS_NEWLINE');
    refuses(() => encodeEvent({ data: 'x', id: '1\0' }), 'SSE_ERR_ID_HAS_NULL');
  });

  it('refuses a retry that is not a non-negative integer', () => {
    for (const retry of [-1, 1.5, Number.NaN, Infinity, 2 ** 60]) refuses(() => encodeEvent({ data: 'x', retry }), 'SSE_ERR_RETRY_INVALID');
  });

  it('refuses data that is not a string or holds a lone surrogate', () => {
    refuses(() => encodeEvent({ data: 42 as unknown as string }), 'SSE_ERR_DATA_NOT_STRING');
    refuses(() => encodeEvent({ data: 'a\uD800b' }), 'SSE_ERR_DATA_NOT_WELL_FORMED');
    assert.equal(formatEvent({ data: '\uD83D\uDE00' }), 'data: 😀\n\n');
  });
});

describe('encodeComment and encodeRetry', () => {
  it('write whole comment and retry blocks', () => {
    assert.equal(encodeComment('heartbeat').toString(), ': heartbeat\n\n');
    assert.equal(encodeComment('').toString(), ':\n\n');
    assert.equal(encodeRetry(3000).toString(), 'retry: 3000\n\n');
  });

  it('write an id-only block that a client takes as its cursor without an event, and refuse an id that would inject', () => {
    assert.equal(encodeCursor('abc-7').toString(), 'id: abc-7\n\n');
    const parser = createParser({ onEvent: () => assert.fail('an id-only block dispatched an event') });
    parser.feed(encodeCursor('abc-7'));
    assert.equal(parser.lastEventId, 'abc-7');
    assert.throws(() => encodeCursor('7\ndata: x'), { code: 'SSE_ERR_ID_HAS_NEWLINE' });
    assert.throws(() => encodeCursor('7\0'), { code: 'SSE_ERR_ID_HAS_NULL' });
  });

  it('refuse a comment with a line break', () => {
    refuses(() => encodeComment('a\nb'), 'SSE_ERR_COMMENT_HAS_NEWLINE');
    refuses(() => encodeRetry(-5), 'SSE_ERR_RETRY_INVALID');
  });
});

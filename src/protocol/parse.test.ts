import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createParser, type ParsedEvent } from './parse.js';

interface Seen {
  events: ParsedEvent[];
  retries: number[];
  comments: string[];
  unknown: string[];
  discarded: boolean;
  lastEventId: string;
}

function parse(chunks: (string | Uint8Array)[]): Seen {
  const seen: Omit<Seen, 'discarded' | 'lastEventId'> = { events: [], retries: [], comments: [], unknown: [] };
  const parser = createParser({
    onEvent: (e) => seen.events.push(e),
    onRetry: (ms) => seen.retries.push(ms),
    onComment: (text) => seen.comments.push(text),
    onUnknownField: (name) => seen.unknown.push(name),
  });
  for (const chunk of chunks) parser.feed(chunk);
  const discarded = parser.end();
  return { ...seen, discarded, lastEventId: parser.lastEventId };
}

/** Splits `bytes` at random places (seeded), so chunk edges land everywhere, inside CRLF and UTF-8. */
function rechunk(bytes: Buffer, seed: number): Buffer[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + (next() % 7);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

const data = (seen: Seen): string[] => seen.events.map((e) => e.data);

describe('createParser', () => {
  it('dispatches on a blank line and joins data lines with LF', () => {
    const seen = parse(['data: a\ndata: b\n\n']);
    assert.deepEqual(seen.events, [{ type: 'message', data: 'a\nb', lastEventId: '' }]);
  });

  it('treats CR, LF and CRLF as line ends, even when CRLF is split across chunks', () => {
    assert.deepEqual(data(parse(['data: a\r\ndata: b\rdata: c\n\r\n'])), ['a\nb\nc']);
    assert.deepEqual(data(parse(['data: a\r', '\n', '\r', '\ndata: b\r\r'])), ['a', 'b']);
  });

  it('gives the same events however the bytes are chunked', () => {
    const wire = Buffer.from('\uFEFFevent: t\r\nid: 7\rdata: é😀\n: note\r\nretry: 50\n\ndata:x\r\n\r\nid\n\n', 'utf8');
    const expected = parse([wire]);
    assert.equal(expected.events.length, 2);
    for (let seed = 1; seed <= 200; seed++) assert.deepEqual(parse(rechunk(wire, seed)), expected);
  });

  it('strips one space after the colon, and only one', () => {
    assert.deepEqual(data(parse(['data:  two\n\ndata:none\n\n'])), [' two', 'none']);
  });

  it('ignores one leading BOM and nothing else', () => {
    assert.deepEqual(data(parse(['\uFEFFdata: a\n\n'])), ['a']);
    assert.deepEqual(data(parse([Buffer.from([0xef, 0xbb, 0xbf]), 'data: a\n\n'])), ['a']);
    const twice = parse(['\uFEFF\uFEFFdata: a\n\n']);
    assert.deepEqual(twice.events, []);
    assert.deepEqual(twice.unknown, ['\uFEFFdata']);
  });

  it('uses the event field as the type, message when absent or empty', () => {
    assert.deepEqual(parse(['event: a\ndata: 1\n\nevent:\ndata: 2\n\n']).events.map((e) => e.type), ['a', 'message']);
  });

  it('sets the last event id on dispatch, keeps it, ignores an id with NULL, and clears it with an empty id', () => {
    const seen = parse(['id: 1\ndata: a\n\ndata: b\n\nid: 2\0\ndata: c\n\nid\ndata: d\n\n']);
    assert.deepEqual(seen.events.map((e) => e.lastEventId), ['1', '1', '1', '']);
  });

  it('moves the last event id even when no event is dispatched', () => {
    const seen = parse(['id: 9\n\n']);
    assert.deepEqual(seen.events, []);
    assert.equal(seen.lastEventId, '9');
  });

  it('starts from the last event id the client already holds, which an event without id keeps and an empty id clears', () => {
    const events: ParsedEvent[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e) }, 'e-7');
    parser.feed('data: a\n\nid\ndata: b\n\n');
    assert.deepEqual(events.map((e) => e.lastEventId), ['e-7', '']);
  });

  it('does not dispatch a block without data, and discards an unterminated event at the end', () => {
    const seen = parse(['event: x\n\ndata: kept\n\ndata: lost\nid: 5']);
    assert.deepEqual(data(seen), ['kept']);
    assert.equal(seen.discarded, true);
    assert.equal(seen.lastEventId, '');
    assert.equal(parse(['data: a\n\n']).discarded, false);
  });

  it('accepts retry with ASCII digits only', () => {
    const seen = parse(['retry: 1000\nretry: 1e3\nretry: -1\nretry:  5\nretry: 1.5\nretry: 0\n\n']);
    assert.deepEqual(seen.retries, [1000, 0]);
  });

  it('reports comments and fields that mean nothing, and is case-sensitive', () => {
    const seen = parse([': hi\nData: x\nfoo\n data: y\n\n']);
    assert.deepEqual(seen.comments, [' hi']);
    assert.deepEqual(seen.unknown, ['Data', 'foo', ' data']);
    assert.deepEqual(seen.events, []);
  });

  it('decodes invalid UTF-8 as U+FFFD, as a browser does', () => {
    assert.deepEqual(data(parse([Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xff, 0x0a, 0x0a])])), ['\uFFFD']);
  });

  it('keeps NULL inside data', () => {
    assert.deepEqual(data(parse(['data: a\0b\n\n'])), ['a\0b']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStrictReader } from './sse-reader.js';

const STREAM = 'retry: 100\n\n: hi\r\nevent: a\rid: e-1\r\ndata: x\ndata:  y\n\ndata\n\nid: e\0z\ndata: 😀\r\n\r\n';

function parseInChunks(bytes: Buffer, seed: number) {
  const parser = createStrictReader();
  for (let at = 0, step = seed; at < bytes.length; step = (step * 48_271) % 2_147_483_647) {
    const size = 1 + (step % 7);
    parser.feed(bytes.subarray(at, at + size));
    at += size;
  }
  return parser;
}

describe('the strict reader (the suite\'s reader, strict)', () => {
  it('reads CR, LF and CRLF line ends the same, however the bytes are chunked', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const parser = parseInChunks(Buffer.from(STREAM), seed);
      assert.deepEqual(parser.events, [
        { type: 'a', data: 'x\n y', id: 'e-1' },
        { type: 'message', data: '', id: 'e-1' },
        { type: 'message', data: '😀', id: 'e-1' },
      ]);
      assert.deepEqual(parser.retries, [100]);
      assert.deepEqual(parser.comments, [' hi']);
      assert.deepEqual(parser.problems, []);
      assert.equal(parser.hasPartial(), false);
    }
  });

  it('flags invalid UTF-8, a BOM, an unknown field and a half-written event', () => {
    const parser = createStrictReader();
    parser.feed(Buffer.from('\uFEFFfoo: 1\ndata: a\n'));
    parser.feed(Buffer.from([0xff, 0x0a]));
    assert.equal(parser.problems.length, 3);
    assert.deepEqual(parser.problems, ['a byte-order mark at the start', 'unknown field "foo"', 'bytes that are not valid UTF-8']);
    assert.equal(parser.hasPartial(), true);
  });

  it('flags a retry that is not digits, and reads on', () => {
    const parser = createStrictReader();
    parser.feed(Buffer.from('retry: 1s\ndata: a\n\n'));
    assert.deepEqual(parser.problems, ['retry field that is not digits: "1s"']);
    assert.deepEqual(parser.events, [{ type: 'message', data: 'a', id: '' }]);
    assert.equal(parser.hasPartial(), false);
  });
});


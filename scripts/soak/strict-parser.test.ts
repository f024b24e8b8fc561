import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from './rng.js';
import { createStrictParser } from './strict-parser.js';

const STREAM = 'retry: 100\n\n: hi\r\nevent: a\rid: e-1\r\ndata: x\ndata:  y\n\ndata\n\nid: e\0z\ndata: 😀\r\n\r\n';

function parseInChunks(bytes: Buffer, seed: number) {
  const rng = createRng(seed);
  const parser = createStrictParser();
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + rng.int(7);
    parser.feed(bytes.subarray(at, at + size));
    at += size;
  }
  return parser;
}

describe('the soak’s strict parser', () => {
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
    const parser = createStrictParser();
    parser.feed(Buffer.from('\uFEFFfoo: 1\ndata: a\n'));
    parser.feed(Buffer.from([0xff, 0x0a]));
    assert.equal(parser.problems.length, 3);
    assert.equal(parser.hasPartial(), true);
  });
});

describe('the seeded generator', () => {
  it('gives the same values for the same seed', () => {
    const a = createRng(7);
    const b = createRng(7);
    const values = Array.from({ length: 100 }, () => a.int(1000));
    assert.deepEqual(values, Array.from({ length: 100 }, () => b.int(1000)));
    assert.ok(new Set(values).size > 50);
    assert.ok(values.every((v) => v >= 0 && v < 1000));
  });
});

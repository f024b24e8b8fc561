import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedDecoder, FramingError, headerValue, headerValues, parseHead } from './framing.js';

const CHUNKED = Buffer.from('5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n');

describe('parseHead', () => {
  it('reads the status line and the headers in order, names as sent', () => {
    const head = parseHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-A:  1 \r\nx-a: 2'));
    assert.equal(head.status, 200);
    assert.equal(head.reason, 'OK');
    assert.equal(head.httpVersion, '1.1');
    assert.deepEqual(head.headers, [['Content-Type', 'text/event-stream'], ['X-A', '1'], ['x-a', '2']]);
    assert.equal(headerValue(head.headers, 'content-type'), 'text/event-stream');
    assert.deepEqual(headerValues(head.headers, 'X-a'), ['1', '2']);
  });

  it('accepts a status line without a reason', () => {
    assert.equal(parseHead(Buffer.from('HTTP/1.0 204')).reason, '');
  });

  it('refuses a status line that is not HTTP/1.x, and a header line without a colon', () => {
    assert.throws(() => parseHead(Buffer.from('ICY 200 OK')), FramingError);
    assert.throws(() => parseHead(Buffer.from('HTTP/1.1 200 OK\r\nno colon here')), /bad header line/);
  });
});

describe('ChunkedDecoder', () => {
  it('decodes a chunked body fed in one piece, records each size and sees the end', () => {
    const decoder = new ChunkedDecoder();
    assert.equal(decoder.push(CHUNKED).toString(), 'hello, world');
    assert.deepEqual(decoder.sizes, [5, 7, 0]);
    assert.equal(decoder.isDone, true);
  });

  it('decodes the same body cut at random places, byte-identical', () => {
    for (let round = 0; round < 50; round++) {
      const decoder = new ChunkedDecoder();
      const out: Buffer[] = [];
      let at = 0;
      while (at < CHUNKED.length) {
        const size = 1 + Math.floor(Math.random() * 6);
        out.push(decoder.push(CHUNKED.subarray(at, at + size)));
        at += size;
      }
      assert.equal(Buffer.concat(out).toString(), 'hello, world');
      assert.equal(decoder.isDone, true);
    }
  });

  it('is not done while the terminating chunk is missing', () => {
    const decoder = new ChunkedDecoder();
    decoder.push(Buffer.from('5\r\nhello\r\n'));
    assert.equal(decoder.isDone, false);
  });

  it('refuses a bad size line, chunk data without CRLF, and an endless size line', () => {
    assert.throws(() => new ChunkedDecoder().push(Buffer.from('zz\r\n')), /bad chunk size line "zz"/);
    assert.throws(() => new ChunkedDecoder().push(Buffer.from('2\r\nabXY')), /not followed by CRLF/);
    assert.throws(() => new ChunkedDecoder().push(Buffer.alloc(2000, 0x31)), /longer than 1024/);
  });
});

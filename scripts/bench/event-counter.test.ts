import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractStamps, parseResponseHead, PatternCounter, StampScanner } from './event-counter.js';

function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

// A chunked HTTP body as both servers send it: framing lines between whole events.
const STREAM = Buffer.from(
  'e\r\nretry: 2900\n\n\r\n' +
    '2a\r\nid: 0123456789ab-1\ndata: t=12.5 xxxxxxxx\n\n\r\n' +
    '2a\r\nid: 0123456789ab-2\ndata: t=13.25 xxxxxxx\n\n\r\n' +
    'c\r\n:heartbeat\n\n\r\n' +
    '1b\r\nid: 3\ndata: b=burst xxxxxxx\n\n\r\n',
);

describe('PatternCounter', () => {
  it('counts every data line in one chunk, and not comments or retry lines', () => {
    const counter = new PatternCounter('\ndata:');
    assert.equal(counter.push(STREAM), 3);
    assert.equal(counter.count, 3);
  });

  it('counts the same whatever the chunk edges, byte by byte included', () => {
    const byByte = new PatternCounter('\ndata:');
    for (let i = 0; i < STREAM.length; i++) byByte.push(STREAM.subarray(i, i + 1));
    assert.equal(byByte.count, 3);
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from({ length: 1 + (round % 7) }, () => Math.floor(Math.random() * STREAM.length));
      const counter = new PatternCounter('\ndata:');
      for (const part of splitAt(STREAM, cuts)) counter.push(part);
      assert.equal(counter.count, 3, `cuts ${cuts.join(',')}`);
    }
  });

  it('counts a match split across three chunks once', () => {
    const counter = new PatternCounter('\ndata:');
    assert.equal(counter.push(Buffer.from('x\nd')), 0);
    assert.equal(counter.push(Buffer.from('at')), 0);
    assert.equal(counter.push(Buffer.from('a: 1\n\n')), 1);
  });

  it('refuses an empty pattern', () => {
    assert.throws(() => new PatternCounter(''), RangeError);
  });
});

describe('StampScanner', () => {
  it('returns the stamp of each complete data line, across chunk edges', () => {
    const scanner = new StampScanner();
    const stamps = splitAt(STREAM, [40, 41, 77]).flatMap((part) => scanner.push(part));
    assert.deepEqual(stamps, [12.5, 13.25]);
  });

  it('holds a line back until its end arrives', () => {
    const scanner = new StampScanner();
    assert.deepEqual(scanner.push(Buffer.from('data: t=1')), []);
    assert.deepEqual(scanner.push(Buffer.from('7.5 x\n')), [17.5]);
  });
});

describe('extractStamps', () => {
  it('reads t= at the start of data lines only', () => {
    assert.deepEqual(extractStamps('data: t=1\nid: t=2\ndata:t=3.5\ndata: b=4\n'), [1, 3.5]);
  });
});

describe('parseResponseHead', () => {
  it('waits for the blank line that ends the head', () => {
    assert.equal(parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n')), undefined);
  });

  it('returns the status and where the body starts', () => {
    const bytes = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 3\r\n\r\nfull');
    assert.deepEqual(parseResponseHead(bytes), { status: 503, bodyAt: bytes.length - 4 });
  });

  it('gives status 0 for a head that is not HTTP', () => {
    assert.equal(parseResponseHead(Buffer.from('SSH-2.0\r\n\r\n'))?.status, 0);
  });
});

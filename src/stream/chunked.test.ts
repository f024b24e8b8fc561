import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameChunk, frameShared } from './chunked.js';

describe('frameChunk', () => {
  it('frames bytes as one HTTP/1.1 chunk: hex size, CRLF, the bytes, CRLF', () => {
    assert.equal(frameChunk(Buffer.from('data: a\n\n')).toString('latin1'), '9\r\ndata: a\n\n\r\n');
    const big = Buffer.alloc(300, 'x');
    assert.equal(frameChunk(big).toString('latin1'), `12c\r\n${'x'.repeat(300)}\r\n`);
  });
});

describe('frameShared', () => {
  it('frames a Buffer once for every caller in the same pass, and forgets it after', async () => {
    const chunk = Buffer.from('data: b\n\n');
    const first = frameShared(chunk);
    assert.equal(frameShared(chunk), first);
    assert.equal(first.toString('latin1'), '9\r\ndata: b\n\n\r\n');
    const other = Buffer.from('data: c\n\n');
    assert.equal(frameShared(other).toString('latin1'), '9\r\ndata: c\n\n\r\n');
    await Promise.resolve();
    const again = frameShared(chunk);
    assert.notEqual(again, first);
    assert.deepEqual(again, first);
  });
});

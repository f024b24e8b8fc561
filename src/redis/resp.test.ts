import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCommand, RedisReplyError, RespParser, RespProtocolError, type RespValue } from './resp.js';

function parseAll(input: Buffer, cuts: readonly number[] = []): RespValue[] {
  const replies: RespValue[] = [];
  const parser = new RespParser((value) => replies.push(value));
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    parser.feed(input.subarray(from, cut));
    from = cut;
  }
  return replies;
}

const REPLIES = Buffer.from(
  '+OK\r\n-WRONGTYPE Operation against a key\r\n:42\r\n:-7\r\n$5\r\nhé\r\n\r\n$-1\r\n*-1\r\n*0\r\n' +
    '*2\r\n*2\r\n$12\r\n1700000000-0\r\n*2\r\n$1\r\nd\r\n$2\r\nhi\r\n:1\r\n',
  'utf8',
);

describe('RESP2', () => {
  it('encodes a command as an array of bulk strings, counting bytes, not characters', () => {
    assert.equal(encodeCommand(['SET', 'k', 'é']).toString('utf8'), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
    assert.equal(encodeCommand([Buffer.from([0, 13, 10])]).toString('latin1'), '*1\r\n$3\r\n\0\r\n\r\n');
  });

  it('reads every reply type, with bulk strings kept as bytes that may hold CRLF', () => {
    const replies = parseAll(REPLIES);
    assert.equal(replies.length, 9);
    assert.equal(replies[0], 'OK');
    assert.ok(replies[1] instanceof RedisReplyError);
    assert.equal((replies[1] as RedisReplyError).replyCode, 'WRONGTYPE');
    assert.equal((replies[1] as RedisReplyError).code, 'SSE_ERR_REDIS_REPLY');
    assert.deepEqual(replies.slice(2, 4), [42, -7]);
    assert.deepEqual(replies[4], Buffer.from('hé\r\n', 'utf8'));
    assert.deepEqual(replies.slice(5, 8), [null, null, []]);
    assert.deepEqual(replies[8], [[Buffer.from('1700000000-0'), [Buffer.from('d'), Buffer.from('hi')]], 1]);
  });

  it('gives the same replies however the bytes are cut', () => {
    const whole = parseAll(REPLIES);
    for (let cut = 1; cut < REPLIES.length; cut++) assert.deepEqual(parseAll(REPLIES, [cut]), whole, `cut at ${cut}`);
    let seed = 7;
    for (let round = 0; round < 50; round++) {
      const cuts: number[] = [];
      for (let at = 0; at < REPLIES.length; ) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        at += 1 + (seed % 6);
        if (at < REPLIES.length) cuts.push(at);
      }
      assert.deepEqual(parseAll(REPLIES, cuts), whole);
    }
  });

  it('reads a large bulk string that arrives in many small chunks', () => {
    const payload = Buffer.alloc(1024 * 1024, 0x61);
    const input = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n:1\r\n')]);
    const cuts = Array.from({ length: Math.floor(input.length / 1000) }, (_, i) => (i + 1) * 1000);
    assert.deepEqual(parseAll(input, cuts), [payload, 1]);
  });

  it('refuses bytes that are not RESP2, and lengths or integers that are not canonical', () => {
    for (const bad of ['!oops\r\n', '$1e3\r\n', '$05\r\nhello\r\n', ':0x10\r\n', ':99999999999999999999\r\n', '$2\r\nhiXX', '*+1\r\n']) {
      assert.throws(() => parseAll(Buffer.from(bad)), RespProtocolError, bad);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BrokerUnavailableError,
  FileLogError,
  isEventRefusal,
  RedisEpochError,
  RedisReplyError,
  RedisUnavailableError,
  RespProtocolError,
  SSE_ERRORS,
  SseError,
} from './errors.js';

describe('SSE_ERRORS and the classes it names', () => {
  const made: readonly SseError[] = [
    new SseError('SSE_ERR_EVENT_HAS_NEWLINE', 'm'),
    new BrokerUnavailableError('m', { reason: 'timeout', cause: new Error('under') }),
    new FileLogError('m'),
    new RedisEpochError('m'),
    new RedisUnavailableError('m'),
    new RedisReplyError('WRONGTYPE Operation against a key'),
    new RespProtocolError('m'),
  ];

  it('makes every library error an SseError whose code, class and statusCode are its row of the table', () => {
    for (const error of made) {
      assert.ok(error instanceof Error && error instanceof SseError);
      const row = SSE_ERRORS[error.code];
      assert.equal(error.name, row.class, error.code);
      assert.equal(error.constructor.name, row.class, error.code);
      assert.equal(error.statusCode, row.status, error.code);
    }
    assert.deepEqual(new Set(made.map((error) => error.name)), new Set(Object.values(SSE_ERRORS).map((row) => row.class)));
  });

  it('gives every code the SSE_ERR_ prefix, an error status and at least one documented case', () => {
    for (const [code, row] of Object.entries(SSE_ERRORS)) {
      assert.match(code, /^SSE_ERR_[A-Z_]+$/);
      assert.ok(row.status >= 400 && row.status < 600, code);
      assert.ok(row.cases.length > 0, code);
    }
  });

  it('keeps what each class carries besides: the reason and cause of a broker error, the word of a Redis reply', () => {
    const broker = made[1] as BrokerUnavailableError;
    assert.equal(broker.reason, 'timeout');
    assert.equal((broker.cause as Error).message, 'under');
    assert.equal(new BrokerUnavailableError('m').reason, 'down');
    const reply = made[5] as RedisReplyError;
    assert.deepEqual([reply.code, reply.replyCode, reply.message], ['SSE_ERR_REDIS_REPLY', 'WRONGTYPE', 'WRONGTYPE Operation against a key']);
  });

  it('calls only an SseError of the event\'s own codes an event refusal', () => {
    assert.deepEqual(made.map(isEventRefusal), [true, false, false, false, false, false, false]);
    assert.equal(isEventRefusal(new SseError('SSE_ERR_CLOSED', 'm')), true);
    assert.equal(isEventRefusal(new Error('SSE_ERR_CLOSED')), false);
    assert.equal(isEventRefusal({ code: 'SSE_ERR_CLOSED' }), false);
  });
});

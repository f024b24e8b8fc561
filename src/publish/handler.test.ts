import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { publish, rawExchange, startServer, type Started, feedChannel } from '../testing/harness.js';
import { openStream } from '../testing/sse-client.js';
import { BrokerUnavailableError, type Broker } from '../history/broker.js';
import { RedisReplyError, SseError } from '../protocol/errors.js';
import { handlePublish, parsePublishBody } from './handler.js';

describe('POST /publish', () => {
  let s: Started;
  before(async () => {
    s = await startServer({ maxBodyBytes: 1024 });
  });
  after(() => s.app.close());

  it('publishes to every subscriber and answers 202 with the assigned id', async () => {
    const streams = await Promise.all([openStream(`${s.base}/feed`), openStream(`${s.base}/feed`)]);
    const { status, json } = await publish(s.base, { data: 'hello all' });
    assert.equal(status, 202);
    assert.match((json as { id: string }).id, /^[0-9a-f]{12}-1$/);
    for (const stream of streams) {
      await stream.waitFor((t) => t.events.length === 1);
      stream.close();
      assert.deepEqual(stream.events[0], { type: 'message', data: 'hello all', lastEventId: (json as { id: string }).id });
    }
  });

  for (const [name, body, status, code] of [
    ['bad JSON', '{"data": ', 400, 'bad_json'],
    ['a JSON array', '[1]', 400, 'bad_body'],
    ['a client-chosen id', '{"data":"x","id":"7"}', 400, 'id_not_allowed'],
    ['an unknown field', '{"data":"x","retry":1}', 400, 'unknown_field'],
    ['data that is not a string', '{"data":5}', 400, 'bad_data'],
    ['an event that is not a string', '{"data":"x","event":1}', 400, 'bad_event'],
    ['LF in the event name', '{"data":"x","event":"a\\nevent: evil"}', 400, 'SSE_ERR_EVENT_HAS_NEWLINE'],
    ['CR in the event name', '{"data":"x","event":"a\\rb"}', 400, 'SSE_ERR_EVENT_HAS_NEWLINE'],
    ['an empty event name', '{"data":"x","event":""}', 400, 'SSE_ERR_EVENT_EMPTY'],
    ['a lone surrogate', '{"data":"\\ud800"}', 400, 'SSE_ERR_DATA_NOT_WELL_FORMED'],
    ['an event named reset (the protocol\'s)', '{"data":"x","event":"reset"}', 400, 'SSE_ERR_EVENT_RESERVED'],
    ['an event named error (EventSource\'s)', '{"data":"x","event":"error"}', 400, 'SSE_ERR_EVENT_RESERVED'],
    ['an oversized body', JSON.stringify({ data: 'x'.repeat(2000) }), 413, 'body_too_large'],
  ] as const) {
    it(`refuses ${name} with ${status} ${code} and publishes nothing`, async () => {
      const head = feedChannel(s.app).history.head;
      const result = await publish(s.base, body);
      assert.equal(result.status, status);
      assert.equal((result.json as { error: { code: string } }).error.code, code);
      assert.equal(feedChannel(s.app).history.head, head);
    });
  }

  it('refuses invalid UTF-8 with 400 bad_utf8, as it refuses lone surrogates, and keeps a BOM an error', async () => {
    const head = feedChannel(s.app).history.head;
    for (const bytes of [Buffer.from('{"data":"a\xffb"}', 'latin1'), Buffer.from('{"data":"a\xc0\xafb"}', 'latin1'), Buffer.from('{"data":"\xed\xa0\x80"}', 'latin1')]) {
      const request = Buffer.concat([Buffer.from(`POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`), bytes]);
      const text = await rawExchange(s.port, request);
      assert.match(text, /^HTTP\/1\.1 400 /, JSON.stringify(bytes.toString('latin1')));
      assert.match(text, /"code":"bad_utf8"/);
    }
    // U+FEFF first is not JSON (RFC 8259 §8.1): still bad_json, not silently dropped.
    assert.equal((await publish(s.base, '\ufeff{"data":"x"}')).status, 400);
    assert.equal(feedChannel(s.app).history.head, head);
    // Valid multi-byte UTF-8 goes through untouched.
    assert.equal((await publish(s.base, { data: 'é ✓ 😀' })).status, 202);
  });

  it('refuses a body that is not declared as JSON with 415', async () => {
    const result = await publish(s.base, '{"data":"x"}', 'text/plain');
    assert.equal(result.status, 415);
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const chunk = 'x'.repeat(600);
    const request = `POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`;
    const text = await rawExchange(s.port, request, { until: (t) => t.includes('body_too_large') });
    assert.match(text, /^HTTP\/1\.1 413 /);
  });

  it('counts refused publishes in /metrics', async () => {
    const text = await (await fetch(`${s.base}/metrics`)).text();
    assert.match(text, /sse_publish_rejected_total (1[2-9]|[2-9]\d)\n/);
  });
});

describe('handlePublish, when the broker refuses', () => {
  // One server whose broker rejects with whatever the test sets: what the handler answers, or
  // that it rejects (the route then destroys the request), for each kind of library error.
  let failure: unknown;
  let outcome: Promise<unknown> = Promise.resolve();
  const broker = { publish: () => Promise.reject(failure) } as unknown as Broker;
  const server = createServer((req, res) => {
    outcome = handlePublish(req, res, broker, { maxBodyBytes: 1024, timeoutMs: 5000 }).then(
      (isPublished) => ({ isPublished }),
      (error: unknown) => {
        res.destroy();
        return { rejected: error };
      },
    );
  });
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (): Promise<Response> => fetch(`${base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"data":"x"}' });

  it('answers an event refusal with its own code and status', async () => {
    failure = new SseError('SSE_ERR_EVENT_TOO_LARGE', 'too large');
    const res = await post();
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { error: { code: 'SSE_ERR_EVENT_TOO_LARGE', message: 'too large' } });
    assert.deepEqual(await outcome, { isPublished: false });
  });

  it('answers BrokerUnavailableError, an SseError too, with its own wire codes and Retry-After', async () => {
    for (const [reason, code] of [['down', 'broker_unavailable'], ['timeout', 'broker_timeout']] as const) {
      failure = new BrokerUnavailableError('redis: down', { reason });
      const res = await post();
      assert.deepEqual([res.status, res.headers.get('retry-after'), ((await res.json()) as { error: { code: string } }).error.code], [503, '1', code]);
    }
  });

  it('answers no other error: a store\'s own, or an event code this route cannot meet, fails the request', async () => {
    for (const error of [new RedisReplyError('WRONGTYPE Operation against a key'), new SseError('SSE_ERR_ID_MISSING', 'no id'), new Error('surprise')]) {
      failure = error;
      await assert.rejects(post());
      assert.deepEqual(await outcome, { rejected: error });
    }
  });
});

describe('parsePublishBody', () => {
  it('returns the event for a valid body', () => {
    assert.deepEqual(parsePublishBody('{"data":"x","event":"e"}'), { data: 'x', event: 'e' });
    assert.deepEqual(parsePublishBody('{"data":""}'), { data: '', event: undefined });
    assert.equal((parsePublishBody('null') as { code: string }).code, 'bad_body');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, publish, rawExchange, startServer, type Started, feedChannel } from '../testing/harness.js';
import { HOSTILE_IDS } from '../testing/hostile-ids.js';
import { openStream } from '../testing/sse-client.js';

describe('/feed: reconnection from Last-Event-ID', () => {
  let s: Started;
  let epoch: string;
  before(async () => {
    s = await startServer({ historyEvents: 5 });
    epoch = feedChannel(s.app).epoch;
  });
  after(() => s.app.close());

  const publishAll = async (count: number, prefix: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(feedChannel(s.app).publish({ data: `${prefix}${i}` }).id);
    await new Promise((resolve) => setImmediate(resolve));
    return ids;
  };

  it('resumes after the given id with no duplicate and no gap, then goes live', async () => {
    const first = await openStream(`${s.base}/feed`);
    const ids = await publishAll(3, 'a');
    await first.waitFor((t) => t.events.length === 3);
    first.close();
    await eventually(() => feedChannel(s.app).stats.subscribers === 0);
    await publishAll(2, 'b');
    const resumed = await openStream(`${s.base}/feed`, { 'last-event-id': first.events[2]?.lastEventId ?? '' });
    await resumed.waitFor((t) => t.events.length === 2);
    await publishAll(1, 'c');
    await resumed.waitFor((t) => t.events.length === 3);
    resumed.close();
    assert.equal(first.events[2]?.lastEventId, ids[2]);
    assert.deepEqual(resumed.events.map((e) => e.data), ['b0', 'b1', 'c0']);
    const seqs = resumed.events.map((e) => Number(e.lastEventId.split('-')[1]));
    assert.deepEqual(seqs, [4, 5, 6]);
  });

  it('accepts the cursor from ?lastEventId= and lets the header win over it', async () => {
    const head = feedChannel(s.app).history.head;
    await publishAll(1, 'q');
    const byQuery = await openStream(`${s.base}/feed?lastEventId=${epoch}-${head}`);
    await byQuery.waitFor((t) => t.events.length === 1);
    byQuery.close();
    assert.deepEqual(byQuery.events.map((e) => e.data), ['q0']);
    const both = await openStream(`${s.base}/feed?lastEventId=garbage`, { 'last-event-id': `${epoch}-${head}` });
    await both.waitFor((t) => t.events.length === 1);
    both.close();
    assert.equal(both.events[0]?.type, 'message');
  });

  it('takes the cursor from ?lastEventId= when the header is present but empty', async () => {
    const head = feedChannel(s.app).history.head;
    await publishAll(2, 'e');
    // An empty header is no cursor; taking it as "fresh" would skip what the query asked for.
    const text = await rawExchange(s.port, `GET /feed?lastEventId=${epoch}-${head} HTTP/1.1\r\nHost: x\r\nLast-Event-ID:\r\n\r\n`, {
      until: (t) => t.includes('data: e1\n'),
    });
    assert.match(text, /data: e0\n\n[\s\S]*data: e1\n/);
    assert.doesNotMatch(text, /event: reset/);
  });

  for (const [name, cursor, reason] of [
    ['a malformed id', () => 'not-an-id', 'invalid'],
    ['an id from another epoch', () => 'ffffffffffff-1', 'epoch'],
    ['an id from the future', () => `${epoch}-999999`, 'unknown'],
    ['an id older than the buffer', () => `${epoch}-1`, 'expired'],
  ] as const) {
    it(`answers ${name} with 200 and a reset event (${reason}) that moves the cursor to the head`, async () => {
      const head = feedChannel(s.app).history.head;
      const stream = await openStream(`${s.base}/feed`, { 'last-event-id': cursor() });
      await stream.waitFor((t) => t.events.length === 1);
      assert.equal(stream.status, 200);
      const [reset] = stream.events;
      assert.equal(reset?.type, 'reset');
      assert.equal(reset?.lastEventId, `${epoch}-${head}`);
      assert.deepEqual(JSON.parse(reset?.data ?? ''), { reason, epoch, head, oldest: feedChannel(s.app).history.oldest });
      await publishAll(1, 'live');
      await stream.waitFor((t) => t.events.length === 2);
      stream.close();
      assert.equal(stream.events[1]?.lastEventId, `${epoch}-${head + 1}`);
    });
  }

  it(`answers each of ${HOSTILE_IDS.length} hostile Last-Event-ID values with 200 and reset(invalid)`, async () => {
    for (const value of HOSTILE_IDS.filter((v) => !v.includes('\0'))) {
      const header = Buffer.concat([Buffer.from('GET /feed HTTP/1.1\r\nHost: x\r\nLast-Event-ID: '), Buffer.from(value, 'utf8'), Buffer.from('\r\n\r\n')]);
      const text = await rawExchange(s.port, header, { until: (t) => t.includes('event: reset') && t.includes('\n\n', t.indexOf('event: reset')) });
      assert.match(text, /^HTTP\/1\.1 200 OK/, JSON.stringify(value));
      assert.match(text, /event: reset\nid: [0-9a-f]{12}-\d+\ndata: \{"reason":"invalid"/, JSON.stringify(value));
    }
    assert.ok((s.app.metrics().resets['invalid'] ?? 0) >= HOSTILE_IDS.length - 2);
  });

  it('leaves header values Node refuses (NULL, bare LF) to Node: 400, and keeps serving', async () => {
    for (const bad of ['a\0b', 'a\nb: c', 'x'.repeat(20 * 1024)]) {
      const text = await rawExchange(s.port, `GET /feed HTTP/1.1\r\nHost: x\r\nLast-Event-ID: ${bad}\r\n\r\n`);
      assert.match(text, /^HTTP\/1\.1 (400|431) /);
    }
    assert.equal((await fetch(`${s.base}/health`)).status, 200);
  });

  it('counts resumes and resets in /metrics', async () => {
    const text = await (await fetch(`${s.base}/metrics`)).text();
    assert.match(text, /sse_resumed_total [1-9]\d*\n/);
    for (const reason of ['invalid', 'epoch', 'unknown', 'expired']) assert.match(text, new RegExp(`sse_resets_total\\{reason="${reason}"\\} [1-9]`));
  });

  it('delivers multi-line data published over HTTP intact, as several data: lines', async () => {
    const stream = await openStream(`${s.base}/feed`);
    const data = 'line 1\nline 2\r\nline 3\rline 4\n';
    const { status, json } = await publish(s.base, { event: 'note', data });
    assert.equal(status, 202);
    await stream.waitFor((t) => t.events.length === 1);
    stream.close();
    assert.deepEqual(stream.events[0], { type: 'note', data: 'line 1\nline 2\nline 3\nline 4\n', lastEventId: (json as { id: string }).id });
    assert.match(stream.raw(), /event: note\nid: [0-9a-f-]+\ndata: line 1\ndata: line 2\ndata: line 3\ndata: line 4\ndata: \n\n$/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventStreamReader, writeEvent, type ClientEvent } from './event-stream.js';

function read(chunks: readonly (string | Uint8Array)[]): { events: ClientEvent[]; retries: number[]; discarded: boolean; lastEventId: string } {
  const events: ClientEvent[] = [];
  const retries: number[] = [];
  const reader = createEventStreamReader({ onEvent: (e) => events.push(e), onRetry: (r) => retries.push(r) });
  for (const chunk of chunks) reader.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  const discarded = reader.end();
  return { events, retries, discarded, lastEventId: reader.lastEventId };
}

/** Cuts bytes at random places (a seeded generator, so a failure repeats). */
function rechunk(bytes: Buffer, seed: number): Buffer[] {
  const parts: Buffer[] = [];
  let state = seed;
  for (let i = 0; i < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 5);
    parts.push(bytes.subarray(i, i + size));
    i += size;
  }
  return parts;
}

describe('the suite\'s own event-stream reader', () => {
  it('reads fields the way the WHATWG steps do', () => {
    const { events, retries, lastEventId } = read([
      '\ufeffretry: 2500\nretry: 2.5s\n\n: comment\nevent: a\nid: 1\ndata: x\ndata:  y\nData: lost\n\n',
      'data: no type\n\nid: 2\n\nid: 3\u0000\ndata: after\n\nid\ndata: reset\n\n',
    ]);
    assert.deepEqual(events, [
      { type: 'a', data: 'x\n y', lastEventId: '1', hasOwnId: true },
      { type: 'message', data: 'no type', lastEventId: '1', hasOwnId: false },
      // An id-only block moves the last event id; an id holding NULL is ignored.
      { type: 'message', data: 'after', lastEventId: '2', hasOwnId: false },
      { type: 'message', data: 'reset', lastEventId: '', hasOwnId: true },
    ]);
    assert.deepEqual(retries, [2500]);
    assert.equal(lastEventId, '');
  });

  it('ends lines on CRLF, LF and a lone CR, also when a CRLF is cut between two chunks', () => {
    const body = Buffer.from('data: a\r\ndata: b\rdata: c\n\r\nid: é✓\r\ndata: \u2028\r\n\r\n', 'utf8');
    const whole = read([body]).events;
    assert.deepEqual(whole.map((e) => [e.data, e.lastEventId]), [['a\nb\nc', ''], ['\u2028', 'é✓']]);
    for (let seed = 1; seed <= 50; seed++) assert.deepEqual(read(rechunk(body, seed)).events, whole, `seed ${seed}`);
  });

  it('tells comments, ignored fields and a held block to a caller that asks (the strict reader of scripts/)', () => {
    const comments: string[] = [];
    const ignored: string[] = [];
    const reader = createEventStreamReader({ onComment: (text) => comments.push(text), onIgnored: (name, value) => ignored.push(`${name}=${value}`) });
    reader.feed(Buffer.from(': hi\nretry: 2.5s\nData: x\nfoo\ndata: a\n\n', 'utf8'));
    assert.deepEqual(comments, [' hi']);
    assert.deepEqual(ignored, ['retry=2.5s', 'Data=x', 'foo=']);
    assert.equal(reader.hasPending, false);
    reader.feed(Buffer.from('data: b\n', 'utf8'));
    assert.equal(reader.hasPending, true);
    assert.equal(reader.end(), true);
  });

  it('turns bytes that are not UTF-8 into U+FFFD and throws away an unended event', () => {
    const { events, discarded } = read([Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0xe9, 0x0a, 0x0a]), 'data: half']);
    assert.deepEqual(events.map((e) => e.data), ['\ufffd']);
    assert.equal(discarded, true);
  });

  it('writes events that read back exactly, and refuses field injection', () => {
    const cases = [' leading', 'trailing\n', 'a\r\nb\rc', '', 'x\n\ny'];
    const bytes = cases.map((data, n) => writeEvent({ id: String(n), event: n === 0 ? 'named' : undefined, data })).join('');
    assert.equal(writeEvent({ id: '7', data: 'a\nb' }), 'id: 7\ndata: a\ndata: b\n\n');
    assert.deepEqual(read([bytes]).events.map((e) => e.data), cases.map((c) => c.replace(/\r\n|\r/g, '\n')));
    assert.throws(() => writeEvent({ event: 'a\nb', data: '' }), TypeError);
    assert.throws(() => writeEvent({ id: '1\u00002', data: '' }), TypeError);
  });
});

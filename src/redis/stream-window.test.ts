import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamWindow } from './stream-window.js';

const id = (ms: number, seq = 0) => ({ ms, seq });
const bytes = (text: string) => Buffer.from(text);
const texts = (buffers: Buffer[] | undefined) => buffers?.map((b) => b.toString());

describe('StreamWindow', () => {
  it('holds everything after its floor, and replays exactly after the floor or a held id', () => {
    const window = new StreamWindow({ maxEvents: 10 }, id(5));
    for (const ms of [6, 8, 9]) window.append(id(ms), bytes(`e${ms}`));
    assert.deepEqual(texts(window.after(id(5))), ['e6', 'e8', 'e9']);
    assert.deepEqual(texts(window.after(id(8))), ['e9']);
    assert.deepEqual(texts(window.after(id(9))), []);
    assert.equal(window.after(id(7)), undefined, 'an id the stream never had');
    assert.equal(window.after(id(4)), undefined, 'older than the window');
    assert.equal(window.after(id(10)), undefined, 'ahead of the window');
    assert.deepEqual(texts(window.newerThan(id(7))), ['e8', 'e9']);
    assert.deepEqual(texts(window.newerThan(id(1))), ['e6', 'e8', 'e9']);
  });

  it('raises the floor to each evicted id, by count and by bytes, keeping the newest', () => {
    const window = new StreamWindow({ maxEvents: 2, maxBytes: 100 });
    for (let ms = 1; ms <= 5; ms++) window.append(id(ms), bytes(`e${ms}`));
    assert.deepEqual([window.floor, window.head, window.size], [id(3), id(5), 2]);
    window.append(id(6), Buffer.alloc(150));
    assert.deepEqual([window.floor, window.size], [id(5), 1]);
    assert.throws(() => window.append(id(6), bytes('again')), RangeError);
  });

  it('stays exact over many evictions and after a reset', () => {
    const window = new StreamWindow({ maxEvents: 100 });
    for (let ms = 1; ms <= 5000; ms++) window.append(id(ms, 1), bytes(String(ms)));
    assert.deepEqual(texts(window.after(id(4998, 1))), ['4999', '5000']);
    assert.deepEqual(window.floor, id(4900, 1));
    window.reset(id(0));
    assert.deepEqual([window.head, window.size], [id(0), 0]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayBuffer } from './replay-buffer.js';

const event = (n: number, size = 4): Buffer => Buffer.from(String(n).padStart(size, '0'));
const text = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString());

describe('ReplayBuffer', () => {
  it('numbers events from 1 and returns exactly those after a sequence number', () => {
    const buffer = new ReplayBuffer<Buffer>({ maxEvents: 10 });
    assert.equal(buffer.head, 0);
    assert.deepEqual([1, 2, 3].map((n) => buffer.append(event(n))), [1, 2, 3]);
    assert.deepEqual(text(buffer.after(1)), ['0002', '0003']);
    assert.deepEqual(text(buffer.after(0)), ['0001', '0002', '0003']);
    assert.deepEqual(buffer.after(3), []);
  });

  it('evicts the oldest past maxEvents, and covers exactly oldest - 1 … head', () => {
    const buffer = new ReplayBuffer<Buffer>({ maxEvents: 3 });
    for (let n = 1; n <= 5; n++) buffer.append(event(n));
    assert.equal(buffer.oldest, 3);
    assert.equal(buffer.covers(2), true);
    assert.equal(buffer.covers(1), false);
    assert.equal(buffer.covers(5), true);
    assert.equal(buffer.covers(6), false);
    assert.deepEqual(text(buffer.after(2)), ['0003', '0004', '0005']);
    assert.throws(() => buffer.after(1), RangeError);
  });

  it('evicts by bytes but always keeps the newest event', () => {
    const buffer = new ReplayBuffer<Buffer>({ maxEvents: 100, maxBytes: 10 });
    buffer.append(event(1));
    buffer.append(event(2));
    assert.deepEqual(buffer.size, { events: 2, bytes: 8 });
    buffer.append(event(3));
    assert.deepEqual(buffer.size, { events: 2, bytes: 8 });
    buffer.append(event(4, 50));
    assert.deepEqual(buffer.size, { events: 1, bytes: 50 });
    assert.equal(buffer.oldest, 4);
  });

  it('wraps around its ring many times without losing order', () => {
    const buffer = new ReplayBuffer<Buffer>({ maxEvents: 7 });
    for (let n = 1; n <= 1000; n++) buffer.append(event(n));
    assert.deepEqual(text(buffer.after(995)), ['0996', '0997', '0998', '0999', '1000']);
  });

  it('refuses limits that are not positive integers', () => {
    assert.throws(() => new ReplayBuffer<Buffer>({ maxEvents: 0 }), /maxEvents must be an integer of at least 1, got 0/);
    assert.throws(() => new ReplayBuffer<Buffer>({ maxBytes: 1.5 }), RangeError);
  });
});

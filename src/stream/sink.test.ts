import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinLive } from './sink.js';

/** A sink that records its writes and closes on the first write when told to (a replay over its budget). */
function sink(cutOnWrite: boolean) {
  const written: string[] = [];
  const state = {
    isClosed: false,
    written,
    write(chunk: Buffer) {
      written.push(chunk.toString());
      if (cutOnWrite) state.isClosed = true;
      return !state.isClosed;
    },
  };
  return state;
}

describe('joinLive, the one join after a replay', () => {
  it('writes what comes first and stays joined', () => {
    const s = sink(false);
    let left = 0;
    assert.equal(joinLive(s, { initial: Buffer.from('id: a-1\ndata: x\n\n'), unsubscribe: () => left++ }), true);
    assert.deepEqual(s.written, ['id: a-1\ndata: x\n\n']);
    assert.equal(left, 0);
  });

  it('writes nothing when there is nothing to write', () => {
    const s = sink(true);
    assert.equal(joinLive(s, { initial: undefined, unsubscribe: () => assert.fail('unsubscribed') }), true);
    assert.deepEqual(s.written, []);
  });

  it('leaves the fan-out again when the write cut the client', () => {
    const s = sink(true);
    let left = 0;
    assert.equal(joinLive(s, { initial: Buffer.from('data: big\n\n'), unsubscribe: () => left++ }), false);
    assert.equal(left, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressLine, watchLine } from './progress.js';

function output(isTTY: boolean): { writes: string[]; write(text: string): boolean; isTTY: boolean } {
  const writes: string[] = [];
  return { writes, isTTY, write: (text) => writes.push(text) > 0 };
}

describe('ProgressLine', () => {
  it('redraws the line in place on a terminal and wipes it before another line', () => {
    const out = output(true);
    const line = new ProgressLine(out);
    line.show('watching: 1 events, 1 ids, 0:01 of 0:20');
    line.show('watching: 2 events, 2 ids, 0:02 of 0:20');
    line.print('[2.0 s] methods: 2 rules, 0 failed');
    line.end();
    assert.deepEqual(out.writes, [
      '\rwatching: 1 events, 1 ids, 0:01 of 0:20\x1b[K',
      '\rwatching: 2 events, 2 ids, 0:02 of 0:20\x1b[K',
      '\r\x1b[K',
      '[2.0 s] methods: 2 rules, 0 failed\n',
    ]);
  });

  it('writes each new text as a line of its own where it cannot redraw, and no control bytes', () => {
    const out = output(false);
    const line = new ProgressLine(out);
    line.show('watching: 1 events, 1 ids, 0:01 of 0:20');
    line.show('watching: 1 events, 1 ids, 0:01 of 0:20');
    line.print('[2.0 s] methods: 2 rules, 0 failed');
    line.show('watching: 3 events, 3 ids, 0:02 of 0:20');
    line.end();
    assert.deepEqual(out.writes, ['watching: 1 events, 1 ids, 0:01 of 0:20\n', '[2.0 s] methods: 2 rules, 0 failed\n', 'watching: 3 events, 3 ids, 0:02 of 0:20\n']);
  });
});

describe('watchLine', () => {
  it('says what the watch has seen, and how far into the window it is', () => {
    assert.equal(watchLine({ events: 14, ids: 9, elapsedMs: 8400, windowMs: 20_000 }), 'watching: 14 events, 9 ids, 0:08 of 0:20');
    assert.equal(watchLine({ events: 0, ids: 0, elapsedMs: 61_000, windowMs: 60_000 }), 'watching: 0 events, 0 ids, 1:01 of 1:00');
  });
});

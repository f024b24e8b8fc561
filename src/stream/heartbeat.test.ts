import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Heartbeat, type Beating } from './heartbeat.js';

function beating(): Beating & { beats: number } {
  const stream = {
    wroteSinceTick: false,
    beats: 0,
    beat() {
      stream.beats++;
      stream.wroteSinceTick = true;
    },
  };
  return stream;
}

describe('Heartbeat', () => {
  it('beats only streams that wrote nothing since the last tick, at most every other tick', () => {
    const heartbeat = new Heartbeat(1000);
    const idle = beating();
    const busy = beating();
    heartbeat.add(idle);
    heartbeat.add(busy);
    for (let tick = 0; tick < 4; tick++) {
      busy.wroteSinceTick = true;
      heartbeat.tick();
    }
    assert.equal(idle.beats, 2);
    assert.equal(busy.beats, 0);
    heartbeat.delete(idle);
    heartbeat.delete(busy);
  });

  it('runs one timer, ticking every half interval, only while streams are registered', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const heartbeat = new Heartbeat(1000);
    const a = beating();
    const b = beating();
    assert.equal(heartbeat.isRunning, false);
    heartbeat.add(a);
    heartbeat.add(b);
    assert.equal(heartbeat.isRunning, true);
    t.mock.timers.tick(500);
    assert.deepEqual([a.beats, b.beats], [1, 1]);
    heartbeat.delete(a);
    assert.equal(heartbeat.isRunning, true);
    heartbeat.delete(b);
    assert.equal(heartbeat.isRunning, false);
  });

  it('is off at 0 and refuses a negative interval', () => {
    const heartbeat = new Heartbeat(0);
    heartbeat.add(beating());
    assert.equal(heartbeat.size, 0);
    assert.equal(heartbeat.isRunning, false);
    assert.throws(() => new Heartbeat(-1), RangeError);
  });
});

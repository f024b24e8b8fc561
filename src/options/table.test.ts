import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseServer } from '../app.js';
import { Channel } from '../hub/channel.js';
import { ReplayBuffer } from '../hub/replay-buffer.js';
import { Limiter } from '../limits/limiter.js';
import { StreamWindow } from '../redis/stream-window.js';
import { RedisBroker } from '../redis/redis-broker.js';
import { FileLog } from '../history/file-log.js';
import { RateLimiter } from '../limits/rate.js';
import { SseStream } from '../stream/sse-stream.js';
import { WebSseStream } from '../stream/web-stream.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCli } from './cli.js';
import { DEFAULTS, OPTIONS, resolveOptions, type OptionSpec } from './table.js';

const entries = Object.entries(OPTIONS) as [keyof typeof OPTIONS, OptionSpec][];

describe('the options table', () => {
  it('gives every option a default, a help line, and every integer a lower bound its default meets', () => {
    assert.deepEqual(Object.keys(DEFAULTS), Object.keys(OPTIONS));
    for (const [name, spec] of entries) {
      assert.ok(spec.help.length > 0, name);
      if (spec.type !== 'integer') continue;
      assert.equal(typeof spec.min, 'number', `${name} has no lower bound`);
      assert.ok(Number.isSafeInteger(spec.default) && (spec.default as number) >= (spec.min as number), name);
    }
  });

  it('refuses every integer option below its bound, above it, or not whole, naming it', () => {
    for (const [name, spec] of entries.filter(([, s]) => s.type === 'integer')) {
      for (const bad of [(spec.min as number) - 1, 1.5, Number.NaN, ...(spec.max === undefined ? [] : [spec.max + 1])]) {
        assert.throws(() => resolveOptions({ [name]: bad }), (error: unknown) => error instanceof RangeError && error.message.startsWith(`${name} must be`), `${name} = ${bad}`);
        assert.throws(() => createSseServer({ [name]: bad }), RangeError);
      }
    }
  });

  it('is where the constructors take their defaults from', () => {
    const buffer = new ReplayBuffer();
    assert.deepEqual([buffer.maxEvents, buffer.maxBytes], [DEFAULTS.historyEvents, DEFAULTS.historyBytes]);
    const window = new StreamWindow();
    assert.deepEqual([window.maxEvents, window.maxBytes], [DEFAULTS.historyEvents, DEFAULTS.historyBytes]);
    const limiter = new Limiter();
    assert.deepEqual([limiter.maxConnections, limiter.maxPerClient], [DEFAULTS.maxConnections, DEFAULTS.maxPerClient]);
    assert.equal(new Channel().maxEventBytes, DEFAULTS.maxEventBytes);
  });

  it('refuses an unknown option in every constructor that takes options, naming it and the one it looks like', () => {
    const typo = { history_events: 5 } as object;
    const takers: [string, () => unknown][] = [
      ['createSseServer', () => createSseServer(typo)],
      ['Channel', () => new Channel(typo)],
      ['Channel.attach', () => new Channel().attach({ method: 'GET' } as IncomingMessage, {} as ServerResponse, typo)],
      ['Channel.response', () => new Channel().response(new Request('http://x/'), typo)],
      ['SseStream', () => new SseStream({} as IncomingMessage, {} as ServerResponse, typo)],
      ['WebSseStream', () => new WebSseStream(typo)],
      ['ReplayBuffer', () => new ReplayBuffer(typo)],
      ['Limiter', () => new Limiter(typo)],
      ['RateLimiter', () => new RateLimiter({ perSecond: 1, ...typo })],
      ['FileLog.open', () => FileLog.open('/nonexistent/never-opened', typo)],
      ['RedisBroker', () => new RedisBroker({ url: 'redis://127.0.0.1:1', ...typo })],
    ];
    for (const [taker, make] of takers) assert.throws(make, (error: unknown) => error instanceof TypeError && error.message.startsWith(`${taker} has no option "history_events"`), taker);
    assert.throws(() => new Channel(typo), /did you mean historyEvents\? Its options: epoch, ids, historyEvents, /);
    assert.throws(() => createSseServer({ heartbeat: 5 } as object), /createSseServer has no option "heartbeat"; did you mean heartbeatMs\?/);
  });

  it('names the option as the caller wrote it when its value is out of range', () => {
    assert.throws(() => new Channel({ historyEvents: 0 }), /^RangeError: historyEvents must be an integer of at least 1, got 0\.$/);
    assert.throws(() => new Channel({ historyBytes: 0 }), /^RangeError: historyBytes must be an integer of at least 1, got 0\.$/);
    assert.throws(() => new RedisBroker({ url: 'redis://127.0.0.1:1', historyBytes: 0 }), /^RangeError: historyBytes must be/);
    assert.throws(() => FileLog.open('/nonexistent/never-opened', { keepEvents: 0 }), /^RangeError: keepEvents must be/);
    assert.throws(() => new SseStream({} as IncomingMessage, {} as ServerResponse, { heartbeat: -1 }), /^RangeError: heartbeat must be/);
  });

  it('gives the command line a flag for each option that names one, and says which have none', () => {
    const help = parseCli(['--help']);
    assert.equal(help.kind, 'help');
    const text = help.kind === 'help' ? help.text : '';
    for (const [name, spec] of entries) {
      if (spec.flag === undefined) assert.match(text, new RegExp(`no flag: .*\\b${name}\\b`), name);
      else assert.ok(text.includes(`--${spec.flag.name}`), name);
    }
  });
});

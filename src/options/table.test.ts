import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSseServer } from '../app.js';
import { Channel } from '../hub/channel.js';
import { ReplayBuffer } from '../hub/replay-buffer.js';
import { Limiter } from '../limits/limiter.js';
import { StreamWindow } from '../redis/stream-window.js';
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

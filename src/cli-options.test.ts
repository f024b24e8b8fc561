import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from './cli-options.js';

describe('parseCli', () => {
  it('maps each flag to its option', () => {
    const request = parseCli([
      '--port', '9000', '--host', '0.0.0.0', '--max-connections', '50', '--max-per-client', '4', '--heartbeat', '5000',
      '--retry', '1000', '--history', '10', '--max-pending', '65536', '--tick', '0',
    ]);
    assert.deepEqual(request, {
      kind: 'serve',
      options: {
        port: 9000, host: '0.0.0.0', maxConnections: 50, maxPerClient: 4, heartbeatMs: 5000, retryMs: 1000,
        historyEvents: 10, maxPendingBytes: 65536, tickMs: 0,
      },
    });
  });

  it('reads PORT and HOST from the environment, and flags win', () => {
    assert.deepEqual(parseCli([], { PORT: '7000', HOST: '::1' }), { kind: 'serve', options: { port: 7000, host: '::1' } });
    assert.deepEqual(parseCli(['--port', '1'], { PORT: '7000' }), { kind: 'serve', options: { port: 1 } });
  });

  it('prints help listing every flag with its default', () => {
    const request = parseCli(['--help']);
    assert.equal(request.kind, 'help');
    for (const flag of ['--port', '--host', '--max-connections', '--max-per-client', '--heartbeat', '--retry', '--history', '--max-pending', '--tick']) {
      assert.ok(request.kind === 'help' && request.text.includes(flag), flag);
    }
    assert.match(request.kind === 'help' ? request.text : '', /--heartbeat <n> .*\(default 15000\)/);
  });

  it('refuses a value that is not a whole number, and unknown flags', () => {
    assert.throws(() => parseCli(['--port', '80a']), /--port takes a whole number, got "80a"/);
    assert.throws(() => parseCli(['--retry', '-1']), TypeError);
    assert.throws(() => parseCli(['--nope']), TypeError);
  });
});

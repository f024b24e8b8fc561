import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from './cli.js';

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

  it('reads PORT, HOST and SSE_REDIS_URL from the environment, and flags win', () => {
    assert.deepEqual(parseCli([], { PORT: '7000', HOST: '::1' }), { kind: 'serve', options: { port: 7000, host: '::1' } });
    assert.deepEqual(parseCli(['--port', '1'], { PORT: '7000' }), { kind: 'serve', options: { port: 1 } });
    // A password in a flag shows in `ps`; in the environment it does not.
    const url = 'redis://:s3cret@127.0.0.1:6379/0';
    assert.deepEqual(parseCli(['--redis-key', 'app:feed'], { SSE_REDIS_URL: url }), { kind: 'serve', options: { redisUrl: url, redisKey: 'app:feed' } });
    assert.deepEqual(parseCli(['--redis', 'redis://127.0.0.1/1'], { SSE_REDIS_URL: url }), { kind: 'serve', options: { redisUrl: 'redis://127.0.0.1/1' } });
  });

  it('reads --publish-local', () => {
    assert.deepEqual(parseCli(['--publish-local']), { kind: 'serve', options: { publishLocal: true } });
  });

  it('prints help listing every flag with its default', () => {
    const request = parseCli(['--help']);
    assert.equal(request.kind, 'help');
    for (const flag of ['--tls-cert', '--tls-key', '--h2c', '--cors-origin', '--cors-credentials', '--port', '--host', '--max-connections', '--max-per-client', '--heartbeat', '--retry', '--history', '--max-pending', '--tick']) {
      assert.ok(request.kind === 'help' && request.text.includes(flag), flag);
    }
    assert.match(request.kind === 'help' ? request.text : '', /--heartbeat <ms> .*\(default 15000\)/);
    // A flag longer than its column still leaves a space before its help.
    assert.match(request.kind === 'help' ? request.text : '', /--trust-proxy <address\|cidr> believe/);
  });

  it('reads the TLS files, h2c and the CORS allow-list', () => {
    assert.deepEqual(parseCli(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--cors-origin', 'https://a.example', '--cors-origin', 'https://b.example', '--cors-credentials']), {
      kind: 'serve',
      options: { corsOrigins: ['https://a.example', 'https://b.example'], corsCredentials: true },
      tlsFiles: { cert: 'c.pem', key: 'k.pem' },
    });
    assert.deepEqual(parseCli(['--h2c']), { kind: 'serve', options: { h2c: true } });
  });

  it('refuses half a TLS pair, and h2c with TLS', () => {
    assert.throws(() => parseCli(['--tls-cert', 'c.pem']), /--tls-cert and --tls-key go together/);
    assert.throws(() => parseCli(['--tls-cert', 'c', '--tls-key', 'k', '--h2c']), /--h2c is cleartext HTTP\/2/);
  });

  it('reads --history-file, --redis and --redis-key, and refuses them together or half given', () => {
    assert.deepEqual(parseCli(['--history-file', '/var/lib/sse/feed.log']), { kind: 'serve', options: { historyFile: '/var/lib/sse/feed.log' } });
    assert.deepEqual(parseCli(['--redis', 'redis://127.0.0.1:6379/0', '--redis-key', 'app:feed']), {
      kind: 'serve',
      options: { redisUrl: 'redis://127.0.0.1:6379/0', redisKey: 'app:feed' },
    });
    assert.throws(() => parseCli(['--redis', 'redis://127.0.0.1/0', '--history-file', 'f']), /exclude each other/);
    assert.throws(() => parseCli(['--redis-key', 'k']), /--redis-key goes with --redis/);
  });

  it('refuses a value that is not a whole number, and unknown flags', () => {
    assert.throws(() => parseCli(['--port', '80a']), /--port takes a whole number, got "80a"/);
    assert.throws(() => parseCli(['--retry', '-1']), TypeError);
    assert.throws(() => parseCli(['--nope']), TypeError);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// Every value an entry point exports is semver surface: adding one is a decision, made here (and
// documented in docs/reference/api.md, which the docs test checks), never a side effect of an
// `export` line. Types are checked by the docs test alone.
const SURFACE: Readonly<Record<string, readonly string[]>> = {
  './index.js': [
    'BrokerUnavailableError',
    'Channel',
    'FileLog',
    'FileLogError',
    'Heartbeat',
    'MemoryBroker',
    'SseError',
    'SseStream',
    'WebSseStream',
    'createParser',
    'createSseServer',
    'encodeComment',
    'encodeCursor',
    'encodeEvent',
    'encodeRetry',
    'formatEvent',
    'guardStream',
    'lastEventIdOf',
    'lastEventIdOfRequest',
    'lexicalIds',
    'numericIds',
    'refuseStream',
    'sendFrom',
  ],
  './redis/index.js': ['RedisBroker', 'RedisEpochError'],
  './client/index.js': ['SseClient', 'backoffDelay'],
  './web.js': [
    'Channel',
    'Heartbeat',
    'SseError',
    'WebSseStream',
    'encodeComment',
    'encodeCursor',
    'encodeEvent',
    'encodeRetry',
    'formatEvent',
    'lastEventIdOfRequest',
    'lexicalIds',
    'numericIds',
  ],
};

describe('the public surface', () => {
  for (const [entry, names] of Object.entries(SURFACE)) {
    it(`${entry} exports exactly the chosen values`, async () => {
      const module = (await import(entry)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(module).sort(), [...names].sort());
    });
  }

  it('keeps the test tools that need more than Node off sse-reference/testing', async () => {
    const testing = (await import('./testing/index.js')) as Record<string, unknown>;
    assert.equal(testing['spawnRedis'], undefined);
  });

  it('gives a server no mutable internals: the caps, the gate, the heartbeat and the counters stay inside', async () => {
    const { createSseServer } = await import('./index.js');
    const app = createSseServer({ port: 0, host: '127.0.0.1', tickMs: 0 });
    assert.deepEqual(Object.keys(app).sort(), ['address', 'broker', 'close', 'listen', 'metrics', 'protocol', 'server']);
    // metrics() is a copy: changing it changes nothing in the server.
    const metrics = app.metrics() as { resets: Record<string, number> };
    metrics.resets['invalid'] = 99;
    assert.equal(app.metrics().resets['invalid'], undefined);
    assert.equal(app.address(), undefined);
    await app.close();
  });
});

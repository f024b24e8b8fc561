import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseRedisUrl, RedisClient, RedisUnavailableError, type RedisState } from './client.js';
import { RedisReplyError } from './resp.js';
import { spawnRedis, type SpawnedRedis } from '../testing/spawn-redis.js';

describe('parseRedisUrl', () => {
  it('reads host, port, database and password, with defaults', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2, username: undefined, password: undefined });
    assert.deepEqual(parseRedisUrl('redis://:s%40cret@localhost'), { host: 'localhost', port: 6379, db: 0, username: undefined, password: 's@cret' });
    assert.deepEqual(parseRedisUrl('redis://feed:pw@[::1]:7000'), { host: '::1', port: 7000, db: 0, username: 'feed', password: 'pw' });
  });

  it('refuses what is not a redis:// URL with a sentence that says so', () => {
    assert.throws(() => parseRedisUrl('127.0.0.1:6379'), /redis:\/\//);
    assert.throws(() => parseRedisUrl('http://127.0.0.1/'), /must start with redis:\/\//);
    assert.throws(() => parseRedisUrl('redis://127.0.0.1/1e3'), /database/);
  });
});

describe('RedisClient against a real redis-server', () => {
  let redis: SpawnedRedis;
  const clients: RedisClient[] = [];
  const open = (path = '/0', extra: Partial<ConstructorParameters<typeof RedisClient>[0]> = {}): RedisClient => {
    const client = new RedisClient({ url: `redis://127.0.0.1:${redis.port}${path}`, reconnectMaxMs: 100, ...extra });
    clients.push(client);
    return client;
  };
  before(async () => {
    redis = await spawnRedis();
  });
  after(async () => {
    for (const client of clients) client.close();
    await redis.stop();
  });

  it('answers pipelined commands in the order they were sent', async () => {
    const client = open();
    await client.ready();
    const replies = await Promise.all(Array.from({ length: 200 }, () => client.command(['INCR', 'counter'])));
    assert.deepEqual(replies, Array.from({ length: 200 }, (_, i) => i + 1));
    assert.deepEqual(await client.command(['SET', 'k', 'é\r\n']), 'OK');
    assert.deepEqual(await client.command(['GET', 'k']), Buffer.from('é\r\n'));
    assert.equal(await client.command(['GET', 'missing']), null);
  });

  it('rejects with the error reply and goes on working', async () => {
    const client = open();
    await client.ready();
    await assert.rejects(client.command(['LPUSH', 'k', 'x']), (error: unknown) => error instanceof RedisReplyError && error.code === 'SSE_ERR_REDIS_REPLY' && error.replyCode === 'WRONGTYPE');
    assert.equal(await client.command(['PING']), 'PONG');
  });

  it('selects the database of the URL on every connection', async () => {
    const three = open('/3');
    const zero = open('/0');
    await Promise.all([three.ready(), zero.ready()]);
    await three.command(['SET', 'only-in-3', '1']);
    assert.equal(await zero.command(['GET', 'only-in-3']), null);
  });

  it('authenticates with the password of the URL, and drops a connection whose reply does not come', async () => {
    const admin = open();
    await admin.ready();
    await admin.command(['ACL', 'SETUSER', 'feed', 'on', '>pw', '~*', '+@all']);
    const authed = new RedisClient({ url: `redis://feed:pw@127.0.0.1:${redis.port}/0` });
    clients.push(authed);
    await authed.ready();
    assert.deepEqual(await authed.command(['ACL', 'WHOAMI']), Buffer.from('feed'));
    await assert.rejects(authed.command(['BLPOP', 'never', '2'], 100), /no reply within 100 ms/);
    await authed.ready();
    assert.equal(await authed.command(['PING']), 'PONG');
  });

  it('fails fast while Redis is down, reconnects, and runs onConnect again', async () => {
    const states: RedisState[] = [];
    let connects = 0;
    const client = open('/0', {
      onState: (state) => states.push(state),
      onConnect: async (send) => {
        connects++;
        await send(['PING']);
      },
    });
    await client.ready();
    const blocked = assert.rejects(client.command(['BLPOP', 'never', '5']), RedisUnavailableError);
    await redis.stop();
    await blocked;
    await assert.rejects(client.command(['PING']), /unreachable/);
    assert.equal(client.state, 'down');
    await redis.restart();
    await client.ready();
    assert.equal(await client.command(['PING']), 'PONG');
    assert.equal(connects, 2);
    assert.deepEqual(states.slice(0, 2), ['ready', 'down']);
    assert.equal(states.at(-1), 'ready');
    client.close();
    await assert.rejects(client.ready(), /closed/);
    await assert.rejects(client.command(['PING']), /closed/);
  });
});

// `sse-reference/redis`: the Redis wire and stream-id internals under RedisBroker, for tools and
// tests that speak to Redis directly. The root export carries RedisBroker itself.
export {
  compareStreamIds,
  formatStreamEventId,
  formatStreamId,
  parseStreamCursor,
  parseStreamId,
  type StreamCursor,
  type StreamId,
} from './stream-id.js';
export { StreamWindow } from './stream-window.js';
export { parseRedisUrl, RedisClient, RedisUnavailableError, type RedisAddress, type RedisClientOptions, type RedisState } from './client.js';
export { encodeCommand, RedisReplyError, RespParser, RespProtocolError, type RespValue } from './resp.js';

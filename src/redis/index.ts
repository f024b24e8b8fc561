// `sse-reference/redis`: the Redis Streams broker. Its wire and stream-id internals stay inside
// the package (this repository's tests import them by path), so none of them is semver surface.
export { RedisBroker, type RedisBrokerOptions } from './redis-broker.js';
export { RedisEpochError } from './entries.js';

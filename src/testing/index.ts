// Test helpers, published as `sse-reference/testing` for the suites in conformance/ and scripts/
// and for anyone testing their own server the same way: real sockets, no mocks. spawnRedis stays
// off it (it needs a redis-server): this repository imports it by path, or as #internal/testing/spawn-redis.js.
export { makeCertificate } from './certificate.js';
export { serveFetch } from './fetch-server.js';
export { dropBeforeFirstEvent, eventually, exactAfterEarlyDrop, feedChannel, publish, rawExchange, startServer, type Started } from './harness.js';
export { EPOCH, HOSTILE_IDS } from './hostile-ids.js';
export { openH2Stream, openStream, type TestStream } from './sse-client.js';

// Test helpers, published as `sse-reference/testing` for the suites in conformance/ and scripts/
// and for anyone testing their own server the same way: real sockets, no mocks.
export { makeCertificate } from './certificate.js';
export { serveFetch } from './fetch-server.js';
export { dropBeforeFirstEvent, eventually, exactAfterEarlyDrop, feedChannel, publish, rawExchange, startServer, type Started } from './harness.js';
export { EPOCH, HOSTILE_IDS } from './hostile-ids.js';
export { openH2Stream, openStream, type TestStream } from './sse-client.js';

// The package root: what a user of the library writes, chosen name by name (every one is semver
// surface). Everything else is reached inside this repository by relative path or through the
// package's private `#internal/*` imports, which no installed copy can import.

// The reference server.
export { createSseServer, type ServerMetrics, type SseServer } from './app.js';
export { type SseServerOptions } from './options/table.js';

// A stream in your own handler.
export { SseStream, type CloseReason, type SseStreamOptions } from './stream/sse-stream.js';
export { WebSseStream, type WebCloseReason, type WebSseStreamOptions } from './stream/web-stream.js';
export { Heartbeat } from './stream/heartbeat.js';
export { type EventSink } from './stream/sink.js';
export { sendFrom, type SendFromOptions, type SourceItem } from './stream/iterate.js';
export { lastEventIdOf, lastEventIdOfRequest } from './protocol/last-event-id.js';
export { refuseStream } from './stream/refuse.js';
export { guardStream } from './http/authorize.js';
export { type Authorize, type AuthorizeResult } from './options/hooks.js';

// A channel: broadcast, ids, replay and resume.
export {
  Channel,
  type AttachOptions,
  type ChannelEvent,
  type ChannelLog,
  type ChannelOptions,
  type EventFilter,
  type EventMap,
  type PublishInput,
  type ResponseOptions,
  type SubscribeOptions,
  type Subscription,
} from './hub/channel.js';
export { type EventInfo } from './hub/event-index.js';
export { lexicalIds, numericIds, type IdPolicy } from './hub/id-policy.js';

// Brokers: where `/feed`'s events live (Redis: `sse-reference/redis`).
export { BrokerUnavailableError, type Broker, type BrokerHealth, type FeedStart } from './history/broker.js';
export { MemoryBroker } from './history/memory-broker.js';
export { FileLog, FileLogError, type FileLogOptions } from './history/file-log.js';

// The wire format.
export { encodeComment, encodeCursor, encodeEvent, encodeRetry, formatEvent, type SseEvent } from './protocol/encode.js';
export { createParser, type ParsedEvent, type ParserHandlers, type SseParser } from './protocol/parse.js';
export { SseError, type SseErrorCode } from './protocol/errors.js';

export { createSseServer, shutdownRetryMs, type SseServer } from './app.js';
export { DEFAULTS, OPTIONS, type OptionSpec, type ResolvedOptions, type SseServerOptions, type TlsFiles } from './options/table.js';
export {
  Channel,
  type AttachOptions,
  type ChannelEvent,
  type ChannelOptions,
  type EventFilter,
  type EventMap,
  type FrameworkReply,
  type FrameworkRequest,
  type PublishInput,
  type ResponseOptions,
  type SubscribeOptions,
  type Subscription,
} from './hub/channel.js';
export { type EventInfo } from './hub/event-index.js';
export { lexicalIds, numericIds, type IdPolicy } from './hub/id-policy.js';
export { ReplayBuffer, type ReplayBufferOptions } from './hub/replay-buffer.js';
export { planResume, type Cursor, type ResetReason, type ResumeDecision, type ResumePlan, type ResumeView } from './hub/resume.js';
export { clientKey, Limiter, type Lease, type LimiterOptions, type RefusalReason } from './limits/limiter.js';
export { encodeComment, encodeCursor, encodeEvent, encodeRetry, formatEvent, type SseEvent } from './protocol/encode.js';
export { SseError, type SseErrorCode } from './protocol/errors.js';
export { serializeData } from './protocol/serialize.js';
export {
  formatEventId,
  MAX_LAST_EVENT_ID_LENGTH,
  parseLastEventId,
  type EventPosition,
  type LastEventIdResult,
} from './protocol/last-event-id.js';
export { createParser, type ParsedEvent, type ParserHandlers, type SseParser } from './protocol/parse.js';
export { jitter, streamHeaders } from './stream/headers.js';
export { Heartbeat, type Beating } from './stream/heartbeat.js';
export { refuseStream } from './stream/refuse.js';
export { lastEventIdOf, lastEventIdOfRequest } from './protocol/last-event-id.js';
export { sendFrom, type SendFromOptions, type SourceItem } from './stream/iterate.js';
export { type EventSink } from './stream/sink.js';
export { SseStream, type CloseReason, type SseStreamOptions } from './stream/sse-stream.js';
export { WebSseStream, type WebCloseReason, type WebSseStreamOptions } from './stream/web-stream.js';
export {
  BrokerUnavailableError,
  type Broker,
  type BrokerHealth,
  type FeedStart,
} from './history/broker.js';
export { type ChannelLog } from './hub/channel.js';
export { FileLog, FileLogError, type FileLogOptions, type Recovery } from './history/file-log.js';
export { MemoryBroker } from './history/memory-broker.js';
export { NumberedHistory } from './hub/numbered-history.js';
export { RedisBroker, type RedisBrokerOptions } from './redis/redis-broker.js';
export { RedisEpochError } from './redis/entries.js';
export { createCounters, renderMetrics, type Counters, type Readings } from './metrics/metrics.js';
export { type Authorize, type AuthorizeResult } from './options/hooks.js';
export { guardStream } from './http/authorize.js';
export { clientAddress, createTrustedProxies, resolveClient, type AddressSource, type ResolvedClient, type TrustedProxies } from './http/client-address.js';
export { RateLimiter, type RateDecision, type RateLimiterOptions } from './limits/rate.js';

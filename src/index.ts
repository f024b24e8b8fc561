export { createSseServer, DEFAULTS, type SseServer, type SseServerOptions } from './app.js';
export { Channel, type ChannelOptions, type PublishInput, type Subscriber, type Subscription } from './hub/channel.js';
export { ReplayBuffer, type ReplayBufferOptions } from './hub/replay-buffer.js';
export { planResume, type HistoryState, type ResetReason, type ResumePlan } from './hub/resume.js';
export { clientKey, Limiter, type Lease, type LimiterOptions, type RefusalReason } from './limits/limiter.js';
export { encodeComment, encodeEvent, encodeRetry, formatEvent, type SseEvent } from './protocol/encode.js';
export { SseError, type SseErrorCode } from './protocol/errors.js';
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
export { SseStream, type CloseReason, type SseStreamOptions } from './stream/sse-stream.js';

// The portable entry, `sse-reference/web`: a channel whose streams are Web-standard `Response`s,
// for Bun, Deno, workerd and any runtime with fetch's Request/Response and ReadableStream. Its
// whole import graph has no `node:` import and names neither the `Buffer` nor the `process`
// global (web.test.ts walks it), so it runs on workerd without `nodejs_compat`. The root entry's
// `Channel` is this one plus `attach`/`attachReply` for node:http and Node's Buffers as bytes.

// A channel: broadcast, ids, replay and resume.
export {
  Channel,
  type ChannelEvent,
  type ChannelLog,
  type ChannelOptions,
  type EventFilter,
  type EventMap,
  type PublishInput,
  type ResponseOptions,
  type SubscribeOptions,
  type Subscription,
} from './hub/portable-channel.js';
export { type EventInfo } from './hub/event-index.js';
export { lexicalIds, numericIds, type IdPolicy } from './hub/id-policy.js';

// A stream in your own fetch handler.
export { WebSseStream, type WebCloseReason, type WebSseStreamOptions } from './stream/web-stream.js';
export { Heartbeat } from './stream/heartbeat.js';
export { type EventSink } from './stream/sink.js';
export { lastEventIdOfRequest } from './protocol/last-event-id.js';

// The wire format, as Uint8Array (the root entry's encoders return Node Buffers).
export { encodeComment, encodeCursor, encodeEvent, encodeRetry } from './protocol/web-encode.js';
export { formatEvent, type SseEvent } from './protocol/format.js';
export { SseError, type SseErrorCode } from './protocol/errors.js';

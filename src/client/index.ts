// `sse-reference/client`: runs in browsers and in Node (fetch transport), with no dependency.
export { backoffDelay, type BackoffOptions } from './backoff.js';
export {
  SseClient,
  type ClientFailure,
  type ClientMessage,
  type ClientState,
  type EventSourceConstructor,
  type EventSourceLike,
  type ResetMessage,
  type SseClientOptions,
} from './sse-client.js';

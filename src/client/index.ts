// `sse-reference/client`: runs in browsers and in Node (fetch transport), with no dependency.
export { backoffDelay, type BackoffOptions } from './backoff.js';
export type { ClientFailure, ClientMessage, ClientState, JsonMessage, ResetMessage, TextMessage } from './messages.js';
export { SseClient, type EventSourceConstructor, type EventSourceLike, type SseClientOptions } from './sse-client.js';

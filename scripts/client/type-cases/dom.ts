// A page compiled with lib.dom and no Node types: the DOM's own EventSource is accepted.
import { SseClient } from 'sse-reference/client';

new SseClient('/feed', { EventSource });
new SseClient('/feed', { EventSource: globalThis.EventSource, transport: 'eventsource', withCredentials: true });
new SseClient('/feed', { fetch: window.fetch.bind(window), shared: true });
new SseClient('/feed', { EventSource: WebSocket }); // error TS2322

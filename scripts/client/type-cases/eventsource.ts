// Node with the `eventsource` package from npm: its EventSource is accepted.
import { EventSource } from 'eventsource';
import { SseClient } from 'sse-reference/client';

new SseClient('http://127.0.0.1:8080/feed', { EventSource });
new SseClient('http://127.0.0.1:8080/feed', { EventSource, transport: 'eventsource', lastEventId: 'e-1' });

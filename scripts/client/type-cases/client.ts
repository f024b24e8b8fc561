// The client's types as a user's compiler sees them, in every environment: what must compile, and
// what must not (each line marked `// error TS…` must fail with exactly that error).
import { SseClient, type ClientMessage, type JsonMessage, type TextMessage } from 'sse-reference/client';

// An interface is an event map, not only a type literal.
interface Events {
  price: { eur: number };
  note: string;
  mode: 'on' | 'off';
  either: string | { eur: number };
}

const client = new SseClient<Events>('http://127.0.0.1:8080/feed', { transport: 'fetch', heartbeatMs: 15_000 });

// Data sent as JSON (a Channel publishes any non-string that way): json() returns its type.
client.on('price', (message) => message.json().eur.toFixed(2));
// Data sent as a string (a Channel writes it as it is): data is the value, and json() is not there.
client.on('note', (message) => message.data.toUpperCase());
client.on('mode', (message) => {
  const mode: 'on' | 'off' = message.data;
  return mode;
});
client.on('note', (message) => message.json()); // error TS2339
// "5" and 5 are the same bytes: for a union of both kinds, json() can only say unknown.
client.on('either', (message) => message.json().eur); // error TS2571
client.on('reset', (message) => message.reason.length);
// A misspelt name, or one the map does not have, does not compile.
client.on('prise', () => {}); // error TS2769
client.on('message', () => {}); // error TS2769

// Without a map every name is open, and json() says unknown.
const open = new SseClient('http://127.0.0.1:8080/feed');
open.on('anything', (message) => {
  const value: unknown = message.json();
  return [value, message.data.length];
});
open.on('anything', (message) => message.json().eur); // error TS2571

// The message types, named.
const json: JsonMessage<{ eur: number }> = { type: 'price', data: '{"eur":1}', id: '1', json: () => ({ eur: 1 }) };
const text: TextMessage<'on' | 'off'> = { type: 'mode', data: 'on', id: '2' };
const asText: ClientMessage<string> = text;
const asJson: ClientMessage<{ eur: number }> = json;
const wrong: ClientMessage<{ eur: number }> = text; // error TS2741
export const used = [asText, asJson, wrong];

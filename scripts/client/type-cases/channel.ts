// The server side of the same map (Node): a Channel takes an interface, and writes a string as it
// is and any other value as JSON, which is what the client's message types mirror.
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { Channel } from 'sse-reference';
import { SseClient } from 'sse-reference/client';

interface Events {
  price: { eur: number };
  note: string;
}

const channel = new Channel<Events>();
channel.publish({ event: 'price', data: { eur: 1.08 } });
channel.publish({ event: 'note', data: 'deploy finished' });
channel.publish({ event: 'prise', data: { eur: 1.08 } }); // error TS2820
channel.publish({ event: 'note', data: { eur: 1.08 } }); // error TS2345

const client = new SseClient<Events>('http://127.0.0.1:8080/feed');
client.on('price', (message) => message.json().eur);
client.on('note', (message) => message.data);

// Extra headers take Node's OutgoingHttpHeaders: what res.getHeaders() returns after a CORS
// middleware ran (numbers and arrays included), and nothing that is not a header value.
const cors: OutgoingHttpHeaders = { 'access-control-allow-origin': 'https://app.example', 'x-count': 2, 'set-cookie': ['a=1', 'b=2'] };
createServer((req, res) => channel.attach(req, res, { headers: cors }));
createServer((req, res) => channel.attach(req, res, { headers: res.getHeaders() }));
createServer((req, res) => channel.attach(req, res, { headers: { 'x-nested': { no: true } } })); // error TS2353

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The floor of `npm run bench -- --peers`: the least work a Node server can do per delivery, to
 * size what the reference's fan-out costs beyond it (issue 28.4: ≤ 1.3× the floor's CPU). Each
 * publish or burst is encoded once into one Buffer and written with one `socket.write` per stream;
 * there is no HTTP chunk framing (the body is delimited by the connection's close, RFC 9112 §6.3
 * rule 8), no replay, no heartbeat, no backpressure handling and no bookkeeping beyond a `Set` of
 * sockets. It is not a server to deploy: a slow client's bytes pile up in its socket without bound.
 *
 * Routes as the naive baseline's: `GET /events`, `POST /publish` (`{"data"}`), `POST /bench/burst`
 * (`{"count","data"}`), both answered 202 after the writes.
 */
export function createFloorServer(): Server {
  const sockets = new Set<Socket>();
  let lastId = 0;
  // `Connection: close` and no length: the body runs until the socket closes, so the events go out
  // as they are, with no chunk size line per write.
  const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n', 'latin1');

  function send(data: string, count: number): number {
    let text = '';
    for (let i = 0; i < count; i++) text += `id: ${++lastId}\ndata: ${data}\n\n`;
    const bytes = Buffer.from(text);
    for (const socket of sockets) socket.write(bytes);
    return lastId;
  }

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/events') {
      // The head straight onto the socket: node:http's response object is never used for the stream.
      const socket = req.socket;
      socket.write(head);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return;
    }
    if (req.method === 'POST' && (path === '/publish' || path === '/bench/burst')) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (part: string) => (body += part));
      req.on('end', () => {
        let input: { data?: unknown; count?: unknown };
        try {
          input = JSON.parse(body) as typeof input;
        } catch {
          res.writeHead(400).end();
          return;
        }
        const count = path === '/bench/burst' ? Number(input.count) : 1;
        const id = send(String(input.data), count);
        res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: String(id) }));
      });
      return;
    }
    res.writeHead(404).end();
  });
}

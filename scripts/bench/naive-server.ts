import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Options of {@link createNaiveServer}. */
export interface NaiveServerOptions {
  /** Each stream's own heartbeat period. @defaultValue 15000 */
  readonly heartbeatMs?: number;
}

/**
 * The yardstick: an SSE server written the way most tutorials write one. A `Set` of responses,
 * one `res.write(string)` per client per event, one `setInterval` heartbeat per connection, no
 * backpressure handling and no replay. Every bench run compares the reference server with it.
 *
 * Routes: `GET /events` (the stream), `POST /publish` (`{"data","event"?}` → 202 `{"id"}`) and the
 * bench-only `POST /bench/burst` (`{"count","data"}`: publishes `count` events in one go).
 */
export function createNaiveServer(options: NaiveServerOptions = {}): Server {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const clients = new Set<ServerResponse>();
  let lastId = 0;

  // As in the tutorials, the message is formatted inside the loop, once per client.
  function broadcast(data: string, event?: string): number {
    lastId++;
    for (const res of clients) {
      res.write(`${event === undefined ? '' : `event: ${event}\n`}id: ${lastId}\ndata: ${data}\n\n`);
    }
    return lastId;
  }

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      res.flushHeaders();
      clients.add(res);
      const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
      req.on('close', () => {
        clearInterval(heartbeat);
        clients.delete(res);
      });
      return;
    }
    if (req.method === 'POST' && (path === '/publish' || path === '/bench/burst')) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (part: string) => (body += part));
      req.on('end', () => {
        let input: { data?: unknown; event?: unknown; count?: unknown };
        try {
          input = JSON.parse(body) as typeof input;
        } catch {
          res.writeHead(400).end();
          return;
        }
        const data = String(input.data);
        const event = typeof input.event === 'string' ? input.event : undefined;
        const count = path === '/bench/burst' ? Number(input.count) : 1;
        let id = 0;
        for (let i = 0; i < count; i++) id = broadcast(data, event);
        res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: String(id) }));
      });
      return;
    }
    res.writeHead(404).end();
  });
}

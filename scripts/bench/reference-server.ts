import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSseServer, type SseServer, type SseServerOptions } from 'sse-reference';
import { feedChannel } from 'sse-reference/testing';

/**
 * The reference server as the bench runs it: every feature on (ids, replay buffer, backpressure
 * budget, heartbeats, metrics, the per-address cap), no ticker so only the bench publishes, the
 * global cap raised above the stream counts measured, and one bench-only route,
 * `POST /bench/burst` (`{"count","data"}`), that publishes `count` events in one pass of the
 * event loop, as the naive server's twin route does.
 */
export function createBenchReferenceServer(overrides: SseServerOptions = {}): SseServer {
  const app = createSseServer({
    port: 0,
    tickMs: 0,
    maxConnections: 100_000,
    // On, and above what one of the load's 8 source addresses opens at the largest count (about 2,400).
    maxPerClient: 4096,
    // The load generator publishes from this machine.
    publishLocal: true,
    ...overrides,
  });
  const [route] = app.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (route === undefined) throw new Error('The reference server has no request listener to wrap.');
  app.server.removeAllListeners('request');
  app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/bench/burst') burst(app, req, res);
    else route(req, res);
  });
  return app;
}

function burst(app: SseServer, req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (part: string) => (body += part));
  req.on('end', () => {
    try {
      const input = JSON.parse(body) as { count: number; data: string };
      let id = '';
      for (let i = 0; i < input.count; i++) id = feedChannel(app).publish({ data: input.data }).id;
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
}

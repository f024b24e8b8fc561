// #region hono
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Channel } from 'sse-reference';

const channel = new Channel();
const ticker = setInterval(() => channel.publish({ event: 'tick', data: { at: Date.now() } }), 200);

const app = new Hono();
// A Web-standard Response: the same line is meant for Bun, Deno and Workers (run here on Node only).
app.get('/feed', (c) => channel.response(c.req.raw));
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' });

process.on('SIGTERM', () => {
  clearInterval(ticker);
  channel.close({ retryMs: 5000 });
  server.close();
});
// #endregion hono

// #region hono
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Channel, SseError } from 'sse-reference';

const channel = new Channel();

const app = new Hono();
// A Web-standard Response: the same line is meant for Bun, Deno and Workers (run here on Node only).
app.all('/feed', (c) => channel.response(c.req.raw));
app.post('/publish', async (c) => c.json(channel.publish(await c.req.json()), 202));
// Hono answers 500 for any error but its own: a refused event gets its status (400, 413…).
app.onError((error, c) => (error instanceof SseError ? c.json({ error: { code: error.code, message: error.message } }, error.statusCode) : c.text('Internal Server Error', 500)));
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' });

process.on('SIGTERM', () => {
  channel.close({ retryMs: 5000 });
  server.close();
});
// #endregion hono

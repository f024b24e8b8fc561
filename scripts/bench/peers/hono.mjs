// Hono's streamSSE on @hono/node-server, as Hono's docs show: one streamSSE callback per client,
// held open until the client aborts, `writeSSE()` to each. A peer of `npm run bench -- --peers`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';

const app = new Hono();
const clients = new Set();

function broadcast(data, event) {
  for (const stream of clients) stream.writeSSE({ data, ...(event === undefined ? {} : { event }) }).catch(() => {});
}

app.get('/events', (c) =>
  streamSSE(c, async (stream) => {
    clients.add(stream);
    await new Promise((resolve) => stream.onAbort(resolve));
    clients.delete(stream);
  }),
);

app.post('/publish', async (c) => {
  const { data, event } = await c.req.json();
  broadcast(data, event);
  return c.json({}, 202);
});

app.post('/bench/burst', async (c) => {
  const { count, data, event } = await c.req.json();
  for (let i = 0; i < Number(count); i++) broadcast(data, event);
  return c.json({}, 202);
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`listening ${info.port}\n`));
process.once('SIGTERM', () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
});

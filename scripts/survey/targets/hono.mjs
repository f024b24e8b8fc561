// hono 4 streamSSE on @hono/node-server, written the way Hono's "Streaming Helper" docs show it:
// a module-level `let id = 0` and a loop that writes a time-update event and sleeps a second.
// Ours: the port (PORT, 0 = ephemeral, printed as "listening <port>"). Nothing else.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { serve } from '@hono/node-server';

const app = new Hono();
let id = 0;

app.get('/sse', async (c) => {
  return streamSSE(c, async (stream) => {
    while (true) {
      const message = `It is ${new Date().toISOString()}`;
      await stream.writeSSE({
        data: message,
        event: 'time-update',
        id: String(id++),
      });
      await stream.sleep(1000);
    }
  });
});

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(`listening ${info.port}`);
});

// #region fastify
import Fastify from 'fastify';
import { Channel } from 'sse-reference';

const channel = new Channel();
const ticker = setInterval(() => channel.publish({ event: 'tick', data: { at: Date.now() } }), 200);

const app = Fastify();
app.get('/feed', (request, reply) => {
  // The stream writes to the raw response; Fastify must not answer it too.
  reply.hijack();
  channel.attach(request.raw, reply.raw);
});
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

process.on('SIGTERM', () => {
  clearInterval(ticker);
  channel.close({ retryMs: 5000 });
  void app.close();
});
// #endregion fastify

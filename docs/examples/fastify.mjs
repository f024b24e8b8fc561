// #region fastify
import Fastify from 'fastify';
import { Channel } from 'sse-reference';

const channel = new Channel();

const app = Fastify();
app.all('/feed', (request, reply) => {
  // The stream writes to the raw response; Fastify must not answer it too.
  reply.hijack();
  channel.attach(request.raw, reply.raw);
});
// A refused event is an SseError: Fastify answers its statusCode (400, 413…) as JSON.
app.post('/publish', async (request, reply) => reply.code(202).send(channel.publish(request.body)));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

process.on('SIGTERM', () => {
  channel.close({ retryMs: 5000 });
  void app.close();
});
// #endregion fastify

// #region fastify
import cors from '@fastify/cors';
import Fastify from 'fastify';
import { Channel } from 'sse-reference';

const channel = new Channel();

const app = Fastify();
await app.register(cors, { origin: 'https://app.example' });
// Hands the raw response to the stream (reply.hijack()), keeping the CORS headers set on the reply.
app.all('/feed', (request, reply) => void channel.attachReply(request, reply));
// A refused event is an SseError: Fastify answers its statusCode (400, 413…) as JSON.
app.post('/publish', async (request, reply) => reply.code(202).send(channel.publish(request.body)));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });

process.on('SIGTERM', () => {
  channel.close({ retryMs: 5000 });
  void app.close();
});
// #endregion fastify

// @fastify/sse on Fastify, as its README shows: an SSE-only route kept alive, a set of replies,
// `reply.sse.send()` to each. A peer of `npm run bench -- --peers`; prints `listening <port>`.
import fastifySse from '@fastify/sse';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(fastifySse);
const clients = new Set();

function broadcast(data, event) {
  for (const reply of clients) reply.sse.send({ data, ...(event === undefined ? {} : { event }) }).catch(() => {});
}

app.get('/events', { sse: 'only' }, async (request, reply) => {
  reply.sse.keepAlive();
  clients.add(reply);
  reply.sse.onClose(() => clients.delete(reply));
  // As the README's connection example does: headers go out with the first message, and a client
  // waiting for its stream to open must get them now.
  await reply.sse.send({ data: 'connected' });
});

app.post('/publish', async (request, reply) => {
  broadcast(request.body.data, request.body.event);
  return reply.code(202).send({});
});

app.post('/bench/burst', async (request, reply) => {
  for (let i = 0; i < Number(request.body.count); i++) broadcast(request.body.data, request.body.event);
  return reply.code(202).send({});
});

await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${app.server.address().port}\n`);
process.once('SIGTERM', () => {
  app.server.closeAllConnections();
  app.close().then(() => process.exit(0));
});

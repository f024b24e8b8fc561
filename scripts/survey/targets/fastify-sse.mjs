// @fastify/sse 0.6 on Fastify 5, written the way the plugin's README shows it: the Quick Start's
// `fastify.register(...)` and `{ sse: true }` route, the "Message Replay" example (a history array,
// reply.sse.replay, ids from Date.now()) and the "Connection Management" example (keepAlive,
// an interval that sends while reply.sse.isConnected, onClose). The README's replay example sends
// one new message per request; here the app makes one such message per second and sends it to every
// open stream, as its interval does (a broadcast the README leaves to the app).
// Ours: the port (PORT, 0 = ephemeral, printed as "listening <port>") and SURVEY_TICK=0.
import Fastify from 'fastify';
import fastifySse from '@fastify/sse';

const fastify = Fastify({ logger: false });
await fastify.register(fastifySse);

const messageHistory = [];
const open = new Set();

if (process.env.SURVEY_TICK !== '0') {
  setInterval(async () => {
    const newMessage = { id: Date.now(), data: 'New event' };
    messageHistory.push(newMessage);
    for (const reply of open) {
      try {
        if (reply.sse.isConnected) await reply.sse.send(newMessage);
      } catch {
        open.delete(reply);
      }
    }
  }, 1000);
}

fastify.get('/events', { sse: true }, async (request, reply) => {
  reply.sse.keepAlive();
  // Handle replay on reconnection (README, "Message Replay").
  await reply.sse.replay(async (lastEventId) => {
    const startIndex = messageHistory.findIndex((msg) => msg.id === lastEventId);
    const messagesToReplay = startIndex !== -1 ? messageHistory.slice(startIndex + 1) : messageHistory;
    for (const message of messagesToReplay) {
      await reply.sse.send(message);
    }
  });
  // Send initial message (README, "Connection Management"): the headers go out with the first send.
  await reply.sse.send({ data: 'Connected' });
  open.add(reply);
  reply.sse.onClose(() => {
    open.delete(reply);
  });
});

const address = await fastify.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening ${new URL(address).port}`);

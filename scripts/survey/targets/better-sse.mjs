// better-sse 0.16 on Express 5, written the way better-sse's README ("Usage") and its Channels guide
// show it: one session per request, registered on a channel that broadcasts a tick every second.
// Ours: the port (PORT, 0 = ephemeral, printed as "listening <port>") and SURVEY_TICK=0, which stops
// the app's ticker so the survey can watch an idle stream. Nothing else.
import express from 'express';
import { createChannel, createSession } from 'better-sse';

const app = express();

const ticker = createChannel();
let tick = 0;
if (process.env.SURVEY_TICK !== '0') {
  setInterval(() => {
    ticker.broadcast(tick++, 'tick');
  }, 1000);
}

app.get('/sse', async (req, res) => {
  const session = await createSession(req, res);
  ticker.register(session);
});

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});

// #region express
import express from 'express';
import { Channel } from 'sse-reference';

const channel = new Channel();
const ticker = setInterval(() => channel.publish({ event: 'tick', data: { at: Date.now() } }), 200);

const app = express();
app.get('/feed', (req, res) => channel.attach(req, res));
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');

process.on('SIGTERM', () => {
  clearInterval(ticker);
  channel.close({ retryMs: 5000 });
  server.close();
});
// #endregion express

// #region express
import express from 'express';
import { Channel, SseError } from 'sse-reference';

const channel = new Channel();

const app = express();
// GET streams, with a heartbeat every 15 s of silence; HEAD gets the headers, others 405.
app.all('/feed', (req, res) => channel.attach(req, res));
app.post('/publish', express.json(), (req, res) => res.status(202).json(channel.publish(req.body)));
// A refused event gets its status (400, 413…) and JSON, not Express's page with the stack.
app.use((error, req, res, next) => {
  if (!(error instanceof SseError)) return next(error);
  res.status(error.statusCode).json({ error: { code: error.code, message: error.message } });
});
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');

process.on('SIGTERM', () => {
  channel.close({ retryMs: 5000 });
  server.close();
});
// #endregion express

// #region node
import { createServer } from 'node:http';
import { Channel, SseError } from 'sse-reference';

const channel = new Channel<{ price: { eur: number }; note: string }>();

const server = createServer((req, res) => {
  const path = req.url?.split('?')[0];
  // GET streams, with a heartbeat every 15 s of silence; HEAD gets the headers, others 405.
  if (path === '/feed') return void channel.attach(req, res);
  if (path !== '/publish' || req.method !== 'POST') return void res.writeHead(404).end();
  let body = '';
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > 300_000) req.destroy(); // more than the largest event (256 KiB): stop reading
  });
  req.on('end', () => {
    try {
      const published = channel.publish(JSON.parse(body));
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify(published));
    } catch (error) {
      // A refused event says how (400, 413…); anything else here is a body that is not an event.
      const refused = error instanceof SseError ? error : { statusCode: 400, code: 'bad_body', message: String(error) };
      res.writeHead(refused.statusCode, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: refused.code, message: refused.message } }));
    }
  });
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1');

process.on('SIGTERM', () => {
  channel.close({ retryMs: 5000 }); // every stream ends with a jittered retry: hint
  server.close();
});
// #endregion node

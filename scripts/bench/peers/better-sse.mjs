// better-sse on node:http, as its README shows: a session per request, one channel, broadcast.
// A peer of `npm run bench -- --peers`; prints `listening <port>` and serves until SIGTERM.
import { createServer } from 'node:http';
import { createChannel, createSession } from 'better-sse';

const channel = createChannel();

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part) => (body += part));
    req.on('end', () => {
      try {
        resolve(JSON.parse(body));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const server = createServer(async (req, res) => {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method === 'GET' && path === '/events') {
    const session = await createSession(req, res);
    channel.register(session);
    return;
  }
  if (req.method === 'POST' && (path === '/publish' || path === '/bench/burst')) {
    const input = await readJson(req).catch(() => undefined);
    if (input === undefined) return res.writeHead(400).end();
    const count = path === '/bench/burst' ? Number(input.count) : 1;
    for (let i = 0; i < count; i++) channel.broadcast(input.data, input.event ?? 'message');
    return res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
  }
  res.writeHead(404).end();
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

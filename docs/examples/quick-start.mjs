// #region quick-start
import { createServer } from 'node:http';
import { Channel } from 'sse-reference';

const channel = new Channel();

createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  // GET streams and resumes from Last-Event-ID, HEAD gets the headers, any other method 405;
  // after 15 s of silence a comment line keeps proxies from closing the stream.
  if (pathname === '/feed') return void channel.attach(req, res, { heartbeat: 15_000 });
  res.writeHead(404).end();
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1');

// Your app publishes; every open stream gets the event, and a client that was away gets it on resume.
setInterval(() => channel.publish({ event: 'tick', data: { at: Date.now() } }), 20_000);
// #endregion quick-start

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/**
 * Serves `handler`, a fetch-style handler (a Web `Request` in, a `Response` out), on 127.0.0.1 and
 * a free port, as an adapter such as `@hono/node-server` does: the request's signal aborts when
 * the client goes away, and the response body is piped to the socket. For tests.
 */
export async function serveFetch(handler: (request: Request) => Response): Promise<{ readonly server: Server; readonly base: string }> {
  const server = createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const response = handler(new Request(`http://127.0.0.1${req.url ?? '/'}`, { headers, signal: abort.signal }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body === null) {
      res.end();
      return;
    }
    const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
    // A body that errors (a stream cut for being slow) drops the connection, as a runtime does.
    body.on('error', () => res.destroy());
    res.on('close', () => body.destroy());
    body.pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

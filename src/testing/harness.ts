import { connect } from 'node:net';
import { createSseServer, type SseServer } from '../app.js';
import { MemoryBroker } from '../history/memory-broker.js';
import type { Channel } from '../hub/channel.js';
import type { SseServerOptions } from '../options/table.js';
import { openStream } from './sse-client.js';

/** A reference server listening on a free loopback port, for tests. */
export interface Started {
  readonly app: SseServer;
  readonly port: number;
  readonly base: string;
}

/**
 * Starts the reference server on 127.0.0.1 and a free port. Defaults suit tests: no ticker, no
 * heartbeat, a short shutdown grace, and publishing from this machine (`publishLocal`) unless a
 * `publishToken` is given. Close it with `app.close()` in `after()`.
 */
export async function startServer(options: SseServerOptions = {}): Promise<Started> {
  const publishing = options.publishToken === undefined ? { publishLocal: true } : {};
  const app = createSseServer({ port: 0, host: '127.0.0.1', tickMs: 0, heartbeatMs: 0, shutdownGraceMs: 500, ...publishing, ...options });
  const { port } = await app.listen();
  return { app, port, base: `http://127.0.0.1:${port}` };
}

/**
 * The in-process channel behind `/feed`'s default broker, to publish and look inside in tests.
 *
 * @throws TypeError when the server keeps `/feed` in Redis
 */
export function feedChannel(app: SseServer): Channel {
  if (!(app.broker instanceof MemoryBroker)) throw new TypeError('feedChannel needs the in-memory broker: the server was started with redisUrl.');
  return app.broker.channel;
}

/**
 * Sends raw bytes on a fresh socket and collects the answer until the server closes, `until`
 * holds, or `timeoutMs` passes (then it resolves with what came). For requests `node:http`
 * would refuse to send (NULL in a header, bad framing).
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  options: { readonly until?: (text: string) => boolean; readonly timeoutMs?: number; readonly localAddress?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 2000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (options.until?.(Buffer.concat(chunks).toString('latin1')) === true) finish();
    });
    socket.on('close', finish);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Resolves when `predicate` holds (it may be async: a probe over the network, a page's state),
 * checking every `intervalMs`; rejects after `timeoutMs`. The one polling wait of the tests and of
 * `scripts/`.
 */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition', intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** POSTs a JSON body (or raw text) to `/publish`. */
export async function publish(base: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}/publish`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * A client that drops before its first event (the gap the stream's opening cursor closes): opens
 * `url`, waits for the cursor a browser would hold, drops, publishes `count` events while away,
 * comes back with that cursor as `Last-Event-ID`, then publishes `after` and waits for it.
 *
 * @param publish - publishes one event with this data (through a route, a channel, a broker)
 * @returns the cursor, and the data of every event the second stream got: exactly the `count`
 *   events then `after`, when nothing was lost or repeated
 */
export async function dropBeforeFirstEvent(url: string, publish: (data: string) => unknown, count = 5): Promise<{ cursor: string; received: string[] }> {
  const first = await openStream(url);
  await first.waitFor((s) => s.lastEventId() !== '');
  const cursor = first.lastEventId();
  first.close();
  await first.ended;
  for (let i = 1; i <= count; i++) await publish(`while away ${i}`);
  const again = await openStream(url, { 'last-event-id': cursor });
  try {
    await again.waitFor((s) => s.events.length >= count);
    await publish('after');
    await again.waitFor((s) => s.events.some((e) => e.data === 'after'));
    return { cursor, received: again.events.map((e) => e.data) };
  } finally {
    again.close();
  }
}

/** What {@link dropBeforeFirstEvent} gets when nothing is lost or repeated. */
export function exactAfterEarlyDrop(count = 5): string[] {
  return [...Array.from({ length: count }, (_, i) => `while away ${i + 1}`), 'after'];
}

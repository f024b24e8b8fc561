import { createServer as createHttpServer } from 'node:http';
import { createSecureServer, createServer as createH2cServer, type Http2Session } from 'node:http2';
import type { Server, Socket } from 'node:net';
import type { TlsFiles } from '../options/table.js';
import type { SseRequest, SseResponse } from './types.js';


/** Which protocol a {@link Transport} speaks. */
export type TransportKind = 'http' | 'https' | 'h2c';

/** A listening socket server for any of the three kinds, with one way to close each. */
export interface Transport {
  readonly server: Server;
  readonly kind: TransportKind;
  /**
   * Starts a graceful close: stop accepting, send HTTP/2 sessions a GOAWAY, close idle HTTP/1.1
   * connections. `callback` runs once every connection is gone.
   */
  close(callback: () => void): void;
  /** Destroys every connection now (the end of the grace period). */
  destroyAll(): void;
}

/**
 * Creates the socket server: plain HTTP/1.1 by default; with `tls`, HTTPS offering HTTP/2 and
 * falling back to HTTP/1.1 (ALPN); with `h2c`, cleartext HTTP/2 for use behind a proxy.
 *
 * Browsers open about six HTTP/1.1 connections per origin, so a seventh stream stalls; over HTTP/2
 * every stream shares one connection.
 */
export function createTransport(
  options: { readonly tls?: TlsFiles | undefined; readonly h2c?: boolean | undefined; readonly headersTimeoutMs?: number | undefined },
  handler: (req: SseRequest, res: SseResponse) => void,
): Transport {
  const kind: TransportKind = options.tls !== undefined ? 'https' : options.h2c === true ? 'h2c' : 'http';
  // No `keepAlive` (TCP keep-alive) on plain HTTP: Node then asks for TCP_KEEPIDLE 0, which Linux
  // refuses (EINVAL), so it cost every new connection two system calls for the system's 2-hour
  // probe, which never fires on a stream anyway: heartbeats keep data in flight, and a dead peer
  // fails the next write. An idle keep-alive connection is closed by `keepAliveTimeout` (5 s).
  // #region transport
  const server: Server =
    kind === 'https'
      ? createSecureServer({ ...(options.tls as TlsFiles), allowHTTP1: true }, handler)
      : kind === 'h2c'
        ? createH2cServer(handler)
        : createHttpServer(handler);
  // #endregion transport
  // @types/node declares these timers on http.Server only; the HTTPS server has them for HTTP/1.1.
  if (options.headersTimeoutMs !== undefined && kind !== 'h2c') limitHeaderTime(server as unknown as HeaderTimed, options.headersTimeoutMs);
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  // node:http tracks its own connections (closeAllConnections below); a listener per socket here
  // would cost every idle stream about 0.2 KB of heap.
  if (kind !== 'http') {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  return {
    server,
    kind,
    close(callback) {
      server.close(() => callback());
      for (const session of sessions) session.close();
      if ('closeIdleConnections' in server) (server as ReturnType<typeof createHttpServer>).closeIdleConnections();
    },
    destroyAll() {
      if (kind === 'http') (server as ReturnType<typeof createHttpServer>).closeAllConnections();
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** The HTTP/1.1 request timers of `http.Server`, which an HTTPS server with `allowHTTP1` also runs. */
interface HeaderTimed {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
}

/**
 * Answers `408` and closes an HTTP/1.1 connection whose request headers take longer than `ms`
 * (slowloris). Set as properties, not constructor options: `http2.createSecureServer` ignores
 * them as options but honours them on HTTP/1.1 connections (measured on Node 20). They are read
 * when the server starts listening, and Node checks them only every `connectionsCheckingInterval`
 * (30 s by default), so the interval is tightened to a quarter of the limit.
 */
function limitHeaderTime(server: HeaderTimed, ms: number): void {
  server.headersTimeout = ms;
  // Node refuses a headersTimeout above a non-zero requestTimeout (300 s by default).
  if (server.requestTimeout !== 0 && server.requestTimeout < ms) server.requestTimeout = ms;
  server.connectionsCheckingInterval = Math.min(server.connectionsCheckingInterval, Math.max(100, Math.ceil(ms / 4)));
}

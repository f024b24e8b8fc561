import { createServer as createHttpServer } from 'node:http';
import { createSecureServer, createServer as createH2cServer, type Http2Session, type Http2Stream } from 'node:http2';
import type { Server, Socket } from 'node:net';
import type { TlsFiles } from '../options/table.js';
import type { SseRequest, SseResponse } from './types.js';

/** Options of {@link createTransport}. */
export interface TransportOptions {
  readonly tls?: TlsFiles | undefined;
  readonly h2c?: boolean | undefined;
  /** How long a connection may go without sending a request's headers (see `OPTIONS.headersTimeoutMs`). */
  readonly headersTimeoutMs: number;
  /** How long an HTTP/1.1 request may take, body included; never below `headersTimeoutMs`. */
  readonly requestTimeoutMs: number;
}

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
export function createTransport(options: TransportOptions, handler: (req: SseRequest, res: SseResponse) => void): Transport {
  const kind: TransportKind = options.tls !== undefined ? 'https' : options.h2c === true ? 'h2c' : 'http';
  const { headersTimeoutMs } = options;
  // No `keepAlive` (TCP keep-alive) on plain HTTP: Node then asks for TCP_KEEPIDLE 0, which Linux
  // refuses (EINVAL), so it cost every new connection two system calls for the system's 2-hour
  // probe, which never fires on a stream anyway: heartbeats keep data in flight, and a dead peer
  // fails the next write. An idle keep-alive connection is closed by `keepAliveTimeout` (5 s).
  // #region transport
  const server: Server =
    kind === 'https'
      ? createSecureServer({ ...(options.tls as TlsFiles), allowHTTP1: true, handshakeTimeout: headersTimeoutMs }, handler)
      : kind === 'h2c'
        ? createH2cServer(handler)
        : createHttpServer(handler);
  // #endregion transport
  // @types/node declares these timers on http.Server only; the HTTPS server has them for HTTP/1.1.
  if (kind !== 'h2c') limitRequestTime(server as unknown as HeaderTimed, headersTimeoutMs, options.requestTimeoutMs);
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
    closeWhenIdle(session, headersTimeoutMs);
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
 * Answers `408` and closes an HTTP/1.1 connection whose request headers take longer than
 * `headersMs` (slowloris), or whose whole request, body included, takes longer than `requestMs`
 * (a body trickled a byte at a time). Set as properties, not constructor options:
 * `http2.createSecureServer` ignores them as options but honours them on HTTP/1.1 connections
 * (measured on Node 20). They are read when the server starts listening, and Node checks them
 * only every `connectionsCheckingInterval` (30 s by default), so the interval is tightened to a
 * quarter of the headers limit.
 */
function limitRequestTime(server: HeaderTimed, headersMs: number, requestMs: number): void {
  server.headersTimeout = headersMs;
  // Node refuses a headersTimeout above the requestTimeout.
  server.requestTimeout = Math.max(headersMs, requestMs);
  server.connectionsCheckingInterval = Math.min(server.connectionsCheckingInterval, Math.max(100, Math.ceil(headersMs / 4)));
}

/**
 * Closes an HTTP/2 session that has had no open stream for `ms`: a connection that never sends a
 * request (no preface, or only SETTINGS), and one left idle between requests, as
 * `keepAliveTimeout` does for HTTP/1.1. Node has no such timer for HTTP/2. Streams count, not
 * bytes: PINGs do not keep an idle session open, and a live stream with heartbeats off is never
 * cut. One timer per session, re-armed when its last stream closes.
 */
function closeWhenIdle(session: Http2Session, ms: number): void {
  let open = 0;
  // A timer that fired while streams were open did nothing, and refresh() arms it again.
  const timer = setTimeout(() => {
    if (open === 0) session.close();
  }, ms).unref();
  session.on('stream', (stream: Http2Stream) => {
    open++;
    stream.once('close', () => {
      if (--open === 0) timer.refresh();
    });
  });
  session.once('close', () => clearTimeout(timer));
}

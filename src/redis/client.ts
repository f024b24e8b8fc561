import { connect, type Socket } from 'node:net';
import { RedisReplyError, RedisUnavailableError } from '../protocol/errors.js';
import { encodeCommand, RespParser, type RespValue } from './resp.js';

export { RedisUnavailableError };

/** Where a {@link RedisClient} stands. Commands are accepted only when `ready`. */
export type RedisState = 'connecting' | 'ready' | 'down' | 'closed';

/** Where to connect, parsed from a `redis://[:password@]host[:port][/db]` URL. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  /** For Redis 6 ACLs; without it, `AUTH <password>` uses the default user. */
  readonly username: string | undefined;
  readonly password: string | undefined;
}

/** Options of {@link RedisClient}. */
export interface RedisClientOptions {
  /** `redis://host:port/db`. */
  readonly url: string;
  /**
   * Runs on every new connection before any queued work, e.g. to read state that a Redis
   * restart may have changed. A rejection drops the connection and it is tried again.
   */
  readonly onConnect?: (send: (args: readonly (string | Buffer)[]) => Promise<RespValue>) => Promise<void>;
  /** Told about every change of {@link RedisClient.state}, with the cause of a `down`. */
  readonly onState?: (state: RedisState, cause?: Error) => void;
  /** First delay before reconnecting; doubles up to `reconnectMaxMs`. @defaultValue 50 */
  readonly reconnectMinMs?: number;
  /** @defaultValue 1000 */
  readonly reconnectMaxMs?: number;
  /** A connection attempt that takes longer is abandoned. @defaultValue 2000 */
  readonly connectTimeoutMs?: number;
  /**
   * A reply that takes longer means the connection is dead (a peer that vanished sends no RST):
   * it is dropped and made again. Blocking commands pass their own. @defaultValue 5000
   */
  readonly commandTimeoutMs?: number;
}

/**
 * Parses a Redis URL strictly.
 *
 * @throws TypeError with a sentence saying what is wrong
 */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`The Redis URL ${JSON.stringify(url)} is not a URL; use redis://127.0.0.1:6379/0.`);
  }
  if (parsed.protocol !== 'redis:') throw new TypeError(`The Redis URL must start with redis://, got ${JSON.stringify(url)}.`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new TypeError(`The Redis URL ${JSON.stringify(url)} names no host.`);
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^(0|[1-9][0-9]?)$/.test(dbText)) throw new TypeError(`The Redis database must be a number from 0 to 99, got ${JSON.stringify(dbText)}.`);
  return {
    host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: dbText === '' ? 0 : Number(dbText),
    username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
  };
}

interface Waiting {
  resolve(value: RespValue): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A small RESP2 client on `node:net`: one connection, commands pipelined in order, and
 * reconnection with backoff. While the connection is down, commands fail at once with
 * {@link RedisUnavailableError} instead of queueing: the caller decides what a failure means (the
 * server answers `503` to a publish; it never acknowledges what Redis did not store).
 */
export class RedisClient {
  readonly address: RedisAddress;
  readonly #options: RedisClientOptions;
  #socket: Socket | undefined;
  #state: RedisState = 'connecting';
  readonly #waiting: Waiting[] = [];
  #readyWaiters: { resolve(): void; reject(error: Error): void }[] = [];
  #retryMs: number;
  #retryTimer: NodeJS.Timeout | undefined;

  /** Connects at once; see {@link RedisClient.ready}. @throws TypeError on a bad URL */
  constructor(options: RedisClientOptions) {
    this.address = parseRedisUrl(options.url);
    this.#options = options;
    this.#retryMs = options.reconnectMinMs ?? 50;
    this.#connect();
  }

  /** The connection's state now. */
  get state(): RedisState {
    return this.#state;
  }

  /** Resolves when the client is (next) ready; rejects if it is closed first. */
  ready(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new RedisUnavailableError('The Redis client is closed.'));
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /**
   * Sends one command and resolves with its reply.
   *
   * @throws {@link RedisUnavailableError} (as a rejection) when not connected or the connection drops
   * @throws {@link RedisReplyError} (as a rejection) when Redis answers with an error
   * @param timeoutMs - how long the reply may take (e.g. longer for `XREAD BLOCK`)
   */
  command(args: readonly (string | Buffer)[], timeoutMs?: number): Promise<RespValue> {
    if (this.#state !== 'ready') return Promise.reject(new RedisUnavailableError(this.#state === 'closed' ? 'The Redis client is closed.' : `Redis at ${this.#where()} is unreachable.`));
    return this.#send(args, timeoutMs);
  }

  /** Closes the connection for good; pending commands fail. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#retryTimer);
    this.#socket?.destroy();
    this.#failAll(new RedisUnavailableError('The Redis client was closed.'));
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(new RedisUnavailableError('The Redis client was closed.'));
  }

  #where(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  #send(args: readonly (string | Buffer)[], timeoutMs = this.#options.commandTimeoutMs ?? 5000): Promise<RespValue> {
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return Promise.reject(new RedisUnavailableError(`Redis at ${this.#where()} is unreachable.`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.#waiting.push({ resolve, reject, timer });
      socket.write(encodeCommand(args));
    });
  }

  #connect(): void {
    const socket = connect({ host: this.address.host, port: this.address.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.connectTimeoutMs ?? 2000, () => socket.destroy(new Error('connection timed out')));
    let cause: Error | undefined;
    const parser = new RespParser((reply) => {
      const waiter = this.#waiting.shift();
      if (waiter === undefined) {
        socket.destroy(new Error('Redis sent a reply nobody asked for.'));
        return;
      }
      clearTimeout(waiter.timer);
      if (reply instanceof RedisReplyError) waiter.reject(reply);
      else waiter.resolve(reply);
    });
    socket.on('data', (chunk) => {
      try {
        parser.feed(chunk);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on('error', (error) => {
      cause = error;
    });
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#failAll(new RedisUnavailableError(`The connection to Redis (${this.#where()}) was lost${cause === undefined ? '' : `: ${cause.message}`}.`));
      if (this.#state === 'closed') return;
      this.#setState('down', cause ?? new Error('connection closed'));
      this.#retryTimer = setTimeout(() => this.#connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, this.#options.reconnectMaxMs ?? 1000);
    });
    socket.on('connect', () => {
      // Blocking reads wait longer than any connect timeout: the timer guards the connect only.
      socket.setTimeout(0);
      this.#handshake().then(
        () => {
          if (this.#socket !== socket || this.#state === 'closed') return;
          this.#retryMs = this.#options.reconnectMinMs ?? 50;
          this.#setState('ready');
          for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
        },
        (error: Error) => socket.destroy(error),
      );
    });
  }

  async #handshake(): Promise<void> {
    const send = (args: readonly (string | Buffer)[]): Promise<RespValue> => this.#send(args);
    const { username, password } = this.address;
    if (password !== undefined) await send(username === undefined ? ['AUTH', password] : ['AUTH', username, password]);
    if (this.address.db !== 0) await send(['SELECT', String(this.address.db)]);
    await this.#options.onConnect?.(send);
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  #setState(state: RedisState, cause?: Error): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onState?.(state, cause);
  }
}

/** One row of {@link SSE_ERRORS}: one way a code comes about, as `docs/reference/errors.md` shows it. */
export interface SseErrorCase {
  /** The functions that throw it (Markdown); `same` repeats the row above. */
  readonly thrownBy: string;
  readonly when: string;
  readonly fix: string;
}

/** What {@link SSE_ERRORS} says about one code. */
export interface SseErrorSpec {
  /** The class whose instances carry it; every class is an {@link SseError}. */
  readonly class: 'SseError' | 'BrokerUnavailableError' | 'FileLogError' | 'RedisEpochError' | 'RedisUnavailableError' | 'RedisReplyError' | 'RespProtocolError';
  /** Its `statusCode`: the HTTP answer to a request that caused it, as frameworks read it. */
  readonly status: 400 | 409 | 413 | 500 | 503;
  readonly cases: readonly SseErrorCase[];
}

// #region sse-errors
/**
 * Every code the library throws, with its class, its `statusCode` and when it happens.
 * `docs/reference/errors.md` is rendered from it (`npm run docs`), so a new code cannot go
 * undocumented: {@link SseErrorCode} is this table's keys, and nothing else compiles.
 */
export const SSE_ERRORS = {
  SSE_ERR_DATA_NOT_STRING: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: '`encodeEvent`, `formatEvent`, `SseStream.send`', when: '`data` is not a string', fix: 'serialise first, e.g. `JSON.stringify(value)`, or publish through `Channel.publish`, which does' }],
  },
  SSE_ERR_DATA_NOT_SERIALIZABLE: {
    class: 'SseError',
    status: 400,
    cases: [
      {
        thrownBy: '`Channel.publish`, `serializeData`, `sendFrom`',
        when: '`data` is not a string and JSON cannot write it (`undefined`, a function, a symbol, a BigInt, a cycle)',
        fix: 'publish a string or a JSON value',
      },
    ],
  },
  SSE_ERR_DATA_NOT_WELL_FORMED: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: 'same', when: '`data` holds a lone UTF-16 surrogate, which UTF-8 cannot carry', fix: 'fix the source of the string, or call `toWellFormed()` if U+FFFD is acceptable' }],
  },
  SSE_ERR_EVENT_EMPTY: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: 'same', when: '`event` is the empty string (or not a string)', fix: 'omit `event` to send a `message` event' }],
  },
  SSE_ERR_EVENT_HAS_NEWLINE: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: 'same', when: '`event` contains CR or LF: the rest would be read as new fields (injection)', fix: 'use names from a fixed set; never from user input' }],
  },
  SSE_ERR_EVENT_NOT_WELL_FORMED: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: 'same', when: '`event` holds a lone UTF-16 surrogate: it would arrive as U+FFFD, so no listener for the published name would fire', fix: 'same' }],
  },
  SSE_ERR_EVENT_RESERVED: {
    class: 'SseError',
    status: 400,
    cases: [
      {
        thrownBy: '`Channel.publish`, `RedisBroker.publish`',
        when: '`event` is `reset` (the channel\'s own: a client refetches its state on it), `error` or `open` (fired by `EventSource` itself, so a listener could not tell the two apart); a typed channel does not compile it either',
        fix: 'name the event for what it means (`app-reset`, `job-error`)',
      },
    ],
  },
  SSE_ERR_ID_HAS_NEWLINE: {
    class: 'SseError',
    status: 400,
    cases: [
      {
        thrownBy: '`encodeEvent`, `formatEvent`, `encodeCursor`, `SseStream.send`',
        when: '`id` contains CR or LF (or is not a string)',
        fix: 'use ids you generate, e.g. `formatEventId`',
      },
    ],
  },
  SSE_ERR_ID_HAS_NULL: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: 'same', when: '`id` contains U+0000: browsers ignore such an id, so the client\'s cursor would never move', fix: 'same' }],
  },
  SSE_ERR_ID_MISSING: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: '`Channel.publish`', when: 'the channel takes supplied ids (`ids: numericIds`, …) and the event has none', fix: 'pass the event\'s own id (its row, its offset)' }],
  },
  SSE_ERR_ID_UNEXPECTED: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: '`Channel.publish`', when: 'the event carries an `id` but the channel assigns ids', fix: 'drop the id, or create the channel with an `IdPolicy` (`ids`)' }],
  },
  SSE_ERR_ID_INVALID: {
    class: 'SseError',
    status: 400,
    cases: [
      {
        thrownBy: '`Channel.publish`',
        when: 'the supplied id is not one the channel\'s `IdPolicy` accepts (e.g. `007` for `numericIds`: one position, one spelling)',
        fix: 'publish ids in the policy\'s form',
      },
    ],
  },
  // A publisher that retries an id it already published conflicts with what is stored.
  SSE_ERR_ID_NOT_INCREASING: {
    class: 'SseError',
    status: 409,
    cases: [
      {
        thrownBy: '`Channel.publish`',
        when: 'the supplied id does not come after the last one in the policy\'s order, so resume could not tell what a client missed',
        fix: 'publish in id order; one channel per ordered sequence',
      },
    ],
  },
  SSE_ERR_RETRY_INVALID: {
    class: 'SseError',
    status: 400,
    cases: [
      {
        thrownBy: '`encodeEvent`, `formatEvent`, `encodeRetry`',
        when: '`retry` is not a non-negative safe integer (browsers ignore anything but ASCII digits)',
        fix: 'round to whole milliseconds',
      },
    ],
  },
  SSE_ERR_COMMENT_HAS_NEWLINE: {
    class: 'SseError',
    status: 400,
    cases: [{ thrownBy: '`encodeComment`', when: 'the comment contains CR or LF, which would end the comment line early', fix: 'one line per comment' }],
  },
  SSE_ERR_EVENT_TOO_LARGE: {
    class: 'SseError',
    status: 413,
    cases: [
      {
        thrownBy: '`Channel.publish`',
        when: 'the encoded event is over the channel\'s `maxEventBytes` (default 256 KiB)',
        fix: 'send a reference (a URL, an id) and let the client fetch the body',
      },
    ],
  },
  // Shutting down: the same publish may succeed on another instance, or after the restart.
  SSE_ERR_CLOSED: {
    class: 'SseError',
    status: 503,
    cases: [{ thrownBy: '`Channel.publish`', when: 'the channel was closed (the server is shutting down)', fix: 'stop publishing once `close()` was called' }],
  },
  SSE_ERR_BROKER_UNAVAILABLE: {
    class: 'BrokerUnavailableError',
    status: 503,
    cases: [
      {
        thrownBy: '`Broker.publish` (`MemoryBroker`, `RedisBroker`), `RedisBroker.start`',
        when: '`reason: \'down\'`: the event could not be stored (Redis unreachable, the history file\'s disk full), so nothing was acknowledged; `POST /publish` answers `503 broker_unavailable`. `reason: \'timeout\'`: Redis did not answer within `publishTimeoutMs`; the event may still be stored; `503 broker_timeout`',
        fix: 'retry later (after a timeout, check first: a retry may publish it twice); `/health` says when the store is back',
      },
    ],
  },
  // The rest are the server's own state or its store's, not the request's: an operator acts.
  SSE_ERR_HISTORY_FILE: {
    class: 'FileLogError',
    status: 500,
    cases: [
      {
        thrownBy: '`FileLog.append`, after a write failed part-way and the partial record could not be cut off',
        when: 'nothing more is written to the file',
        fix: 'restart: the torn record is cut on open',
      },
      {
        thrownBy: '`FileLog.open`, so `createSseServer` with `historyFile`',
        when: 'the file is not a history file this version can read; it is left untouched',
        fix: 'point `--history-file` at another path, or move the file away',
      },
      {
        thrownBy: '`FileLog.open`',
        when: 'the file is damaged, not torn: a bad record with a whole one after it, a whole record out of sequence, or an unreadable only record. The message names the byte offset; the file is left untouched, since cutting it would drop acknowledged events and hand their ids out again',
        fix: 'move it aside to start a new epoch (every client is told to reset), or restore it from a backup',
      },
    ],
  },
  SSE_ERR_REDIS_EPOCH: {
    class: 'RedisEpochError',
    status: 500,
    cases: [
      {
        thrownBy: '`RedisBroker.start`, so `createSseServer` with `redisUrl`',
        when: 'Redis answers, but `<key>:epoch` holds something that is not an epoch (12 lowercase hex digits); reported at once, not as "not reachable"',
        fix: 'delete the key, or use another `--redis-key`',
      },
    ],
  },
  // Come back later: the connection is retried.
  SSE_ERR_REDIS_UNAVAILABLE: {
    class: 'RedisUnavailableError',
    status: 503,
    cases: [
      {
        thrownBy: '`RedisClient.command` (`sse-reference/redis`)',
        when: 'the connection to Redis is down, or was lost while the command waited: whether a command in flight took effect is unknown. `RedisBroker` turns it into `BrokerUnavailableError`',
        fix: 'retry once the client is `ready` again',
      },
    ],
  },
  SSE_ERR_REDIS_REPLY: {
    class: 'RedisReplyError',
    status: 500,
    cases: [
      {
        thrownBy: '`RedisClient.command`, and returned (not thrown) by `RespParser`',
        when: 'Redis answered the command with an error reply; `replyCode` holds its first word (`ERR`, `WRONGTYPE`, `NOPERM`, …)',
        fix: 'read the message: usually a key of another type, or an ACL that forbids the command',
      },
    ],
  },
  SSE_ERR_RESP_PROTOCOL: {
    class: 'RespProtocolError',
    status: 500,
    cases: [{ thrownBy: '`RespParser.feed`', when: 'the bytes from the server are not RESP2; `RedisClient` drops the connection and connects again', fix: 'check that the URL points at a Redis server' }],
  },
} as const satisfies Readonly<Record<`SSE_ERR_${string}`, SseErrorSpec>>;
// #endregion sse-errors

/** Every code the library throws: the keys of {@link SSE_ERRORS}, each listed in `docs/reference/errors.md`. */
export type SseErrorCode = keyof typeof SSE_ERRORS;

/**
 * Every error the library throws for a reason of its own (not a bad option: those are
 * `TypeError`/`RangeError`). Thrown as itself when an event cannot be written without breaking the
 * wire format (or the channel cannot take it): nothing has been written then, the check happens
 * before any byte is encoded. The other classes here extend it, each with its own code.
 *
 * Its `statusCode` is the HTTP answer to a publish request that caused it, which Express, Fastify
 * and Koa read from any error: `400` for bad input, `409`, `413` or `503` where those say more,
 * `500` for the server's own state.
 */
export class SseError extends Error {
  /** A stable, documented code (see `docs/reference/errors.md`). */
  readonly code: SseErrorCode;
  /** The HTTP status for a request that caused it: the code's status in {@link SSE_ERRORS}. */
  readonly statusCode: number;

  /**
   * @param code - the stable code
   * @param message - a sentence that says what was wrong and how to fix it
   * @param options - `cause`: the error underneath
   */
  constructor(code: SseErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'SseError';
    this.code = code;
    this.statusCode = SSE_ERRORS[code].status;
  }
}

/**
 * Whether `error` is an event refused as itself (class `SseError` in {@link SSE_ERRORS}): the
 * publisher's to hear, with nothing stored. The subclasses are the store's or the server's own
 * trouble, which a publish path handles as such (or not at all).
 */
export function isEventRefusal(error: unknown): error is SseError {
  return error instanceof SseError && SSE_ERRORS[error.code].class === 'SseError';
}

/** The broker could not store an event: nothing was acknowledged. `POST /publish` answers 503. */
export class BrokerUnavailableError extends SseError {
  declare readonly code: 'SSE_ERR_BROKER_UNAVAILABLE';
  /**
   * `down`: the store refused or is unreachable, nothing was stored. `timeout`: it did not answer
   * in time, and the event may still be stored (and then delivered): a publisher that retries may
   * publish it twice.
   */
  readonly reason: 'down' | 'timeout';

  constructor(message: string, options?: { cause?: unknown; reason?: 'down' | 'timeout' }) {
    super('SSE_ERR_BROKER_UNAVAILABLE', message, options);
    this.name = 'BrokerUnavailableError';
    this.reason = options?.reason ?? 'down';
  }
}

/** The file does not hold a history this version can read: it is left untouched. */
export class FileLogError extends SseError {
  declare readonly code: 'SSE_ERR_HISTORY_FILE';

  constructor(message: string) {
    super('SSE_ERR_HISTORY_FILE', message);
    this.name = 'FileLogError';
  }
}

/** Redis was reached, but the key beside the stream does not hold an epoch this server wrote. */
export class RedisEpochError extends SseError {
  declare readonly code: 'SSE_ERR_REDIS_EPOCH';

  constructor(message: string) {
    super('SSE_ERR_REDIS_EPOCH', message);
    this.name = 'RedisEpochError';
  }
}

/**
 * A command could not be sent or answered because the connection to Redis is down (or was lost
 * while the command waited). Whether a command that was in flight took effect is unknown.
 */
export class RedisUnavailableError extends SseError {
  declare readonly code: 'SSE_ERR_REDIS_UNAVAILABLE';

  constructor(message: string) {
    super('SSE_ERR_REDIS_UNAVAILABLE', message);
    this.name = 'RedisUnavailableError';
  }
}

/** An error reply (`-ERR …`) from the server. */
export class RedisReplyError extends SseError {
  declare readonly code: 'SSE_ERR_REDIS_REPLY';
  /** The first word of the reply, e.g. `ERR`, `WRONGTYPE`, `NOSCRIPT`. */
  readonly replyCode: string;

  /** @param line - the reply line without the leading `-` */
  constructor(line: string) {
    super('SSE_ERR_REDIS_REPLY', line);
    this.name = 'RedisReplyError';
    this.replyCode = line.split(' ', 1)[0] ?? 'ERR';
  }
}

/** Thrown by `RespParser.feed` when the bytes are not RESP2: the connection must be dropped. */
export class RespProtocolError extends SseError {
  declare readonly code: 'SSE_ERR_RESP_PROTOCOL';

  constructor(message: string) {
    super('SSE_ERR_RESP_PROTOCOL', message);
    this.name = 'RespProtocolError';
  }
}

import { RedisReplyError, RespProtocolError } from '../protocol/errors.js';

export { RedisReplyError, RespProtocolError };

/**
 * A value as RESP2 carries it: simple and bulk strings (bulk strings stay bytes), integers,
 * arrays, null, and error replies (returned as {@link RedisReplyError}, not thrown: the parser
 * does not know which command they answer).
 */
export type RespValue = string | Buffer | number | null | RespValue[] | RedisReplyError;

const CRLF = Buffer.from('\r\n');

/**
 * Encodes one command as a RESP2 array of bulk strings: the only form a client sends.
 *
 * @param args - the command name and its arguments
 */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

// The server's own limits: a bulk string is at most 512 MB, and a length is plain decimal.
const LENGTH = /^(-1|0|[1-9][0-9]{0,9})$/;
const INTEGER = /^-?(0|[1-9][0-9]{0,18})$/;

/** A frame being read: an array waiting for `remaining` more elements. */
interface OpenArray {
  readonly items: RespValue[];
  remaining: number;
}

/**
 * An incremental RESP2 reply parser: feed it bytes as they arrive, in chunks of any size, and it
 * calls `onReply` once per complete top-level reply, in order.
 *
 * A bulk string of known length that is still incomplete waits as a list of chunks, joined once
 * enough bytes are there: joining on every chunk would copy a large reply once per chunk.
 * Elements of an array are taken out as soon as they are complete, so what waits is at most one
 * element.
 */
export class RespParser {
  readonly #onReply: (value: RespValue) => void;
  #buffer: Buffer = Buffer.alloc(0);
  #offset = 0;
  readonly #waiting: Buffer[] = [];
  #waitingBytes = 0;
  /** Bytes needed (from #offset) before parsing can go on; 0 when unknown. */
  #needed = 0;
  readonly #stack: OpenArray[] = [];

  /** @param onReply - called with each complete reply */
  constructor(onReply: (value: RespValue) => void) {
    this.#onReply = onReply;
  }

  /**
   * Adds bytes and emits every reply they complete.
   *
   * @throws {@link RespProtocolError} on bytes that are not RESP2
   */
  feed(chunk: Buffer): void {
    this.#waiting.push(chunk);
    this.#waitingBytes += chunk.length;
    if (this.#buffer.length - this.#offset + this.#waitingBytes < this.#needed) return;
    const rest = this.#buffer.subarray(this.#offset);
    this.#buffer = rest.length === 0 && this.#waiting.length === 1 ? chunk : Buffer.concat([rest, ...this.#waiting]);
    this.#waiting.length = 0;
    this.#waitingBytes = 0;
    this.#offset = 0;
    this.#needed = 0;
    for (;;) {
      const value = this.#readValue();
      if (value === NEED_MORE) break;
      this.#emit(value);
    }
  }

  #emit(value: RespValue): void {
    let current: RespValue = value;
    for (;;) {
      const open = this.#stack.at(-1);
      if (open === undefined) {
        this.#onReply(current);
        return;
      }
      open.items.push(current);
      open.remaining--;
      if (open.remaining > 0) return;
      this.#stack.pop();
      current = open.items;
    }
  }

  /** Reads one scalar or opens an array; returns NEED_MORE when the frame is incomplete. */
  #readValue(): RespValue | typeof NEED_MORE {
    const end = this.#buffer.indexOf(CRLF, this.#offset);
    if (end === -1) return NEED_MORE;
    const type = this.#buffer[this.#offset];
    const line = this.#buffer.toString('latin1', this.#offset + 1, end);
    switch (type) {
      case 0x2b: // +
        this.#offset = end + 2;
        return this.#buffer.toString('utf8', end - line.length, end);
      case 0x2d: // -
        this.#offset = end + 2;
        return new RedisReplyError(this.#buffer.toString('utf8', end - line.length, end));
      case 0x3a: // :
        this.#offset = end + 2;
        return parseInteger(line);
      case 0x24: {
        // $
        const length = parseLength(line);
        if (length === -1) {
          this.#offset = end + 2;
          return null;
        }
        const start = end + 2;
        if (this.#buffer.length < start + length + 2) {
          this.#needed = start + length + 2 - this.#offset;
          return NEED_MORE;
        }
        if (this.#buffer[start + length] !== 0x0d || this.#buffer[start + length + 1] !== 0x0a) {
          throw new RespProtocolError('A bulk string is not followed by CRLF.');
        }
        this.#offset = start + length + 2;
        // A copy, so a reply kept by the caller does not pin the whole socket chunk.
        return Buffer.from(this.#buffer.subarray(start, start + length));
      }
      case 0x2a: {
        // *
        const length = parseLength(line);
        this.#offset = end + 2;
        if (length === -1) return null;
        if (length === 0) return [];
        this.#stack.push({ items: [], remaining: length });
        return this.#readValue();
      }
      default:
        throw new RespProtocolError(`Unknown RESP type byte 0x${(type ?? 0).toString(16)}.`);
    }
  }
}

const NEED_MORE = Symbol('need more');

function parseLength(text: string): number {
  if (!LENGTH.test(text)) throw new RespProtocolError(`Bad RESP length ${JSON.stringify(text)}.`);
  return Number(text);
}

function parseInteger(text: string): number {
  if (!INTEGER.test(text)) throw new RespProtocolError(`Bad RESP integer ${JSON.stringify(text)}.`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RespProtocolError(`RESP integer ${text} is beyond 2^53 - 1.`);
  return value;
}

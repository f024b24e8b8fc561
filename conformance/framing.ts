/** A parsed HTTP/1.x response head. */
export interface ResponseHead {
  readonly httpVersion: string;
  readonly status: number;
  readonly reason: string;
  /** Header lines in arrival order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
}

/** Thrown when a response is not HTTP/1.x as RFC 9112 frames it. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

/**
 * Parses the bytes of a response head (without the blank line that ends it).
 *
 * @throws {@link FramingError} when the status line is malformed
 */
export function parseHead(bytes: Buffer): ResponseHead {
  const lines = bytes.toString('latin1').split('\r\n');
  const match = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (match === null) throw new FramingError(`bad status line ${JSON.stringify(lines[0])}`);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new FramingError(`bad header line ${JSON.stringify(line)}`);
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { httpVersion: match[1] as string, status: Number(match[2]), reason: match[3] ?? '', headers };
}

/** The value of the first header named `name` (case-insensitive), or undefined. */
export function headerValue(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Every value of headers named `name` (case-insensitive), in order. */
export function headerValues(headers: readonly (readonly [string, string])[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/**
 * An incremental decoder for the chunked transfer coding (RFC 9112 §7.1). It records each chunk's
 * size and whether the terminating zero-size chunk came, so a check can tell a clean end from a cut.
 */
export class ChunkedDecoder {
  readonly sizes: number[] = [];
  #pending: Buffer = Buffer.alloc(0);
  #remaining = 0;
  #state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';

  /** Whether the terminating chunk and the trailer section have arrived. */
  get isDone(): boolean {
    return this.#state === 'done';
  }

  /**
   * Feeds raw bytes.
   *
   * @returns the body bytes they carried (possibly empty)
   * @throws {@link FramingError} on a malformed chunk size or a missing CRLF
   */
  push(bytes: Buffer): Buffer {
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.#state === 'done') {
        this.#pending = Buffer.alloc(0);
        break;
      }
      if (this.#state === 'data') {
        if (this.#pending.length === 0) break;
        const take = Math.min(this.#remaining, this.#pending.length);
        out.push(this.#pending.subarray(0, take));
        this.#pending = this.#pending.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-crlf';
        continue;
      }
      if (this.#state === 'data-crlf') {
        if (this.#pending.length < 2) break;
        if (this.#pending[0] !== 0x0d || this.#pending[1] !== 0x0a) throw new FramingError('chunk data not followed by CRLF');
        this.#pending = this.#pending.subarray(2);
        this.#state = 'size';
        continue;
      }
      const eol = this.#pending.indexOf('\r\n');
      if (eol === -1) {
        if (this.#pending.length > 1024) throw new FramingError('chunk size line longer than 1024 bytes');
        break;
      }
      const line = this.#pending.subarray(0, eol).toString('latin1');
      this.#pending = this.#pending.subarray(eol + 2);
      if (this.#state === 'trailer') {
        if (line === '') this.#state = 'done';
        continue;
      }
      const size = /^([0-9a-fA-F]{1,8})(?:[ \t]*;.*)?$/.exec(line);
      if (size === null) throw new FramingError(`bad chunk size line ${JSON.stringify(line)}`);
      this.#remaining = Number.parseInt(size[1] as string, 16);
      this.sizes.push(this.#remaining);
      this.#state = this.#remaining === 0 ? 'trailer' : 'data';
    }
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
}

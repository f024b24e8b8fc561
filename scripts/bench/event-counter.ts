/**
 * Counts occurrences of a byte pattern in a stream of chunks, including matches split across
 * chunk edges. The load generator counts events this way instead of parsing every byte: one
 * `indexOf` per chunk is cheap next to the server it is measuring.
 */
export class PatternCounter {
  /** Matches seen so far. */
  count = 0;
  readonly #pattern: Buffer;
  // The last pattern.length - 1 bytes of the previous chunk: a match may start in them.
  #tail: Buffer = Buffer.alloc(0);

  /** @param pattern - at least one byte; `\ndata:` counts data lines */
  constructor(pattern: string | Buffer) {
    this.#pattern = typeof pattern === 'string' ? Buffer.from(pattern) : pattern;
    if (this.#pattern.length === 0) throw new RangeError('The pattern to count must not be empty.');
  }

  /**
   * Scans one chunk.
   *
   * @returns how many matches end in this chunk
   */
  push(chunk: Buffer): number {
    const pattern = this.#pattern;
    let found = 0;
    if (this.#tail.length > 0) {
      // Only matches that straddle the edge: those wholly in the tail were counted already.
      const edge = Buffer.concat([this.#tail, chunk.subarray(0, pattern.length - 1)]);
      let at = edge.indexOf(pattern);
      // The tail is shorter than the pattern, so a match starting in it ends in this chunk.
      while (at !== -1 && at < this.#tail.length) {
        found++;
        at = edge.indexOf(pattern, at + 1);
      }
    }
    let at = chunk.indexOf(pattern);
    while (at !== -1) {
      found++;
      at = chunk.indexOf(pattern, at + pattern.length);
    }
    const keep = pattern.length - 1;
    this.#tail =
      chunk.length >= keep
        ? Buffer.from(chunk.subarray(chunk.length - keep))
        : Buffer.concat([this.#tail, chunk]).subarray(-keep);
    this.count += found;
    return found;
  }
}

/**
 * Pulls publish timestamps out of `data: t=<ms>` lines, line by line across chunk edges. Used on
 * a sample of the streams only, to measure publish-to-receive latency.
 */
export class StampScanner {
  #partial = '';

  /**
   * Scans one chunk.
   *
   * @returns the timestamps of the complete `data: t=…` lines in it
   */
  push(chunk: Buffer): number[] {
    const text = this.#partial + chunk.toString('latin1');
    const lastBreak = text.lastIndexOf('\n');
    if (lastBreak === -1) {
      this.#partial = text;
      return [];
    }
    this.#partial = text.slice(lastBreak + 1);
    return extractStamps(text.slice(0, lastBreak + 1));
  }
}

// A JSON-serialising server (better-sse, @fastify/sse) sends the same text in quotes.
const STAMP_LINE = /^data: ?"?t=(\d+(?:\.\d+)?)/gm;

/** The `t=` values of every `data: t=<ms>` line in `text`, in order. */
export function extractStamps(text: string): number[] {
  const stamps: number[] = [];
  for (const match of text.matchAll(STAMP_LINE)) stamps.push(Number(match[1]));
  return stamps;
}

/**
 * Finds the end of an HTTP response head.
 *
 * @returns the status code and the offset of the first body byte, or undefined while incomplete
 */
export function parseResponseHead(bytes: Buffer): { readonly status: number; readonly bodyAt: number } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const statusLine = bytes.toString('latin1', 0, bytes.indexOf('\r\n'));
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine);
  return { status: match === null ? 0 : Number(match[1]), bodyAt: end + 4 };
}

import { checkInteger, checkKnownOptions } from '../options/check.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens added per second to each client's bucket: the sustained rate. */
  readonly perSecond: number;
  /** The bucket's size: how many may go at once after a quiet spell. @defaultValue 2 × perSecond */
  readonly burst?: number;
  /** Buckets kept before full ones are dropped (a full bucket is the same as none). @defaultValue 10000 */
  readonly maxClients?: number;
}

/** A {@link RateLimiter.take} answer: go, or wait this long for the next token. */
export type RateDecision = { readonly isAllowed: true } | { readonly isAllowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client: each has `burst` tokens, one request takes one, and tokens come
 * back at `perSecond`. Time is passed in (milliseconds, monotonic), so the arithmetic is pure and
 * tested without a clock. Memory is bounded: past `maxClients` buckets, the full ones (clients
 * that have been quiet long enough to have every token back) are dropped, and if none is full the
 * longest-held tenth is, which can only ever favour those clients (they start again full).
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ perSecond: 10 });
 * const decision = limiter.take(clientAddress, performance.now());
 * if (!decision.isAllowed) res.writeHead(429, { 'retry-after': String(Math.ceil(decision.retryAfterMs / 1000)) });
 * ```
 */
export class RateLimiter {
  readonly perSecond: number;
  readonly burst: number;
  readonly #maxClients: number;
  readonly #buckets = new Map<string, Bucket>();

  /** @throws RangeError when a number is not a positive integer; TypeError for an unknown option */
  constructor(options: RateLimiterOptions) {
    checkKnownOptions(options, { perSecond: true, burst: true, maxClients: true } satisfies Record<keyof RateLimiterOptions, true>, 'RateLimiter');
    this.perSecond = checkInteger(options.perSecond, 'perSecond');
    this.burst = checkInteger(options.burst ?? 2 * options.perSecond, 'burst');
    this.#maxClients = checkInteger(options.maxClients ?? 10_000, 'maxClients');
  }

  /** Buckets held now. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes one token from `client`'s bucket.
   *
   * @param nowMs - a monotonic time in milliseconds, e.g. `performance.now()`
   */
  take(client: string, nowMs: number): RateDecision {
    const bucket = this.#buckets.get(client);
    const tokens = bucket === undefined ? this.burst : Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) * this.perSecond) / 1000);
    if (tokens < 1) {
      return { isAllowed: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / this.perSecond) };
    }
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxClients) this.#evict(nowMs);
      this.#buckets.set(client, { tokens: tokens - 1, at: nowMs });
    } else {
      bucket.tokens = tokens - 1;
      bucket.at = nowMs;
    }
    return { isAllowed: true };
  }

  #evict(nowMs: number): void {
    for (const [client, bucket] of this.#buckets) {
      if (bucket.tokens + ((nowMs - bucket.at) * this.perSecond) / 1000 >= this.burst) this.#buckets.delete(client);
    }
    // None full: drop the longest-held tenth (maps iterate in insertion order), so a flood of new
    // addresses costs one sweep per tenth of the table, not one per request.
    const keep = Math.floor(this.#maxClients * 0.9);
    for (const client of this.#buckets.keys()) {
      if (this.#buckets.size <= keep) break;
      this.#buckets.delete(client);
    }
  }
}

import { checkInteger, checkKnownOptions } from '../options/check.js';
import { OPTIONS } from '../options/table.js';

/** Options of {@link Limiter}. */
export interface LimiterOptions {
  /** Open streams across all clients. @defaultValue 10000 */
  readonly maxConnections?: number;
  /** Open streams from one client address. @defaultValue 16 */
  readonly maxPerClient?: number;
}

/** A held slot. Releasing it twice is harmless. */
export interface Lease {
  release(): void;
}

/** Why a connection was refused. */
export type RefusalReason = 'global' | 'client';

/**
 * A bounded pool of stream slots: a global cap and a cap per client address. A slot is taken
 * before the response starts and given back exactly once, when the stream closes.
 */
export class Limiter {
  readonly maxConnections: number;
  readonly maxPerClient: number;
  readonly #perClient = new Map<string, number>();
  #open = 0;

  /** @throws RangeError when a cap is not a positive integer; TypeError for an unknown option */
  constructor(options: LimiterOptions = {}) {
    checkKnownOptions(options, { maxConnections: true, maxPerClient: true } satisfies Record<keyof LimiterOptions, true>, 'Limiter');
    this.maxConnections = checkInteger(options.maxConnections ?? OPTIONS.maxConnections.default, 'maxConnections');
    this.maxPerClient = checkInteger(options.maxPerClient ?? OPTIONS.maxPerClient.default, 'maxPerClient');
  }

  /** Slots held now, in all and for one client. */
  get open(): number {
    return this.#open;
  }

  /** Slots held by `client`. */
  openFor(client: string): number {
    return this.#perClient.get(client) ?? 0;
  }

  /**
   * Takes a slot for `client`.
   *
   * @param client - the client key, usually from {@link clientKey}
   * @returns a lease, or the cap that is full
   */
  acquire(client: string): Lease | RefusalReason {
    if (this.#open >= this.maxConnections) return 'global';
    const held = this.#perClient.get(client) ?? 0;
    if (held >= this.maxPerClient) return 'client';
    this.#open++;
    this.#perClient.set(client, held + 1);
    // One small object per open stream, not an object, a closure and its context.
    return new Limiter.#Slot(this, client);
  }

  #release(client: string): void {
    this.#open--;
    const left = (this.#perClient.get(client) ?? 1) - 1;
    if (left === 0) this.#perClient.delete(client);
    else this.#perClient.set(client, left);
  }

  static readonly #Slot = class implements Lease {
    #limiter: Limiter | undefined;
    readonly #client: string;

    constructor(limiter: Limiter, client: string) {
      this.#limiter = limiter;
      this.#client = client;
    }

    release(): void {
      const limiter = this.#limiter;
      if (limiter === undefined) return;
      this.#limiter = undefined;
      limiter.#release(this.#client);
    }
  };
}

/**
 * The key a client is counted under: an IPv4 address as it is (IPv4-mapped IPv6 folded to IPv4,
 * so one client has one key), an IPv6 address by its /64 network (`2001:db8:1:2::/64`). One home
 * or one server is given a whole /64 (RFC 6177), so keying on the full address would let one
 * client be 2^64 clients. `X-Forwarded-For` is not read here: pass the address you trust (see
 * `clientAddress`).
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (address.startsWith('::ffff:') && !address.slice(7).includes(':')) return address.slice(7);
  if (!address.includes(':')) return address;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros; a zone (`%eth0`) is dropped. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = (address.split('%', 1)[0] as string).toLowerCase().split('::');
  const side = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap(dottedToGroups));
  const left = side(head);
  const right = tail === undefined ? [] : side(tail);
  const zeros: string[] = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}

/** An embedded IPv4 tail (`::1.2.3.4`) is two groups. */
function dottedToGroups(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

import { BlockList, isIP } from 'node:net';

/**
 * Which socket peers are proxies whose forwarding headers are believed, from `--trust-proxy`
 * values: addresses (`127.0.0.1`, `::1`) or CIDR blocks (`10.0.0.0/8`, `fd00::/8`).
 */
export interface TrustedProxies {
  /** Whether `address` (as the socket reports it, IPv4-mapped or not) is a trusted proxy. */
  isTrusted(address: string): boolean;
  /** The values it was built from, for the start-up line. */
  readonly sources: readonly string[];
  /**
   * The values that take in public addresses (not private, loopback or link-local): a client
   * there may write any address into the header, `127.0.0.1` too. The CLI warns about each.
   */
  readonly publicSources: readonly string[];
}

// Not routed on the internet: a proxy in one of these is yours (RFC 1918, RFC 6598, RFC 4193, loopback, link-local).
const PRIVATE_BLOCKS = (
  [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['::1', 128],
  ] as const
).map(([network, bits]) => {
  const type = isIP(network) === 4 ? ('ipv4' as const) : ('ipv6' as const);
  const list = new BlockList();
  list.addSubnet(network, bits, type);
  return { list, bits, type };
});

/**
 * Builds the trusted-proxy list.
 *
 * @param values - addresses or CIDR blocks; empty trusts nobody (the default)
 * @throws TypeError naming the value when one is neither an address nor a CIDR block, or is a
 * `/0` block (every address: any client could then name itself)
 */
export function createTrustedProxies(values: readonly string[]): TrustedProxies {
  const list = new BlockList();
  const publicSources: string[] = [];
  for (const value of values) {
    const [address = '', prefix, extra] = value.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const isPrefix = prefix === undefined || (/^(0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !isPrefix || extra !== undefined) {
      throw new TypeError(`--trust-proxy takes an IP address or a CIDR block (e.g. 127.0.0.1 or 10.0.0.0/8), got ${JSON.stringify(value)}.`);
    }
    if (prefix === '0') {
      throw new TypeError(
        `--trust-proxy ${value} trusts every address, so any client could name itself in X-Forwarded-For, as 127.0.0.1 too; list your proxies' addresses or private blocks (e.g. 10.0.0.0/8).`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const length = prefix === undefined ? bits : Number(prefix);
    list.addSubnet(address, length, type);
    if (!PRIVATE_BLOCKS.some((block) => block.type === type && length >= block.bits && block.list.check(address, type))) publicSources.push(value);
  }
  return {
    sources: [...values],
    publicSources,
    isTrusted: (address) => {
      if (values.length === 0) return false;
      const plain = unmapIpv4(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** The minimal request shape read here: the socket's peer and the headers. */
export interface AddressedRequest {
  readonly socket: { readonly remoteAddress?: string | undefined };
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Where a client's address came from: see {@link resolveClient}. */
export type AddressSource = 'peer' | 'forwarded' | 'unknown';

/** A client's address and where it came from. */
export interface ResolvedClient {
  readonly address: string;
  readonly source: AddressSource;
}

/**
 * The address a client is counted under (per-client cap, publish rate, the loopback rule), and
 * where it came from.
 *
 * The socket's peer (`source: 'peer'`), unless that peer is a trusted proxy: then the forwarding
 * header is read from the right, skipping every trusted hop, and the first untrusted address is
 * the client (`'forwarded'`; anything to its left was written by the client itself and proves
 * nothing). `X-Forwarded-For` is read when present (nginx, HAProxy and the cloud balancers set
 * it), else `Forwarded` (RFC 7239 `for=`). A proxy that does not say who its client is (no
 * header, an empty one, `unknown`, an obfuscated name, nginx's `unix:`) leaves the address of the
 * last trusted hop, with `source: 'unknown'`: right for the caps (those clients share one key),
 * never proof of a local caller. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are folded to
 * IPv4, so one client has one key.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7239#section-5.2
 */
export function resolveClient(req: AddressedRequest, trusted: TrustedProxies): ResolvedClient {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return { address: 'unknown', source: 'unknown' };
  let address = unmapIpv4(peer);
  if (!trusted.isTrusted(address)) return { address, source: 'peer' };
  const hops = forwardedHops(req.headers);
  let source: AddressSource = 'unknown';
  for (let i = hops.length - 1; i >= 0 && trusted.isTrusted(address); i--) {
    const hop = unmapIpv4(hops[i] as string);
    // Not an address: whoever lies behind it is unknown, whatever the hops to its left say.
    if (isIP(hop) === 0) return { address, source: 'unknown' };
    address = hop;
    source = 'forwarded';
  }
  return { address, source };
}

/** The address of {@link resolveClient}, for the caps and the publish rate. */
export function clientAddress(req: AddressedRequest, trusted: TrustedProxies): string {
  return resolveClient(req, trusted).address;
}

/** `::ffff:a.b.c.d` → `a.b.c.d`; anything else unchanged. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The hops of `X-Forwarded-For` (or, without it, the `for=` values of `Forwarded`), left to right. */
function forwardedHops(headers: AddressedRequest['headers']): string[] {
  const xff = headers['x-forwarded-for'];
  if (xff !== undefined) return joined(xff).split(',').map((hop) => hop.trim());
  const forwarded = headers['forwarded'];
  if (forwarded === undefined) return [];
  return joined(forwarded)
    .split(',')
    .map((element) => {
      const pair = element.split(';').map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('for='));
      return pair === undefined ? '' : forValue(pair.slice(4));
    });
}

/** A `for=` value without quotes, brackets or port: `"[2001:db8::1]:4711"` → `2001:db8::1`. */
function forValue(raw: string): string {
  const value = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed !== null) return bracketed[1] as string;
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return withPort === null ? value : (withPort[1] as string);
}

function joined(value: string | string[]): string {
  return Array.isArray(value) ? value.join(',') : value;
}

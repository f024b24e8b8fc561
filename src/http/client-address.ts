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
}

/**
 * Builds the trusted-proxy list.
 *
 * @param values - addresses or CIDR blocks; empty trusts nobody (the default)
 * @throws TypeError naming the value when one is neither an address nor a CIDR block
 */
export function createTrustedProxies(values: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const value of values) {
    const [address = '', prefix, extra] = value.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const isPrefix = prefix === undefined || (/^(0|[1-9][0-9]{0,2})$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !isPrefix || extra !== undefined) {
      throw new TypeError(`--trust-proxy takes an IP address or a CIDR block (e.g. 127.0.0.1 or 10.0.0.0/8), got ${JSON.stringify(value)}.`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return {
    sources: [...values],
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

/**
 * The address a client is counted under (per-client cap, publish rate, the loopback rule).
 *
 * The socket's peer, unless that peer is a trusted proxy: then the forwarding header is read from
 * the right, skipping every trusted hop, and the first untrusted address is the client (anything
 * to its left was written by the client itself and proves nothing). `X-Forwarded-For` is read
 * when present (nginx, HAProxy and the cloud balancers set it), else `Forwarded` (RFC 7239
 * `for=`). A hop that is not an IP address (`unknown`, an obfuscated name, garbage) stops the
 * walk at the last trusted hop, so a broken header never lets a client pick its own address.
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are folded to IPv4, so one client has one key.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7239#section-5.2
 */
export function clientAddress(req: AddressedRequest, trusted: TrustedProxies): string {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return 'unknown';
  let client = unmapIpv4(peer);
  if (!trusted.isTrusted(client)) return client;
  const hops = forwardedHops(req.headers);
  for (let i = hops.length - 1; i >= 0 && trusted.isTrusted(client); i--) {
    const hop = unmapIpv4(hops[i] as string);
    if (isIP(hop) === 0) break;
    client = hop;
  }
  return client;
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

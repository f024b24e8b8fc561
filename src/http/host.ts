import { isIP } from 'node:net';
import type { HttpRefusal } from './errors.js';
import type { SseRequest } from './types.js';

/** A request turned away for its `Host`, with the answer to send. */
export type HostRefusal = HttpRefusal<'bad_host' | 'host_not_allowed'>;

/** Checks each request's `Host` (or `:authority`). */
export type HostCheck = (req: SseRequest) => HostRefusal | undefined;

/**
 * The `Host` rules of every route.
 *
 * Always: a request with two `Host` headers is `400` (RFC 9112 §3.2), and so is an HTTP/2 request
 * whose `host` names another authority than its `:authority` (RFC 9113 §8.3.1): a front end that
 * reads the other one would disagree with this server about where the request goes.
 *
 * With `allowed` names: a request whose host (any port) is not one of them is `421 Misdirected
 * Request`. That stops DNS rebinding: a page whose name an attacker re-points at this server's
 * address can make a browser send it requests, and read the answers as its own, but the browser
 * still sends the attacker's name as `Host`.
 *
 * @param allowed - host names or address literals (`sse.example.com`, `127.0.0.1`, `[::1]`); empty: any
 * @throws TypeError naming an entry that is not a host name or address, or that carries a port
 */
export function createHostCheck(allowed: readonly string[]): HostCheck {
  const names = new Set(allowed.map(checkName));
  return (req) => {
    const host = hostHeader(req);
    if (host === 'twice') return { status: 400, code: 'bad_host', message: 'The request names its host twice (RFC 9112 §3.2, RFC 9113 §8.3.1).' };
    if (names.size === 0 || (host !== undefined && names.has(hostName(host)))) return undefined;
    return { status: 421, code: 'host_not_allowed', message: `This server does not answer for ${JSON.stringify(host ?? '')}.` };
  };
}

/** The `Host` of a request (HTTP/2: `:authority`), or `'twice'` when it names two. */
function hostHeader(req: SseRequest): string | undefined | 'twice' {
  const raw = req.rawHeaders;
  let host: string | undefined;
  let authority: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (host !== undefined) return 'twice';
      host = raw[i + 1];
    } else if (name === ':authority') authority = raw[i + 1];
  }
  if (host !== undefined && authority !== undefined && host.toLowerCase() !== authority.toLowerCase()) return 'twice';
  return host ?? authority;
}

/** `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`. */
function hostName(host: string): string {
  return host.toLowerCase().replace(/:\d*$/, '');
}

function checkName(name: string): string {
  const lower = name.toLowerCase();
  const isAddress = isIP(lower) === 4 || (lower.startsWith('[') && lower.endsWith(']') && isIP(lower.slice(1, -1)) === 6);
  if (!isAddress && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(lower)) {
    throw new TypeError(`--allowed-host takes a host name or address without a port (e.g. sse.example.com, 127.0.0.1, [::1]), got ${JSON.stringify(name)}.`);
  }
  return lower;
}

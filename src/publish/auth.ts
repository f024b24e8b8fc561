import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { AddressSource } from '../http/client-address.js';
import type { HttpRefusal, HttpStatusOf } from '../http/errors.js';

/** Whether a publish may go ahead, and if not, the answer to send. */
export type PublishDecision =
  | { readonly isAllowed: true }
  | ({ readonly isAllowed: false; readonly headers: Readonly<Record<string, string>> } & HttpRefusal<'unauthorized' | 'publish_local_only' | 'publish_off'>);

/** What the check reads from a request. */
export interface PublishCaller {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client's address after `--trust-proxy` (see `resolveClient`). */
  readonly address: string;
  /** Where `address` came from (see `resolveClient`): only the peer or a trusted proxy's header can prove a local caller. */
  readonly source: AddressSource;
}

/** Who may publish: the token's holders, programs on this machine (`--publish-local`), or nobody. */
export type PublishMode = 'token' | 'local' | 'off';

/** Decides who may `POST /publish`. */
export interface PublishAuth {
  readonly mode: PublishMode;
  check(caller: PublishCaller): PublishDecision;
  /** One line for the start-up message. */
  describe(): string;
}

/** Options of {@link createPublishAuth}. */
export interface PublishAuthOptions {
  /** The shared secret publishers send as `Authorization: Bearer …`. */
  readonly token?: string | undefined;
  /** Without a token, take publishes from programs on this machine. @defaultValue false: nobody may publish */
  readonly local?: boolean | undefined;
}

const REALM = 'Bearer realm="publish"';
const MIN_TOKEN_LENGTH = 16;
// Headers a proxy adds: a request that carries one came through something, not from a local
// program. nginx adds none unless told to, so their absence proves nothing (see --publish-local).
const FORWARDING = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto', 'via'] as const;

/**
 * The publish rule.
 *
 * With a token: every caller must send `Authorization: Bearer <token>`; a missing or wrong one is
 * `401` with `WWW-Authenticate`. The token is compared in constant time: both sides are hashed to
 * 32 bytes first, so `timingSafeEqual` compares equal lengths and neither the time nor an early
 * length check tells an attacker anything about the token.
 *
 * Without a token, publishing is off (`403 publish_off`) unless `local` is set. A server cannot
 * tell a local program from a visitor that a reverse proxy on the same machine forwards without
 * saying so (nginx's bare `proxy_pass` connects from 127.0.0.1, adds no forwarding header and
 * sends a loopback `Host`), so taking publishes from this machine is an opt-in, for development.
 * With `local`, a publish is accepted only when all three of (1) the client address is loopback
 * (127.0.0.0/8 or ::1), (2) it is the socket's peer carrying no forwarding header, or an address a
 * trusted proxy named in its header (a trusted proxy that names nobody proves nothing), and (3)
 * the `Host` header names a loopback host (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`),
 * which defeats DNS rebinding: a page on another site whose name an attacker re-points at
 * 127.0.0.1 still sends its own name as `Host`. Anything else is `403`, saying how to allow it.
 *
 * @throws TypeError when the token is shorter than 16 characters or holds spaces or control
 * characters, or when both a token and `local` are given
 */
export function createPublishAuth(options: PublishAuthOptions = {}): PublishAuth {
  const { token } = options;
  if (token !== undefined && options.local === true) {
    throw new TypeError('--publish-token and --publish-local exclude each other: with a token, every publisher sends it, local programs too.');
  }
  if (token === undefined) return options.local === true ? LOCAL : OFF;
  if (token.length < MIN_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError(
      `The publish token must be at least ${MIN_TOKEN_LENGTH} printable ASCII characters without spaces (e.g. the output of \`openssl rand -hex 32\`).`,
    );
  }
  const expected = digest(token);
  return {
    mode: 'token',
    describe: () => 'publish: POST /publish needs Authorization: Bearer <the publish token>',
    check(caller) {
      const presented = bearerToken(caller.headers['authorization']);
      if (presented === undefined) {
        return refuse(401, 'unauthorized', 'POST /publish needs Authorization: Bearer <token>.', REALM);
      }
      // #region token-compare
      if (!timingSafeEqual(digest(presented), expected)) {
        return refuse(401, 'unauthorized', 'The publish token is wrong.', `${REALM}, error="invalid_token"`);
      }
      // #endregion token-compare
      return { isAllowed: true };
    },
  };
}

const OFF: PublishAuth = {
  mode: 'off',
  describe: () => 'publish: off, POST /publish answers 403; start with --publish-token (or PUBLISH_TOKEN), or --publish-local to take publishes from programs on this machine',
  check: () =>
    refuse(
      403,
      'publish_off',
      'Publishing is off: start the server with --publish-token (or PUBLISH_TOKEN), or with --publish-local to take publishes from programs on its own machine.',
    ),
};

const LOCAL: PublishAuth = {
  mode: 'local',
  describe: () =>
    'publish: --publish-local, so POST /publish is open to programs on this machine (loopback address and Host, no forwarding header); a reverse proxy here must send X-Forwarded-For, or every visitor it forwards counts as local',
  check(caller) {
    const isLocalCaller =
      caller.source === 'forwarded' || (caller.source === 'peer' && !FORWARDING.some((name) => caller.headers[name] !== undefined));
    if (isLocalCaller && isLoopbackAddress(caller.address) && isLoopbackHost(hostOf(caller.headers))) return { isAllowed: true };
    return refuse(
      403,
      'publish_local_only',
      'This server takes publishes only from programs on its own machine (--publish-local); start it with --publish-token (or PUBLISH_TOKEN) to publish from elsewhere.',
    );
  },
};

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `address` is in 127.0.0.0/8 or is ::1 (IPv4-mapped forms included). */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether a `Host` value names this machine: `localhost`, `*.localhost`, a 127/8 literal or `[::1]`, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.toLowerCase().replace(/:\d{1,5}$/, '');
  if (name === '[::1]') return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return /^[a-z0-9.-]+$/.test(name);
  return isIP(name) === 4 && name.startsWith('127.');
}

function hostOf(headers: PublishCaller['headers']): string | undefined {
  // HTTP/2 carries the host as the :authority pseudo-header.
  const value = headers['host'] ?? headers[':authority'];
  return typeof value === 'string' ? value : undefined;
}

/** The credentials of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 9110 §11.1). */
function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return /^bearer +([\x21-\x7e]+) *$/i.exec(header)?.[1];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function refuse<C extends 'unauthorized' | 'publish_local_only' | 'publish_off'>(status: HttpStatusOf<C>, code: C, message: string, challenge?: string): PublishDecision {
  // The signature pairs the status with its code; TypeScript cannot see a generic pair as one member of the union.
  const refusal = { status, code, message } as HttpRefusal<'unauthorized' | 'publish_local_only' | 'publish_off'>;
  return { isAllowed: false, ...refusal, headers: challenge === undefined ? {} : { 'www-authenticate': challenge } };
}

import { closeIfBodyUnread } from '../http/body.js';
import type { PublishRefusal } from '../http/errors.js';
import { sendError } from '../http/json.js';
import type { SseRequest, SseResponse } from '../http/types.js';
import { bump, type Counters } from '../metrics/metrics.js';
import { RateLimiter } from '../limits/rate.js';
import { createTrustedProxies, resolveClient, type TrustedProxies } from '../http/client-address.js';
import { clientKey } from '../limits/limiter.js';
import { createPublishAuth, type PublishAuth } from './auth.js';

/** Why a publish was turned away at the gate, before its body: the refusals the gate makes. */
export type GateRefusal = Extract<PublishRefusal, { readonly code: 'unauthorized' | 'publish_local_only' | 'publish_off' | 'rate_limited' }>;

/** Options of {@link createPublishGate}. */
export interface PublishGateOptions {
  /** The shared secret publishers send as `Authorization: Bearer …`. */
  readonly publishToken?: string | undefined;
  /** Without a token, take publishes from programs on this machine; otherwise nobody may publish. */
  readonly publishLocal?: boolean;
  /** Publishes per second per client (a token bucket of twice that); 0: no limit. */
  readonly publishRate?: number;
  /** Proxies whose forwarding headers are believed. */
  readonly trustProxy?: readonly string[];
}

/** The checks a publish passes before its body is read. */
export interface PublishGate {
  readonly auth: PublishAuth;
  readonly trusted: TrustedProxies;
  /** @returns undefined to go ahead, or the refusal */
  check(req: SseRequest, nowMs?: number): GateRefusal | undefined;
}

/**
 * Who may publish, and how fast: the token, local or off rule of {@link createPublishAuth}, then
 * a per-client token bucket keyed on the client address (after `--trust-proxy`; an IPv6 client
 * by its /64, see `clientKey`). Authentication
 * comes first, so a stranger cannot spend a real publisher's tokens; both run before the body is
 * read, so a refused client costs no buffering.
 *
 * @throws TypeError on a weak token, a token with `publishLocal`, or a `trustProxy` value that is
 * not an address or CIDR block
 */
export function createPublishGate(options: PublishGateOptions): PublishGate {
  const auth = createPublishAuth({ token: options.publishToken, local: options.publishLocal });
  const trusted = createTrustedProxies(options.trustProxy ?? []);
  const rate = options.publishRate === undefined || options.publishRate === 0 ? undefined : new RateLimiter({ perSecond: options.publishRate });
  return {
    auth,
    trusted,
    check(req, nowMs = performance.now()) {
      const { address, source } = resolveClient(req, trusted);
      const decision = auth.check({ headers: req.headers, address, source });
      if (!decision.isAllowed) return decision;
      if (rate === undefined) return undefined;
      const taken = rate.take(clientKey(address), nowMs);
      if (taken.isAllowed) return undefined;
      // Retry-After is whole seconds (RFC 9110 §10.2.3); rounding up never invites an early retry.
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      return {
        status: 429,
        code: 'rate_limited',
        message: `Too many publishes from your address: at most ${rate.perSecond} a second (bursts of ${rate.burst}); retry in ${seconds} s.`,
        headers: { 'retry-after': String(seconds) },
      };
    },
  };
}

/**
 * Runs the gate for a `POST /publish` and answers a refusal (counted in `counters`).
 *
 * @returns true when the publish may go on to read its body
 */
export function admitPublish(gate: PublishGate, req: SseRequest, res: SseResponse, counters: Counters): boolean {
  const refused = gate.check(req);
  if (refused === undefined) return true;
  counters.publishRejected++;
  if (refused.status === 429) counters.publishRateLimited++;
  else bump(counters.publishUnauthorized, refused.code);
  // The body was not read: closing is cheaper than reading a stranger's body to its end.
  sendError(res, refused.status, refused.code, refused.message, { ...refused.headers, ...closeIfBodyUnread(req) });
  return false;
}

import type { Broker } from '../history/broker.js';
import type { Route } from '../http/router.js';
import type { Counters } from '../metrics/metrics.js';
import { admitPublish, type PublishGate } from './gate.js';
import { handlePublish } from './handler.js';

/** Options of {@link publishRoute}. */
export interface PublishRouteOptions {
  /** Who may publish and how fast. */
  readonly gate: PublishGate;
  /** Where the event goes. */
  readonly broker: Broker;
  /** Where refusals are counted. */
  readonly counters: Counters;
  /** Bodies over this are refused with `413`. */
  readonly maxBodyBytes: number;
  /** Bodies slower than this are refused with `408`. */
  readonly timeoutMs: number;
}

/**
 * `POST /publish`, whole: the gate before the body is read (who, how fast), then the body and the
 * broker ({@link handlePublish}); every refusal counted.
 */
export function publishRoute(options: PublishRouteOptions): Route {
  const { gate, broker, counters } = options;
  return {
    allow: 'POST, OPTIONS',
    // A page of an allowed origin sends its token in Authorization, which needs a preflight.
    corsHeaders: gate.auth.mode === 'token' ? 'content-type, authorization' : 'content-type',
    readsBodyOf: 'POST',
    handle: (req, res) => {
      if (!admitPublish(gate, req, res, counters)) return;
      handlePublish(req, res, broker, { maxBodyBytes: options.maxBodyBytes, timeoutMs: options.timeoutMs }).then(
        (isPublished) => {
          if (!isPublished) counters.publishRejected++;
        },
        () => res.destroy(),
      );
    },
  };
}

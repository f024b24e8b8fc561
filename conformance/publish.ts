import { Probe } from './probe.js';
import { hasHead } from './stream-request.js';
import type { ResolvedTarget } from './target.js';

/** The answer to one publish request. */
export interface PublishAnswer {
  readonly status: number | undefined;
  /** `performance.now()` when the answer's head arrived. */
  readonly at: number;
  readonly error: string | undefined;
}

/**
 * Publishes one event through the target's publish URL: POST, JSON `{"data", "event"?}`.
 */
export async function publish(target: ResolvedTarget, data: string, event?: string): Promise<PublishAnswer> {
  const body = JSON.stringify(event === undefined ? { data } : { data, event });
  const headers: [string, string][] = [['Content-Type', 'application/json'], ['Connection', 'close']];
  for (const [name, value] of Object.entries(target.headers)) headers.push([name, value]);
  const probe = new Probe({ url: target.publishUrl as string, method: 'POST', headers, body, insecure: target.insecure, timeoutMs: target.timeoutMs });
  await probe.waitFor(hasHead, target.timeoutMs);
  const at = performance.now();
  const record = await probe.close();
  return { status: record.head?.status, at, error: record.head === undefined ? record.error ?? record.end : undefined };
}

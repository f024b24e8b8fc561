import { headerValue } from './framing.js';
import { Probe, type ProbeRecord } from './probe.js';
import type { ResolvedTarget } from './target.js';

/** The headers every stream request sends, as a browser's `EventSource` would, plus the target's own. */
export function streamRequestHeaders(
  target: ResolvedTarget,
  extra: readonly (readonly [string, string | Buffer])[] = [],
  accept: string | null = 'text/event-stream',
): [string, string | Buffer][] {
  const headers: [string, string | Buffer][] = [];
  if (accept !== null) headers.push(['Accept', accept]);
  headers.push(['Cache-Control', 'no-cache'], ['Accept-Encoding', 'gzip, deflate, br, zstd']);
  for (const [name, value] of Object.entries(target.headers)) headers.push([name, value]);
  for (const [name, value] of extra) headers.push([name, value]);
  return headers;
}

/**
 * Opens a stream probe on `url` with browser-like headers.
 *
 * @param timeoutMs - the probe's hard deadline
 * @param accept - the Accept header; null sends none
 */
export function openStream(
  target: ResolvedTarget,
  url: string,
  timeoutMs: number,
  extra: readonly (readonly [string, string | Buffer])[] = [],
  accept: string | null = 'text/event-stream',
): Probe {
  return new Probe({
    url,
    headers: streamRequestHeaders(target, extra, accept),
    insecure: target.insecure,
    timeoutMs,
  });
}

/** Whether a probe has its status line and headers. */
export const hasHead = (probe: Probe): boolean => probe.record.head !== undefined;

/** The media type essence of a record's Content-Type, lowercased, or ''. */
export function mediaType(record: ProbeRecord): string {
  return (headerValue(record.head?.headers ?? [], 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Whether a record is the start of a usable event stream: 200 and text/event-stream. */
export function isStream(record: ProbeRecord): boolean {
  return record.head?.status === 200 && mediaType(record) === 'text/event-stream';
}

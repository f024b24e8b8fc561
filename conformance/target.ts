/** What the suite is pointed at. Only `url` is required. */
export interface Target {
  /** The stream URL (http: or https:). */
  readonly url: string;
  /**
   * A URL that publishes one event per POST, so payloads can be checked end to end. The body sent
   * is JSON `{"data": string, "event"?: string}` with `Content-Type: application/json`; any 2xx
   * answer means "published". The event must reach the stream at `url`.
   */
  readonly publishUrl?: string | undefined;
  /** How long to watch the stream, in seconds. @defaultValue 20 */
  readonly observeSeconds?: number | undefined;
  /** Extra request headers sent on every request (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Accept any TLS certificate. */
  readonly insecure?: boolean | undefined;
  /** An origin the server allows cross-origin; enables SSE-M13. */
  readonly origin?: string | undefined;
  /** How many streams the server accepts from one client at once, when known: the capacity probe stops one past it. */
  readonly capacity?: number | undefined;
  /** The capacity probe opens up to this many streams at once to find a limit (SSE-S12, S13); 0 turns it off. @defaultValue 32 */
  readonly capacityProbe?: number | undefined;
  /** The longest the main stream is watched when a verdict needs it (a silent stream and SSE-S02), in seconds. @defaultValue 60 */
  readonly watchMaxSeconds?: number | undefined;
  /** The whole run's budget, in seconds: the watch is shortened and the capacity probe left out to keep it. */
  readonly deadlineSeconds?: number | undefined;
  /** Longest idle gap accepted, in ms (SSE-S02); also the bound for a freed slot (SSE-S13). @defaultValue 17000 */
  readonly heartbeatMaxMs?: number | undefined;
  /** Longest delay from a publish's answer to the event's arrival, in ms (SSE-M09, SSE-M10). @defaultValue 1000 */
  readonly latencyMaxMs?: number | undefined;
  /** Longest wait for the response head, in ms (SSE-S01); a verdict fails only past it plus its margin. @defaultValue 1000 */
  readonly firstByteMaxMs?: number | undefined;
  /** Longest single wait for an answer or an event, in ms. @defaultValue 5000 */
  readonly timeoutMs?: number | undefined;
  /** Run the slow-reader check (SSE-S14): it publishes about `slowReaderBytes` of events. */
  readonly slowReader?: boolean | undefined;
  /** Bytes published to a client that does not read (SSE-S14). @defaultValue 8 MiB */
  readonly slowReaderBytes?: number | undefined;
}

/** A target with every default filled in. */
export interface ResolvedTarget {
  readonly url: string;
  readonly publishUrl: string | undefined;
  readonly observeSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly insecure: boolean;
  readonly origin: string | undefined;
  readonly capacity: number | undefined;
  readonly capacityProbe: number;
  readonly watchMaxSeconds: number;
  readonly deadlineSeconds: number | undefined;
  readonly heartbeatMaxMs: number;
  readonly latencyMaxMs: number;
  readonly firstByteMaxMs: number;
  readonly timeoutMs: number;
  readonly slowReader: boolean;
  readonly slowReaderBytes: number;
}

const TARGET_OPTIONS = {
  url: true,
  publishUrl: true,
  observeSeconds: true,
  headers: true,
  insecure: true,
  origin: true,
  capacity: true,
  capacityProbe: true,
  watchMaxSeconds: true,
  deadlineSeconds: true,
  heartbeatMaxMs: true,
  latencyMaxMs: true,
  firstByteMaxMs: true,
  timeoutMs: true,
  slowReader: true,
  slowReaderBytes: true,
} as const satisfies Record<keyof Target, true>;

/**
 * Refuses an option a taker does not have: in JavaScript a misspelt one would be ignored.
 *
 * @throws TypeError naming it, and every known one
 */
export function checkKnown(options: object, known: Readonly<Record<string, unknown>>, taker: string): void {
  const unknown = Object.keys(options).find((name) => !Object.hasOwn(known, name));
  if (unknown !== undefined) throw new TypeError(`${taker} has no option ${JSON.stringify(unknown)}. Its options: ${Object.keys(known).join(', ')}.`);
}

/** The defaults of {@link Target}, in one place. */
export const TARGET_DEFAULTS = {
  observeSeconds: 20,
  capacityProbe: 32,
  watchMaxSeconds: 60,
  heartbeatMaxMs: 17_000,
  latencyMaxMs: 1000,
  firstByteMaxMs: 1000,
  timeoutMs: 5000,
  slowReaderBytes: 8 * 1024 * 1024,
} as const;

/**
 * Checks a target and fills in its defaults.
 *
 * @param nameOf - how an option is named in the sentences: as the caller wrote it (the CLI's flags)
 * @throws TypeError when an option is unknown, a URL is not http(s) or a number is out of range, with a sentence saying which
 */
export function resolveTarget(target: Target, nameOf: (option: keyof Target) => string = (option) => option): ResolvedTarget {
  checkKnown(target, TARGET_OPTIONS, 'The target');
  checkUrl(target.url, nameOf('url'));
  if (target.publishUrl !== undefined) checkUrl(target.publishUrl, nameOf('publishUrl'));
  const resolved: ResolvedTarget = {
    url: target.url,
    publishUrl: target.publishUrl,
    observeSeconds: target.observeSeconds ?? TARGET_DEFAULTS.observeSeconds,
    headers: target.headers ?? {},
    insecure: target.insecure ?? false,
    origin: target.origin,
    capacity: target.capacity,
    capacityProbe: target.capacityProbe ?? TARGET_DEFAULTS.capacityProbe,
    watchMaxSeconds: target.watchMaxSeconds ?? TARGET_DEFAULTS.watchMaxSeconds,
    deadlineSeconds: target.deadlineSeconds,
    heartbeatMaxMs: target.heartbeatMaxMs ?? TARGET_DEFAULTS.heartbeatMaxMs,
    latencyMaxMs: target.latencyMaxMs ?? TARGET_DEFAULTS.latencyMaxMs,
    firstByteMaxMs: target.firstByteMaxMs ?? TARGET_DEFAULTS.firstByteMaxMs,
    timeoutMs: target.timeoutMs ?? TARGET_DEFAULTS.timeoutMs,
    slowReader: target.slowReader ?? false,
    slowReaderBytes: target.slowReaderBytes ?? TARGET_DEFAULTS.slowReaderBytes,
  };
  for (const name of ['observeSeconds', 'heartbeatMaxMs', 'latencyMaxMs', 'firstByteMaxMs', 'timeoutMs', 'slowReaderBytes'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${nameOf(name)} must be a positive number, got ${String(value)}.`);
  }
  if (resolved.capacity !== undefined && (!Number.isSafeInteger(resolved.capacity) || resolved.capacity < 1 || resolved.capacity > 256)) {
    throw new TypeError(`${nameOf('capacity')} must be an integer from 1 to 256, got ${String(resolved.capacity)}.`);
  }
  if (!Number.isSafeInteger(resolved.capacityProbe) || resolved.capacityProbe < 0 || resolved.capacityProbe > 256) {
    throw new TypeError(`${nameOf('capacityProbe')} must be an integer from 0 (off) to 256, got ${String(resolved.capacityProbe)}.`);
  }
  if (resolved.deadlineSeconds !== undefined && (!Number.isFinite(resolved.deadlineSeconds) || resolved.deadlineSeconds < 10)) {
    throw new TypeError(`${nameOf('deadlineSeconds')} must be at least 10, got ${String(resolved.deadlineSeconds)}.`);
  }
  if (!Number.isFinite(resolved.watchMaxSeconds) || resolved.watchMaxSeconds <= 0) {
    throw new TypeError(`${nameOf('watchMaxSeconds')} must be a positive number, got ${String(resolved.watchMaxSeconds)}.`);
  }
  return resolved;
}

function checkUrl(value: string, name: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http:// or https:// URL, got ${JSON.stringify(value)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${name} must be an http:// or https:// URL, got ${JSON.stringify(value)}.`);
  }
}

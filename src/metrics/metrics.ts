/** The server's counters. Names follow Prometheus conventions (`_total` for counters). */
export interface Counters {
  streamsOpened: number;
  resumed: number;
  resets: Record<string, number>;
  slowCut: Record<string, number>;
  refused: Record<string, number>;
  publishRejected: number;
  /** Publishes refused at the gate for a missing or wrong token, or from off this machine, by code. */
  publishUnauthorized: Record<string, number>;
  /** Publishes refused past the per-client rate (`429`). */
  publishRateLimited: number;
  /** Streams the `authorize` hook refused (`401`, `403`) or failed on (`500`), by status. */
  streamsUnauthorized: Record<string, number>;
}

/** Gauges and counters read from elsewhere at render time. */
export interface Readings {
  readonly openStreams: number;
  readonly subscribers: number;
  readonly published: number;
  readonly delivered: number;
  /** Where `/feed`'s history lives and whether it takes publishes now; absent for the plain in-memory channel. */
  readonly history?: { readonly store: string; readonly isUp: boolean };
}

/** Fresh counters, all zero. */
export function createCounters(): Counters {
  return { streamsOpened: 0, resumed: 0, resets: {}, slowCut: {}, refused: {}, publishRejected: 0, publishUnauthorized: {}, publishRateLimited: 0, streamsUnauthorized: {} };
}

/** Adds one to `counter[label]`. */
export function bump(counter: Record<string, number>, label: string): void {
  counter[label] = (counter[label] ?? 0) + 1;
}

/**
 * Renders the Prometheus text exposition format (version 0.0.4).
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export function renderMetrics(counters: Counters, readings: Readings): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, values: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
  };
  const labelled = (label: string, values: Record<string, number>): [string, number][] =>
    Object.entries(values).map(([key, value]) => [`{${label}="${key}"}`, value]);

  metric('sse_open_streams', 'gauge', 'Event streams open now, on every path.', [['', readings.openStreams]]);
  metric('sse_feed_subscribers', 'gauge', 'Streams subscribed to /feed now.', [['', readings.subscribers]]);
  metric('sse_streams_opened_total', 'counter', 'Event streams started.', [['', counters.streamsOpened]]);
  metric('sse_events_published_total', 'counter', 'Events published into /feed.', [['', readings.published]]);
  metric('sse_events_delivered_total', 'counter', 'Events written to subscribers (events x subscribers).', [
    ['', readings.delivered],
  ]);
  metric('sse_resumed_total', 'counter', 'Reconnects resumed exactly from Last-Event-ID.', [['', counters.resumed]]);
  metric('sse_resets_total', 'counter', 'Reconnects answered with a reset event, by reason.', labelled('reason', counters.resets));
  metric('sse_slow_clients_cut_total', 'counter', 'Streams cut for not reading, by cause.', labelled('cause', counters.slowCut));
  metric('sse_refused_total', 'counter', 'Streams sent away with 200, retry: and the end: by a connection cap (global, client), or by the history store (store: Redis unreachable, or its window not yet loaded).', labelled('cap', counters.refused));
  metric('sse_publish_rejected_total', 'counter', 'POST /publish requests refused, for any reason.', [['', counters.publishRejected]]);
  metric('sse_publish_unauthorized_total', 'counter', 'Publishes refused for their credentials or their origin, by code.', labelled('code', counters.publishUnauthorized));
  metric('sse_publish_rate_limited_total', 'counter', 'Publishes refused past the per-client rate (429).', [['', counters.publishRateLimited]]);
  metric('sse_streams_unauthorized_total', 'counter', 'Streams the authorize hook refused or failed on, by status.', labelled('status', counters.streamsUnauthorized));
  if (readings.history !== undefined) {
    // A gauge an alert can watch: /health says the same in words, for a load balancer.
    metric('sse_history_up', 'gauge', "1 while /feed's history store takes publishes, 0 while it is down.", [
      [`{store="${readings.history.store}"}`, readings.history.isUp ? 1 : 0],
    ]);
  }
  return lines.join('\n') + '\n';
}

import { createEventStreamReader } from '../../conformance/event-stream.js';

/** One dispatched event, as the suite's reader saw it. */
export interface StrictEvent {
  readonly type: string;
  readonly data: string;
  /** The last event id after this event (what a client would send back). */
  readonly id: string;
}

/** What {@link createStrictReader} collects. */
export interface StrictReader {
  /** Feeds raw body bytes (after HTTP de-chunking). */
  feed(chunk: Buffer): void;
  readonly events: StrictEvent[];
  readonly retries: number[];
  readonly comments: string[];
  /** Problems a strict reader flags: invalid UTF-8, a BOM, a field no client knows, a retry that is not digits. */
  readonly problems: string[];
  /** Bytes or data lines that no blank line has dispatched yet (a half-written event). */
  readonly hasPartial: () => boolean;
}

/**
 * The event-stream reader of `scripts/`: the conformance suite's own reader (written apart from the
 * server's parser, so a tool never judges the server with the server's code), made strict where a
 * server should be: every byte valid UTF-8 (a browser would show U+FFFD), no BOM, no field a client
 * ignores. A chunk that is not UTF-8 is flagged and not read.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createStrictReader(onEvent?: (event: StrictEvent) => void): StrictReader {
  // Only checks the bytes: the suite's reader decodes them as a browser does.
  const validator = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const events: StrictEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const problems: string[] = [];
  let isStart = true;
  const reader = createEventStreamReader({
    onEvent(event) {
      const strict = { type: event.type, data: event.data, id: event.lastEventId };
      events.push(strict);
      onEvent?.(strict);
    },
    onRetry: (retryMs) => retries.push(retryMs),
    onComment: (text) => comments.push(text),
    onIgnored: (name, value) => problems.push(name === 'retry' ? `retry field that is not digits: ${JSON.stringify(value)}` : `unknown field ${JSON.stringify(name)}`),
  });
  return {
    events,
    retries,
    comments,
    problems,
    hasPartial: () => reader.hasPending,
    feed(chunk) {
      let decoded: string;
      try {
        decoded = validator.decode(chunk, { stream: true });
      } catch {
        problems.push('bytes that are not valid UTF-8');
        return;
      }
      if (isStart && decoded !== '') {
        isStart = false;
        // [spec] a client drops one leading BOM; a server has no reason to send it.
        if (decoded.startsWith('\uFEFF')) problems.push('a byte-order mark at the start');
      }
      reader.feed(chunk);
    },
  };
}

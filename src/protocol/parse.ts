/** An event as a conforming client dispatches it. */
export interface ParsedEvent {
  /** The event type: the last `event:` value, or `message`. */
  readonly type: string;
  /** The data lines joined with LF. */
  readonly data: string;
  /** The client's last event id after this event (what it would send as `Last-Event-ID`). */
  readonly lastEventId: string;
}

/** What the parser reports while it reads. Every callback is optional. */
export interface ParserHandlers {
  /** An event was dispatched (a blank line ended a block whose data buffer was not empty). */
  onEvent?(event: ParsedEvent): void;
  /** A valid `retry:` field set the reconnection time. */
  onRetry?(retryMs: number): void;
  /** A comment line; `text` is everything after the colon. */
  onComment?(text: string): void;
  /** A field whose name means nothing to a client; what it carried is lost. */
  onUnknownField?(name: string, value: string): void;
}

/** A streaming event-stream parser. */
export interface SseParser {
  /** Feeds the next chunk: bytes (decoded as UTF-8, as a browser does) or already decoded text. */
  feed(chunk: Uint8Array | string): void;
  /**
   * Ends the stream. An event whose blank line never came is discarded, as the spec requires.
   *
   * @returns true when such an incomplete event (or an unterminated line) was discarded
   */
  end(): boolean;
  /** The last event id the client holds now. */
  readonly lastEventId: string;
}

const DIGITS = /^[0-9]+$/;

/**
 * Creates a parser that follows the WHATWG "interpret an event stream" algorithm exactly.
 *
 * It never throws on input: bytes that are not UTF-8 become U+FFFD, lines that mean nothing are
 * ignored (and reported through `onUnknownField`), as a browser's `EventSource` would do.
 *
 * @param handlers - callbacks for events, retry hints, comments and unknown fields
 * @param lastEventId - the last event id the client holds as this connection starts: it belongs to
 *   the client, not the connection, so a reconnect carries it over @defaultValue `''`
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 * @example
 * ```ts
 * const parser = createParser({ onEvent: (e) => console.log(e.type, e.data) });
 * parser.feed('event: greeting\ndata: hi\n\n');
 * ```
 */
export function createParser(handlers: ParserHandlers = {}, lastEventId = ''): SseParser {
  const decoder = new TextDecoder('utf-8');
  let isFirstText = true;
  // A CR at the end of a chunk may be the first half of a CRLF split across two chunks.
  let pendingCR = false;
  // Parts of the current, unterminated line: joining once avoids O(N²) string growth.
  let lineParts: string[] = [];
  let data = '';
  let hasData = false;
  let eventType = '';
  // [spec] the id buffer becomes the client's last event id only when a blank line dispatches.
  let idBuffer = lastEventId;
  let sawField = false;

  function dispatch(): void {
    // [spec] dispatch step 1: the last event id is updated even when no event fires.
    lastEventId = idBuffer;
    const isEmpty = !hasData;
    const type = eventType;
    const payload = data;
    data = '';
    hasData = false;
    eventType = '';
    sawField = false;
    // [spec] step 2: an empty data buffer dispatches nothing.
    if (isEmpty) return;
    // [spec] step 3: drop the one LF appended after the last data line.
    handlers.onEvent?.({ type: type === '' ? 'message' : type, data: payload.slice(0, -1), lastEventId });
  }

  function processLine(line: string): void {
    if (line === '') {
      dispatch();
      return;
    }
    if (line.charCodeAt(0) === 0x3a) {
      handlers.onComment?.(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    // [spec] one leading space after the colon is removed, and only one.
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    sawField = true;
    switch (name) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        data += value + '\n';
        hasData = true;
        break;
      case 'id':
        // [spec] an id holding U+0000 is ignored entirely.
        if (!value.includes('\0')) idBuffer = value;
        break;
      case 'retry':
        // [spec] digits only; anything else is ignored.
        if (DIGITS.test(value)) handlers.onRetry?.(Number.parseInt(value, 10));
        break;
      default:
        handlers.onUnknownField?.(name, value);
    }
  }

  function feedText(text: string): void {
    if (isFirstText && text.length > 0) {
      isFirstText = false;
      // [spec] one leading U+FEFF is skipped; a later one is part of a field name.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    if (pendingCR && text.charCodeAt(0) === 0x0a) start = 1;
    pendingCR = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      lineParts.push(text.slice(start, i));
      const line = lineParts.length === 1 ? (lineParts[0] as string) : lineParts.join('');
      lineParts = [];
      processLine(line);
      if (c === 0x0d) {
        if (i + 1 === text.length) pendingCR = true;
        else if (text.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    if (start < text.length) lineParts.push(text.slice(start));
  }

  return {
    feed(chunk) {
      // The decoder (ignoreBOM false) already drops one leading BOM from bytes.
      if (typeof chunk === 'string') feedText(chunk);
      else {
        if (isFirstText && chunk.length > 0) isFirstText = false;
        feedText(decoder.decode(chunk, { stream: true }));
      }
    },
    end() {
      feedText(decoder.decode());
      const discarded = lineParts.length > 0 || hasData || sawField;
      lineParts = [];
      data = '';
      hasData = false;
      eventType = '';
      sawField = false;
      idBuffer = lastEventId;
      return discarded;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

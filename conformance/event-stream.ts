/** An event as a browser's `EventSource` dispatches it. */
export interface ClientEvent {
  /** The `event:` value, or `message`. */
  readonly type: string;
  /** The data lines joined with LF. */
  readonly data: string;
  /** The client's last event id after this event: what it would send as `Last-Event-ID`. */
  readonly lastEventId: string;
  /** Whether the block that dispatched it carried an `id:` field of its own. */
  readonly hasOwnId: boolean;
}

/** What the reader reports while it reads. */
export interface EventStreamHandlers {
  onEvent?(event: ClientEvent): void;
  /** A `retry:` field a client accepts (ASCII digits only). */
  onRetry?(retryMs: number): void;
  /** A comment line, without its colon. */
  onComment?(text: string): void;
  /** A field a client ignores: a name it does not know, or a `retry:` that is not digits. */
  onIgnored?(name: string, value: string): void;
}

/** A streaming reader of an event-stream body, as a client reads it. */
export interface EventStreamReader {
  /** Feeds the next body bytes. */
  feed(bytes: Uint8Array): void;
  /** Ends the body. @returns true when an undispatched block or an unended line was thrown away */
  end(): boolean;
  /** The last event id a client would hold now. */
  readonly lastEventId: string;
  /** Whether an unended line or an undispatched block is held (what {@link EventStreamReader.end} would throw away). */
  readonly hasPending: boolean;
}

/**
 * The suite's own reader of event streams, written apart from the server's parser so that a bug in
 * one cannot hide the same bug in the other (the judge shares no code with the judged). It follows
 * the WHATWG steps a browser follows: bytes that are not UTF-8 become U+FFFD, one leading BOM is
 * dropped, CRLF, LF and a lone CR each end a line, unknown fields are ignored.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createEventStreamReader(handlers: EventStreamHandlers = {}): EventStreamReader {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let rest = '';
  // [spec] a CR at the end of one chunk and an LF at the start of the next are one line end.
  let skipLf = false;
  let lastEventId = '';
  let idBuffer = '';
  let hasIdField = false;
  let type = '';
  let data: string[] | undefined;

  const dispatch = (): void => {
    // [spec] the last event id is set when the block ends, even when no event is dispatched.
    lastEventId = idBuffer;
    const hadId = hasIdField;
    hasIdField = false;
    const lines = data;
    const name = type;
    data = undefined;
    type = '';
    if (lines === undefined) return;
    handlers.onEvent?.({ type: name === '' ? 'message' : name, data: lines.join('\n'), lastEventId, hasOwnId: hadId });
  };

  const line = (text: string): void => {
    if (text === '') return dispatch();
    if (text.charCodeAt(0) === 0x3a) return handlers.onComment?.(text.slice(1));
    const colon = text.indexOf(':');
    const name = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (name) {
      case 'data':
        (data ??= []).push(value);
        return;
      case 'event':
        type = value;
        return;
      case 'id':
        // [spec] an id holding U+0000 is ignored.
        if (!value.includes('\0')) {
          idBuffer = value;
          hasIdField = true;
        }
        return;
      case 'retry':
        if (/^[0-9]+$/.test(value)) handlers.onRetry?.(Number(value));
        else handlers.onIgnored?.(name, value);
        return;
      default:
        handlers.onIgnored?.(name, value);
    }
  };

  const text = (chunk: string): void => {
    let start = 0;
    let i = 0;
    if (skipLf && chunk.charCodeAt(0) === 0x0a) start = i = 1;
    skipLf = false;
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      line(rest + chunk.slice(start, i));
      rest = '';
      if (c === 0x0d) {
        if (i + 1 === chunk.length) skipLf = true;
        else if (chunk.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    rest += chunk.slice(start);
  };

  const hasPending = (): boolean => rest !== '' || data !== undefined || type !== '';

  return {
    feed(bytes) {
      text(decoder.decode(bytes, { stream: true }));
    },
    end() {
      text(decoder.decode());
      return hasPending();
    },
    get lastEventId() {
      return lastEventId;
    },
    get hasPending() {
      return hasPending();
    },
  };
}

/** An event as the fixtures publish it. */
export interface OutgoingEvent {
  readonly id?: string | undefined;
  readonly event?: string | undefined;
  readonly data: string;
}

/**
 * The suite's own event-stream writer (fixtures build their bytes with it, never with the server's
 * encoder): data split on CRLF, LF and lone CR, one `data:` line per part with the space always
 * written, so a leading space and a trailing line break survive.
 *
 * @throws TypeError when an id or event name holds CR or LF, or an id holds U+0000 (field injection)
 */
export function writeEvent(event: OutgoingEvent): string {
  if (event.event !== undefined && /[\r\n]/.test(event.event)) throw new TypeError('An event name must not hold CR or LF.');
  if (event.id !== undefined && /[\r\n\0]/.test(event.id)) throw new TypeError('An id must not hold CR, LF or NULL.');
  const head = (event.event === undefined ? '' : `event: ${event.event}\n`) + (event.id === undefined ? '' : `id: ${event.id}\n`);
  return head + event.data.split(/\r\n|\r|\n/).map((part) => `data: ${part}\n`).join('') + '\n';
}

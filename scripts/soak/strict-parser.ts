/** One dispatched event, as the independent parser saw it. */
export interface StrictEvent {
  readonly type: string;
  readonly data: string;
  /** The last event id after this event (what a client would send back). */
  readonly id: string;
}

/** What {@link createStrictParser} collects. */
export interface StrictParser {
  /** Feeds raw body bytes (after HTTP de-chunking). */
  feed(chunk: Buffer): void;
  readonly events: StrictEvent[];
  readonly retries: number[];
  readonly comments: string[];
  /** Problems a strict reader flags: invalid UTF-8, a BOM, a field no client knows. */
  readonly problems: string[];
  /** Bytes or data lines that no blank line has dispatched yet (a half-written event). */
  readonly hasPartial: () => boolean;
}

/**
 * A small event-stream parser written apart from the library's, so the soak does not judge the
 * server with the server's own code. It follows the WHATWG "interpret an event stream" steps and
 * is stricter where a server should be: every byte must be valid UTF-8 (a fatal decoder), no BOM,
 * no unknown field.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createStrictParser(onEvent?: (event: StrictEvent) => void): StrictParser {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const events: StrictEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const problems: string[] = [];
  let text = '';
  let isStart = true;
  let lastId = '';
  let type = '';
  let dataLines: string[] | undefined;
  let hasTrailingCR = false;

  const line = (value: string): void => {
    if (value === '') {
      if (dataLines !== undefined) {
        const event = { type: type === '' ? 'message' : type, data: dataLines.join('\n'), id: lastId };
        events.push(event);
        onEvent?.(event);
      }
      dataLines = undefined;
      type = '';
      return;
    }
    if (value.startsWith(':')) {
      comments.push(value.slice(1));
      return;
    }
    const colon = value.indexOf(':');
    const name = colon === -1 ? value : value.slice(0, colon);
    let field = colon === -1 ? '' : value.slice(colon + 1);
    if (field.startsWith(' ')) field = field.slice(1);
    if (name === 'data') (dataLines ??= []).push(field);
    else if (name === 'event') type = field;
    else if (name === 'id') {
      if (!field.includes('\0')) lastId = field;
    } else if (name === 'retry') {
      if (/^[0-9]+$/.test(field)) retries.push(Number(field));
      else problems.push(`retry field that is not digits: ${JSON.stringify(field)}`);
    } else problems.push(`unknown field ${JSON.stringify(name)}`);
  };

  return {
    events,
    retries,
    comments,
    problems,
    hasPartial: () => text !== '' || dataLines !== undefined,
    feed(chunk) {
      let decoded: string;
      try {
        decoded = decoder.decode(chunk, { stream: true });
      } catch {
        problems.push('bytes that are not valid UTF-8');
        return;
      }
      if (isStart && decoded !== '') {
        isStart = false;
        if (decoded.startsWith('\uFEFF')) problems.push('a byte-order mark at the start');
      }
      text += decoded;
      // A CR at the very end may be half of a CRLF whose LF is in the next chunk.
      let start = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 && hasTrailingCR && i === start) {
          hasTrailingCR = false;
          start = i + 1;
          continue;
        }
        hasTrailingCR = false;
        if (c === 13 || c === 10) {
          line(text.slice(start, i));
          if (c === 13) {
            if (i + 1 < text.length) {
              if (text.charCodeAt(i + 1) === 10) i++;
            } else hasTrailingCR = true;
          }
          start = i + 1;
        }
      }
      text = text.slice(start);
    },
  };
}

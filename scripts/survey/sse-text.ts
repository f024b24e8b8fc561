/**
 * A small event-stream reader for the survey's evidence, written from the WHATWG processing model
 * (§9.2.6 "Interpreting an event stream") apart from the project's own parser, so the evidence
 * does not inherit its bugs. Pure: bytes and arrival times in, events out.
 *
 * Deliberately not the suite's reader (which the rest of `scripts/` uses, through
 * `scripts/lib/sse-reader.ts`): the survey's evidence checks the suite's verdicts, an N-version
 * check of the judge, and shares no reading code with it.
 */

/** An event as a client dispatches it. */
export interface ParsedEvent {
  readonly type: string;
  readonly data: string;
  /** The client's last event id after this event. */
  readonly lastEventId: string;
  /** Whether the event carried its own id: line. */
  readonly hasOwnId: boolean;
  /** When the blank line that dispatched it arrived (ms), when times were given. */
  readonly atMs: number;
}

/** What a stream's text holds, as a client reads it. */
export interface ParsedStream {
  readonly events: ParsedEvent[];
  /** retry: values a client accepts, with how many events came before each. */
  readonly retries: { readonly value: number; readonly eventsBefore: number; readonly atMs: number }[];
  readonly comments: { readonly text: string; readonly atMs: number }[];
  /** Lines a client ignores although they look meant (unknown field names, bad retry values). */
  readonly ignored: string[];
  /** Bytes after the last blank line: a client discards them if the stream ends here. */
  readonly trailing: string;
}

/** A piece of body text with its arrival time. */
export interface TimedText {
  readonly atMs: number;
  readonly text: string;
}

/** Parses the text of an event stream; each piece carries its arrival time. */
export function parseStream(pieces: readonly TimedText[] | string, initialLastEventId = ''): ParsedStream {
  const timed: readonly TimedText[] = typeof pieces === 'string' ? [{ atMs: 0, text: pieces }] : pieces;
  const events: ParsedEvent[] = [];
  const retries: { value: number; eventsBefore: number; atMs: number }[] = [];
  const comments: { text: string; atMs: number }[] = [];
  const ignored: string[] = [];
  let lastEventId = initialLastEventId;
  let data: string[] | undefined;
  let type = '';
  let hasOwnId = false;
  let pending = '';
  let isFirst = true;
  let pendingCr = false;
  const line = (text: string, atMs: number): void => {
    if (text === '') {
      if (data !== undefined) events.push({ type: type === '' ? 'message' : type, data: data.join('\n'), lastEventId, hasOwnId, atMs });
      data = undefined;
      type = '';
      hasOwnId = false;
      return;
    }
    if (text.startsWith(':')) {
      comments.push({ text: text.slice(1), atMs });
      return;
    }
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') (data ??= []).push(value);
    else if (name === 'event') type = value;
    else if (name === 'id') {
      if (!value.includes('\0')) {
        lastEventId = value;
        hasOwnId = true;
      }
    } else if (name === 'retry') {
      if (/^\d+$/.test(value)) retries.push({ value: Number(value), eventsBefore: events.length, atMs });
      else ignored.push(text);
    } else ignored.push(text);
  };
  for (const piece of timed) {
    let text = piece.text;
    if (isFirst && text.length > 0) {
      if (text.startsWith('\ufeff')) text = text.slice(1);
      isFirst = false;
    }
    for (const char of text) {
      if (pendingCr) {
        pendingCr = false;
        if (char === '\n') continue;
      }
      if (char === '\r' || char === '\n') {
        line(pending, piece.atMs);
        pending = '';
        pendingCr = char === '\r';
      } else {
        pending += char;
      }
    }
  }
  const unfinished = data !== undefined || type !== '' || pending !== '';
  return { events, retries, comments, ignored, trailing: unfinished ? pending : '' };
}

/** Whether every id of a list is a decimal integer (then ids compare as numbers). */
export function numericIds(ids: readonly string[]): bigint[] | undefined {
  if (ids.length === 0 || ids.some((id) => !/^-?\d+$/.test(id))) return undefined;
  return ids.map((id) => BigInt(id));
}

/** The longest silence between arrivals (and from the start / to the end), in ms. */
export function longestSilence(arrivals: readonly number[], startMs: number, endMs: number): number {
  const times = [startMs, ...arrivals, endMs];
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] as number) - (times[i - 1] as number));
  return longest;
}

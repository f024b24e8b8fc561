import { createEventStreamReader, type ClientEvent } from './event-stream.js';
import type { Arrival } from './probe.js';

/** One line of an event stream as it is on the wire. */
export interface WireLine {
  /** Byte offset of the line in the body. */
  readonly offset: number;
  /** The line decoded as UTF-8, without its terminator. */
  readonly text: string;
  /** How it ended; `none` for an unterminated last line. */
  readonly end: 'lf' | 'cr' | 'crlf' | 'none';
  /** When its last byte arrived (ms since the request), when arrivals are known. */
  readonly atMs: number;
}

/** A line's meaning to a client. */
export type LineKind = 'blank' | 'comment' | 'data' | 'event' | 'id' | 'retry' | 'unknown';

/** An event as a client dispatched it, with when and where on the wire. */
export interface TimedEvent extends ClientEvent {
  readonly atMs: number;
  /** Which of the server's writes its dispatching blank line came in, when {@link parseTimed} was told the writes. */
  readonly write?: number;
}

// ignoreBOM keeps a U+FEFF at the start of a line visible: SSE-S07 looks for it.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Splits a body into lines the way the WHATWG parser does (CRLF, lone LF or lone CR end a line).
 * Byte offsets are kept so evidence can point at the exact bytes.
 *
 * @param body - the decoded body bytes
 * @param arrivals - when each part of the body arrived, to time each line
 */
export function splitLines(body: Buffer, arrivals: readonly Arrival[] = []): WireLine[] {
  const lines: WireLine[] = [];
  let start = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  let arrival = 0;
  const timeOf = (offset: number): number => {
    while (arrival < arrivals.length - 1 && (arrivals[arrival] as Arrival).offset + (arrivals[arrival] as Arrival).length <= offset) arrival++;
    return arrivals[arrival]?.atMs ?? 0;
  };
  for (let i = start; i < body.length; i++) {
    const byte = body[i];
    if (byte !== 0x0a && byte !== 0x0d) continue;
    const isCrlf = byte === 0x0d && body[i + 1] === 0x0a;
    lines.push({ offset: start, text: UTF8.decode(body.subarray(start, i)), end: isCrlf ? 'crlf' : byte === 0x0a ? 'lf' : 'cr', atMs: timeOf(isCrlf ? i + 1 : i) });
    if (isCrlf) i++;
    start = i + 1;
  }
  if (start < body.length) lines.push({ offset: start, text: UTF8.decode(body.subarray(start)), end: 'none', atMs: timeOf(body.length - 1) });
  return lines;
}

/** What a line means to a client. */
export function lineKind(text: string): LineKind {
  if (text === '') return 'blank';
  if (text.startsWith(':')) return 'comment';
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  return name === 'data' || name === 'event' || name === 'id' || name === 'retry' ? name : 'unknown';
}

/** A field's value, as a client reads it (one leading space removed). */
export function fieldValue(text: string): string {
  const colon = text.indexOf(':');
  if (colon === -1) return '';
  const value = text.slice(colon + 1);
  return value.startsWith(' ') ? value.slice(1) : value;
}

/** Lines grouped into blocks, each ended by a blank line (the last may be unended). */
export function splitBlocks(lines: readonly WireLine[]): { readonly lines: readonly WireLine[]; readonly isEnded: boolean }[] {
  const blocks: { lines: WireLine[]; isEnded: boolean }[] = [];
  let current: WireLine[] = [];
  for (const line of lines) {
    if (line.text === '' && line.end !== 'none') {
      if (current.length > 0) blocks.push({ lines: current, isEnded: true });
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) blocks.push({ lines: current, isEnded: false });
  return blocks;
}

/** A `retry:` value a client accepted, when it arrived and how many events came before it. */
export interface TimedRetry {
  readonly value: number;
  readonly atMs: number;
  readonly eventsBefore: number;
  /** Which of the server's writes its line came in, when {@link parseTimed} was told the writes. */
  readonly write?: number;
}

/**
 * Runs the suite's own client-side reader over a body, arrival by arrival, so each event carries
 * the time its dispatching blank line arrived.
 *
 * @param writes - where each of the server's writes ends in the body (see {@link writeEnds}), to
 *   tell which write an event or a retry came in: reads on the socket join writes that come close together
 * @returns the events, the retry values in order, and whether an incomplete event was left at the end
 */
export function parseTimed(
  body: Buffer,
  arrivals: readonly Arrival[],
  writes?: readonly number[],
): { events: TimedEvent[]; retries: TimedRetry[]; discarded: boolean } {
  const events: TimedEvent[] = [];
  const retries: TimedRetry[] = [];
  let atMs = 0;
  let write = 0;
  const where = (): { write?: number } => (writes === undefined ? {} : { write });
  const parser = createEventStreamReader({
    onEvent(event) {
      events.push({ ...event, atMs, ...where() });
    },
    onRetry(value) {
      retries.push({ value, atMs, eventsBefore: events.length, ...where() });
    },
  });
  const parts = arrivals.length > 0 ? arrivals : [{ atMs: 0, offset: 0, length: body.length }];
  for (const part of parts) {
    atMs = part.atMs;
    let offset = part.offset;
    const end = part.offset + part.length;
    // A read that holds several writes is fed write by write, so each callback knows its write.
    while (offset < end) {
      while (writes !== undefined && write < writes.length && (writes[write] as number) <= offset) write++;
      const stop = writes === undefined ? end : Math.min(end, writes[write] ?? end);
      parser.feed(body.subarray(offset, stop));
      offset = stop;
    }
  }
  return { events, retries, discarded: parser.end() };
}

/**
 * Where each of the server's writes ends in a decoded body, when the framing shows them: the
 * chunks of a chunked body with no content coding (a server framework writes one chunk a write or
 * flush). Undefined otherwise (a body until close, or compressed bytes that do not map to the body).
 */
export function writeEnds(record: { readonly framing: string | undefined; readonly chunkSizes: readonly number[]; readonly head?: { readonly headers: readonly (readonly [string, string])[] } | undefined }): number[] | undefined {
  if (record.framing !== 'chunked') return undefined;
  const coding = record.head?.headers.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1].trim().toLowerCase();
  if (coding !== undefined && coding !== '' && coding !== 'identity') return undefined;
  const ends: number[] = [];
  let total = 0;
  for (const size of record.chunkSizes) {
    if (size === 0) continue;
    total += size;
    ends.push(total);
  }
  return ends;
}

/**
 * Shows text as evidence: control characters visible, long text cut in the middle.
 *
 * @param max - the longest result, in characters @defaultValue 60
 */
export function escape(text: string, max = 60): string {
  const shown = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"');
  return shown.length <= max ? shown : `${shown.slice(0, max - 10)}…${shown.slice(-9)}`;
}

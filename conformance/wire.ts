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
}

/**
 * Runs the suite's own client-side reader over a body, arrival by arrival, so each event carries
 * the time its dispatching blank line arrived.
 *
 * @returns the events, the retry values in order, and whether an incomplete event was left at the end
 */
export function parseTimed(body: Buffer, arrivals: readonly Arrival[]): { events: TimedEvent[]; retries: TimedRetry[]; discarded: boolean } {
  const events: TimedEvent[] = [];
  const retries: TimedRetry[] = [];
  let atMs = 0;
  const parser = createEventStreamReader({
    onEvent(event) {
      events.push({ ...event, atMs });
    },
    onRetry(value) {
      retries.push({ value, atMs, eventsBefore: events.length });
    },
  });
  const parts = arrivals.length > 0 ? arrivals : [{ atMs: 0, offset: 0, length: body.length }];
  for (const part of parts) {
    atMs = part.atMs;
    parser.feed(body.subarray(part.offset, part.offset + part.length));
  }
  return { events, retries, discarded: parser.end() };
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

import type { Cursor } from '../hub/resume.js';
import { readLastEventId } from '../protocol/last-event-id.js';

/** A Redis stream entry id, `<ms>-<seq>`, with both parts as safe integers. */
export interface StreamId {
  readonly ms: number;
  readonly seq: number;
}

/** What a `Last-Event-ID` says to a Redis-backed feed, after strict parsing: a stream id `at` in an epoch. Never thrown. */
export type StreamCursor = Cursor<StreamId>;

// #region stream-id-grammar
// `<12 hex epoch>-<ms>-<seq>`: the epoch kept in Redis, then the stream entry id. Each number is a
// canonical decimal (no sign, no leading zero, no exponent), at most 16 digits, checked ≤ 2^53 − 1.
const CURSOR_GRAMMAR = /^([0-9a-f]{12})-(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;
const ENTRY_GRAMMAR = /^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;
// #endregion stream-id-grammar

/** The id before every entry: reading "after 0-0" reads a whole stream. */
export const STREAM_START: StreamId = { ms: 0, seq: 0 };

/**
 * Parses a stream entry id as Redis writes it (`1700000000000-3`).
 *
 * @returns the id, or undefined when the text is not exactly that form
 */
export function parseStreamId(text: string): StreamId | undefined {
  const match = ENTRY_GRAMMAR.exec(text);
  if (match === null) return undefined;
  return toStreamId(match[1] as string, match[2] as string);
}

/** Formats a stream entry id for Redis. */
export function formatStreamId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** Orders two stream ids: negative, zero or positive, as `a` is before, equal to or after `b`. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  return a.ms === b.ms ? a.seq - b.seq : a.ms - b.ms;
}

/** The SSE id of an entry: `<epoch>-<ms>-<seq>`. */
export function formatStreamEventId(epoch: string, id: StreamId): string {
  return `${epoch}-${id.ms}-${id.seq}`;
}

/**
 * Parses a `Last-Event-ID` header (or `?lastEventId=` value) for a Redis-backed feed, as strictly
 * as {@link parseLastEventId} does for the in-memory one: {@link readLastEventId} reads it, this
 * parses the text.
 *
 * @param value - the header as Node gives it
 */
export function parseStreamCursor(value: string | readonly string[] | undefined | null): StreamCursor {
  const read = readLastEventId(value);
  if (read.kind !== 'text') return read;
  const match = CURSOR_GRAMMAR.exec(read.text);
  if (match === null) return { kind: 'invalid', detail: 'not of the form <12 hex digits>-<ms>-<seq>' };
  const id = toStreamId(match[2] as string, match[3] as string);
  if (id === undefined) return { kind: 'invalid', detail: 'a number above 2^53 - 1' };
  return { kind: 'position', epoch: match[1] as string, at: id };
}

function toStreamId(msText: string, seqText: string): StreamId | undefined {
  const ms = Number(msText);
  const seq = Number(seqText);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) return undefined;
  return { ms, seq };
}

import { MAX_LAST_EVENT_ID_LENGTH } from '../protocol/last-event-id.js';

/**
 * Ids the application supplies (database rows, log offsets, ULIDs) instead of the channel's
 * `<epoch>-<seq>`: which ids are acceptable and in what order they come, so that a channel can
 * tell an id it never saw from one it no longer holds.
 */
export interface IdPolicy {
  /** A name for error messages, e.g. `numeric`. */
  readonly name: string;
  /** Whether `id` is one this policy accepts; checked at publish and on every `Last-Event-ID`. */
  accepts(id: string): boolean;
  /** Negative when `a` comes before `b`, positive after, 0 when they are the same id. */
  compare(a: string, b: string): number;
}

// Canonical decimals only: "007" and "7" would be two spellings of one position.
const DECIMAL = /^(0|[1-9][0-9]*)$/;
// What the encoder writes in an `id:` field and a browser sends back unchanged: no CR, LF or NULL,
// and printable ASCII, so the header survives every proxy byte for byte.
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Non-negative integers of any length in canonical decimal (`0`, `42`, `9007199254740993`), ordered
 * as numbers: database row ids, Kafka offsets.
 */
export const numericIds: IdPolicy = {
  name: 'numeric',
  accepts: (id) => id.length <= MAX_LAST_EVENT_ID_LENGTH && DECIMAL.test(id),
  // Canonical decimals order by length first, then digit by digit: exact beyond 2^53.
  compare: (a, b) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0),
};

/**
 * Printable ASCII strings ordered by code unit: ULIDs, zero-padded offsets, ISO 8601 timestamps of
 * one fixed format. The application must publish them in that order.
 */
export const lexicalIds: IdPolicy = {
  name: 'lexical',
  accepts: (id) => id.length <= MAX_LAST_EVENT_ID_LENGTH && PRINTABLE.test(id),
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

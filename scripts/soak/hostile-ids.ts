import type { Rng } from './rng.js';

/** The channel's state while the fuzz runs: fixed, since nothing is published meanwhile. */
export interface FeedState {
  readonly epoch: string;
  readonly head: number;
  readonly oldest: number;
}

/** What a client sending a value must see first. */
export type Expected =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'reset'; readonly reason: 'invalid' | 'epoch' | 'unknown' | 'expired' }
  | { readonly kind: 'replay'; readonly after: number };

/** One generated value and how it is sent. */
export interface HostileCase {
  readonly category: string;
  /** Header lines (raw bytes) carrying the value, or a query string. */
  readonly headers: readonly Buffer[];
  readonly query: string;
  readonly expected: Expected;
}

const MAX_SAFE = 2n ** 53n - 1n;
const HEX = '0123456789abcdef';

/**
 * What the server must answer to `value`, decided here without the server's code: trim the
 * optional whitespace HTTP allows (space and tab only), then read `<12 hex>-<canonical decimal>`
 * character by character, with BigInt for the range.
 */
export function expectedFor(value: string, state: FeedState): Expected {
  const text = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (text === '') return { kind: 'fresh' };
  const invalid = { kind: 'reset', reason: 'invalid' } as const;
  if (text.length > 128 || text.length < 14 || text[12] !== '-') return invalid;
  const epoch = text.slice(0, 12);
  const digits = text.slice(13);
  for (const c of epoch) if (!HEX.includes(c)) return invalid;
  for (const c of digits) if (c < '0' || c > '9') return invalid;
  if (digits === '' || (digits.length > 1 && digits[0] === '0')) return invalid;
  if (digits.length > 20 || BigInt(digits) > MAX_SAFE) return invalid;
  const seq = Number(digits);
  if (epoch !== state.epoch) return { kind: 'reset', reason: 'epoch' };
  if (seq > state.head) return { kind: 'reset', reason: 'unknown' };
  if (seq < state.oldest - 1) return { kind: 'reset', reason: 'expired' };
  return { kind: 'replay', after: seq };
}

/** Bytes Node's HTTP parser lets through in a header value: tab, visible ASCII, and obs-text. */
const HEADER_BYTES: readonly number[] = [0x09, ...range(0x20, 0x7e), ...range(0x80, 0xff)];

/**
 * Generates `count` hostile `Last-Event-ID` values, seeded, over every category the issue names,
 * each with its expected answer.
 */
export function generateHostileCases(rng: Rng, count: number, state: FeedState): HostileCase[] {
  const id = (seq: number | bigint | string, epoch = state.epoch): string => `${epoch}-${seq}`;
  const otherEpoch = (): string => {
    let epoch = '';
    do epoch = Array.from({ length: 12 }, () => rng.pick([...HEX])).join('');
    while (epoch === state.epoch);
    return epoch;
  };
  const randomBytes = (min: number, max: number): Buffer =>
    Buffer.from(Array.from({ length: min + rng.int(max - min + 1) }, () => rng.pick(HEADER_BYTES)));
  const retainedSeq = (): number => state.oldest - 1 + rng.int(state.head - state.oldest + 2);
  const numbers = (): string => {
    const big = [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 64n + 1n, 10n ** 20n, 10n ** 30n];
    const forms = [
      () => String(rng.pick(big)),
      () => `-${rng.int(100)}`,
      () => `+${rng.int(100)}`,
      () => `${rng.int(100)}.${rng.int(10)}`,
      () => `${1 + rng.int(9)}e${rng.int(4)}`,
      () => `${1 + rng.int(9)}E+${rng.int(4)}`,
      () => `0x${rng.int(255).toString(16)}`,
      () => `0${1 + rng.int(99)}`,
      () => rng.pick(['Infinity', 'NaN', '-0', '0.0', '1_000', '٣', '１', '0b11', '0o7']),
      () => '9'.repeat(17 + rng.int(300)),
    ];
    return id(rng.pick(forms)());
  };
  const mutate = (value: string): string => {
    const at = rng.int(value.length + 1);
    const c = String.fromCharCode(rng.pick(HEADER_BYTES.filter((b) => b < 0x80)));
    const op = rng.int(3);
    if (op === 0) return value.slice(0, at) + c + value.slice(at);
    if (op === 1) return value.slice(0, at) + value.slice(at + 1);
    return value.slice(0, at) + c + value.slice(at + 1);
  };
  const whitespace = (): string => {
    const pad = (): string => Array.from({ length: rng.int(4) }, () => rng.pick([' ', '\t'])).join('');
    const value = id(retainedSeq());
    const forms = [
      () => pad() + value + pad(),
      () => value.slice(0, 13) + ' ' + value.slice(13),
      () => value + '\u00a0',
      () => '\u00a0' + value,
      () => value + '\t1',
      () => pad() || ' ',
    ];
    return rng.pick(forms)();
  };

  const generators: [string, number, () => HostileCase][] = [
    ['random bytes', 20, () => header(randomBytes(1, 64))],
    ['random long bytes', 4, () => header(randomBytes(129, 8000))],
    ['long strings', 4, () => text('x'.repeat(129 + rng.int(12_000)))],
    ['numbers and signs', 16, () => text(numbers())],
    ['one-byte mutation', 12, () => text(mutate(id(retainedSeq())))],
    ['whitespace', 8, () => text(whitespace())],
    ['other epoch', 8, () => text(id(rng.int(state.head + 50), otherEpoch()))],
    ['upper-case epoch', 2, () => text(id(retainedSeq(), state.epoch.toUpperCase()))],
    ['from the future', 8, () => text(id(rng.pick([state.head + 1, state.head + 1 + rng.int(1_000_000), Number(MAX_SAFE)])))],
    ['evicted', 8, () => text(id(rng.int(Math.max(1, state.oldest - 1))))],
    ['retained', 8, () => text(id(retainedSeq()))],
    ['duplicate headers', 3, () => twice(id(retainedSeq()), id(retainedSeq()))],
    ['query parameter', 6, () => query(rng.pick([id(retainedSeq()), numbers(), mutate(id(retainedSeq())), id(1, otherEpoch())]))],
    ['header and query', 3, () => both(rng.pick([id(retainedSeq()), mutate(id(retainedSeq())), '']), id(retainedSeq()))],
    ['empty', 1, () => text('')],
  ];
  const total = generators.reduce((sum, [, weight]) => sum + weight, 0);
  const out: HostileCase[] = [];
  for (let i = 0; i < count; i++) {
    // Every category appears at least once, whatever the count; after that, by weight.
    let pick = i < generators.length ? (generators[i] as (typeof generators)[number]) : undefined;
    if (pick === undefined) {
      let roll = rng.int(total);
      for (const generator of generators) {
        roll -= generator[1];
        if (roll < 0) {
          pick = generator;
          break;
        }
      }
    }
    const [category, , make] = pick as (typeof generators)[number];
    out.push({ ...make(), category });
  }
  return out;

  function header(bytes: Buffer): HostileCase {
    return { category: '', headers: [Buffer.concat([Buffer.from('Last-Event-ID: '), bytes])], query: '', expected: expectedFor(bytes.toString('latin1'), state) };
  }
  function text(value: string): HostileCase {
    // Characters past U+00FF go out as their UTF-8 bytes, which Node reads back as latin1.
    return header(Buffer.from(value, /^[\u0000-\u00ff]*$/.test(value) ? 'latin1' : 'utf8'));
  }
  function twice(a: string, b: string): HostileCase {
    // Node joins repeated unknown headers with ", ", so the server sees one value that is no id.
    return {
      category: '',
      headers: [Buffer.from(`Last-Event-ID: ${a}`), Buffer.from(`Last-Event-ID: ${b}`)],
      query: '',
      expected: expectedFor(`${a}, ${b}`, state),
    };
  }
  function both(inHeader: string, inQuery: string): HostileCase {
    // The header wins; an empty header counts as absent, so the query then decides.
    const decided = expectedFor(inHeader, state).kind === 'fresh' ? inQuery : inHeader;
    return { ...query(inQuery), headers: [Buffer.from(`Last-Event-ID: ${inHeader}`, 'latin1')], expected: expectedFor(decided, state) };
  }
  function query(value: string): HostileCase {
    const encoded = [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    return { category: '', headers: [], query: `?lastEventId=${encoded}`, expected: expectedFor(value, state) };
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

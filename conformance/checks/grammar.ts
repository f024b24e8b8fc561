import type { ProbeRecord } from '../probe.js';
import { escape, fieldValue, lineKind, splitBlocks, splitLines, type WireLine } from '../wire.js';
import { acceptedTrips, isAccepted, type Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';

/** One connection's body, split once for every grammar rule. */
interface Segment {
  readonly index: number;
  readonly record: ProbeRecord;
  readonly lines: WireLine[];
}

/**
 * Grammar and encoding: SSE-M03, M04, M05, M06, M07, M08, F1, S07, S03, over every byte the
 * observation received and the published round trips.
 */
export function checkGrammar(context: Context): CheckResult[] {
  const segments: Segment[] = context.observation.segments
    .filter((probe) => probe.record.head !== undefined)
    .map((probe, index) => ({ index, record: probe.record, lines: splitLines(probe.record.body, probe.record.arrivals) }));
  const bytes = segments.reduce((sum, s) => sum + s.record.body.length, 0);
  const seen = `${bytes} bytes on ${segments.length} connection${segments.length === 1 ? '' : 's'}`;
  if (bytes === 0) {
    // An empty body proves nothing about the grammar: say so rather than pass.
    const why = segments.length === 0 ? 'no response to read' : `no body bytes in ${segments.length} response${segments.length === 1 ? '' : 's'}`;
    return [
      notApplicable('SSE-M03', why),
      notApplicable('SSE-M04', why),
      notApplicable('SSE-M05', why),
      checkRoundTrips('SSE-M06', context),
      context.roundTrips === undefined ? notApplicable('SSE-M07', why) : checkInjection(segments, context, seen),
      notApplicable('SSE-M08', why),
      checkRoundTrips('SSE-F1', context),
      notApplicable('SSE-S07', why),
      notApplicable('SSE-S03', why),
    ];
  }
  return [
    checkUtf8(segments, seen),
    checkEventEnds(segments, context, seen),
    checkLines(segments, context, seen),
    checkRoundTrips('SSE-M06', context),
    checkInjection(segments, context, seen),
    checkRetryValues(segments, seen),
    checkRoundTrips('SSE-F1', context),
    checkBom(segments, seen),
    checkCommentPlacement(segments),
  ];
}

const at = (segment: Segment, offset: number): string => `connection ${segment.index + 1}, byte ${offset}`;

function checkUtf8(segments: readonly Segment[], seen: string): CheckResult {
  for (const segment of segments) {
    // A body cut by the probe itself may end inside a character: only a cut by the server counts.
    const isCutByUs = segment.record.end === 'stopped' || segment.record.end === 'timeout';
    const bad = firstInvalidUtf8(segment.record.body, isCutByUs);
    if (bad !== -1) {
      const around = segment.record.body.subarray(Math.max(0, bad - 8), bad + 4);
      return fail('SSE-M03', `invalid UTF-8 at ${at(segment, bad)}: ${hexdump(around)}`);
    }
  }
  return pass('SSE-M03', `${seen}, all valid UTF-8`);
}

function checkEventEnds(segments: readonly Segment[], context: Context, seen: string): CheckResult {
  const bound = context.target.latencyMaxMs;
  for (const segment of segments) {
    const { record, lines } = segment;
    const isEndedByServer = record.end !== 'stopped' && record.end !== 'timeout';
    const blocks = splitBlocks(lines);
    const last = blocks[blocks.length - 1];
    if (isEndedByServer && last !== undefined && !last.isEnded && last.lines.some((l) => lineKind(l.text) !== 'comment')) {
      const tail = last.lines.map((l) => l.text).join('\n');
      return fail('SSE-M04', `the stream ended inside an event (discarded by clients) at ${at(segment, last.lines[0]?.offset ?? 0)}: "${escape(tail)}"`);
    }
    for (const block of blocks) {
      const firstField = block.lines.find((l) => lineKind(l.text) !== 'comment');
      if (firstField === undefined) continue;
      const endedAt = block.isEnded ? nextBlankAt(lines, block.lines[block.lines.length - 1] as WireLine) : record.endAtMs ?? firstField.atMs;
      if (endedAt - firstField.atMs > bound) {
        return fail('SSE-M04', `an event waited ${ms(endedAt - firstField.atMs)} for its blank line at ${at(segment, firstField.offset)}: "${escape(firstField.text)}"`);
      }
    }
  }
  return pass('SSE-M04', `${seen}; every event ended by a blank line`);
}

function nextBlankAt(lines: readonly WireLine[], last: WireLine): number {
  const index = lines.indexOf(last);
  return lines[index + 1]?.atMs ?? last.atMs;
}

/**
 * A field name a client ignores but that was meant as data, event, id or retry: another case,
 * indented, or with spaces before the colon. Other unknown names are the format's extension point.
 */
export function nearMiss(text: string): string | undefined {
  const colon = text.indexOf(':');
  const name = colon === -1 ? text : text.slice(0, colon);
  const meant = name.trim().toLowerCase();
  return name !== meant && (meant === 'data' || meant === 'event' || meant === 'id' || meant === 'retry') ? meant : undefined;
}

function checkLines(segments: readonly Segment[], context: Context, seen: string): CheckResult {
  let unknown = 0;
  for (const segment of segments) {
    for (const block of splitBlocks(segment.lines)) {
      // Blocks carrying a published payload are judged by the round-trip rules (M06, F1).
      if (block.lines.some((l) => l.text.includes(context.nonce))) continue;
      for (const line of block.lines) {
        // A misplaced byte order mark is SSE-S07's to report.
        if (line.text.startsWith('\ufeff') || lineKind(line.text) !== 'unknown') continue;
        const meant = nearMiss(line.text);
        if (meant !== undefined) {
          return fail('SSE-M05', `line "${escape(line.text)}" at ${at(segment, line.offset)} is ignored by clients: a near miss of ${meant}:`);
        }
        unknown++;
      }
    }
  }
  return pass('SSE-M05', `${seen}; no near miss of data/event/id/retry${unknown === 0 ? '' : ` (${unknown} lines of other fields, which clients ignore)`}`);
}

function checkRoundTrips(id: 'SSE-M06' | 'SSE-F1', context: Context): CheckResult {
  if (context.roundTrips === undefined) return notApplicable(id, 'needs --publish <url> to send chosen payloads');
  const trips = acceptedTrips(context, id);
  if (trips.length === 0) {
    const statuses = (context.roundTrips ?? []).filter((t) => t.payload.rule === id).map((t) => t.answer.status ?? t.answer.error);
    return notApplicable(id, `the publish URL accepted none of the payloads (answers: ${[...new Set(statuses)].join(', ')})`);
  }
  for (const trip of trips) {
    const { payload, event } = trip;
    if (event === undefined) return fail(id, `the payload with ${payload.what} never arrived (${trip.token})`);
    if (event.data !== payload.expectData) {
      return fail(id, `payload with ${payload.what}: sent "${escape(payload.data)}", client got "${escape(event.data)}"`);
    }
    if (event.type !== payload.expectType) {
      return fail(id, `payload with ${payload.what}: event type "${escape(payload.expectType)}", client got "${escape(event.type)}"`);
    }
  }
  return pass(id, `${trips.length} payloads (${trips.map((t) => t.payload.what).join(', ')}) arrived exactly`);
}

function checkInjection(segments: readonly Segment[], context: Context, seen: string): CheckResult {
  for (const segment of segments) {
    for (const line of segment.lines) {
      if (lineKind(line.text) === 'id' && fieldValue(line.text).includes('\0')) {
        return fail('SSE-M07', `an id holding U+0000 (ignored by clients) at ${at(segment, line.offset)}: "${escape(line.text)}"`);
      }
    }
  }
  if (context.roundTrips === undefined) return pass('SSE-M07', `${seen}; no NULL in ids (injection not tried: no --publish)`);
  const notes: string[] = [];
  for (const trip of context.roundTrips.filter((t) => t.payload.rule === 'SSE-M07')) {
    const forbidden = trip.payload.forbiddenLine as string;
    for (const segment of segments) {
      const line = segment.lines.find((l) => l.text === forbidden);
      if (line !== undefined) {
        return fail('SSE-M07', `event name with ${trip.payload.what.replace(' in the event name', '')} was written raw: line "${escape(line.text)}" at ${at(segment, line.offset)}`);
      }
    }
    notes.push(`${trip.payload.what}: ${isAccepted(trip) ? 'accepted, not injected' : `refused (${trip.answer.status ?? trip.answer.error})`}`);
  }
  return pass('SSE-M07', `no NULL in ids; ${notes.join('; ')}`);
}

function checkRetryValues(segments: readonly Segment[], seen: string): CheckResult {
  const values: number[] = [];
  for (const segment of segments) {
    for (const line of segment.lines) {
      if (lineKind(line.text) !== 'retry') continue;
      const value = fieldValue(line.text);
      if (!/^[0-9]+$/.test(value)) {
        return fail('SSE-M08', `"${escape(line.text)}" at ${at(segment, line.offset)} is ignored by clients (digits only)`);
      }
      // [spec] browsers wait exactly the hint, with no back-off: below a second, a reconnect storm.
      if (Number(value) < 1000) return fail('SSE-M08', `"${escape(line.text)}" at ${at(segment, line.offset)}: below 1000 ms, every client comes back several times a second while the server is down`);
      values.push(Number(value));
    }
  }
  return pass('SSE-M08', values.length === 0 ? `${seen}; no retry: field sent` : `${values.length} retry: values, all digits, ${Math.min(...values)}–${Math.max(...values)} ms`);
}

function checkBom(segments: readonly Segment[], seen: string): CheckResult {
  for (const segment of segments) {
    const body = segment.record.body;
    const hasLeading = body.subarray(0, 3).equals(BOM);
    for (const line of segment.lines) {
      if (line.text.startsWith('\ufeff')) {
        const where = hasLeading && line.offset === 3 ? 'a second BOM at the start' : 'a BOM';
        return fail('SSE-S07', `${where} at ${at(segment, line.offset)}: the next field name becomes "${escape(line.text.slice(0, 12))}"`);
      }
    }
  }
  return pass('SSE-S07', `${seen}; no misplaced byte order mark`);
}

function checkCommentPlacement(segments: readonly Segment[]): CheckResult {
  let comments = 0;
  for (const segment of segments) {
    for (const block of splitBlocks(segment.lines)) {
      let hasField = false;
      for (const line of block.lines) {
        const kind = lineKind(line.text);
        if (kind !== 'comment') hasField = true;
        else if (hasField) return fail('SSE-S03', `comment "${escape(line.text)}" inside an event at ${at(segment, line.offset)}`);
        else comments++;
      }
    }
  }
  return pass('SSE-S03', `${comments} comment lines, none inside an event`);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The offset of the first byte that is not valid UTF-8, or -1.
 *
 * @param allowTruncatedEnd - accept a character cut at the very end (the probe stopped reading)
 */
export function firstInvalidUtf8(bytes: Uint8Array, allowTruncatedEnd: boolean): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const size = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (size === 0) return i;
    for (let k = 1; k < size; k++) {
      if (i + k >= bytes.length) return allowTruncatedEnd ? -1 : i;
      const c = bytes[i + k] as number;
      // The second byte's range excludes overlongs (E0, F0) and surrogates (ED) and code points past U+10FFFF (F4).
      const low = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
      const high = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
      if (c < low || c > high) return i;
    }
    i += size;
  }
  return -1;
}

function hexdump(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

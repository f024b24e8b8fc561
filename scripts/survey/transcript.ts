import { StringDecoder } from 'node:string_decoder';
import type { RawExchange } from './raw.js';
import type { TimedText } from './sse-text.js';

/** Bytes as readable text: CR and LF shown and kept as line ends, other control bytes as \xNN. */
export function visible(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x0a) out += '\\n\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x20 || byte === 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}

function prefixed(prefix: string, text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => `${index === 0 ? prefix : ' '.repeat(prefix.length)}${line}`);
}

/**
 * An exchange as a transcript: the request (→), then every read from the socket (←) with its
 * time since the request, byte for byte (bytes above 0x7f shown as latin1), cut after `maxBytes`.
 */
export function transcript(exchange: RawExchange, maxBytes = 1600): string {
  const lines = prefixed('→        ', visible(exchange.request));
  let shown = 0;
  let total = 0;
  for (const read of exchange.wire) {
    total += read.bytes.length;
    if (shown >= maxBytes) continue;
    const part = read.bytes.subarray(0, maxBytes - shown);
    shown += part.length;
    lines.push(...prefixed(`← ${`+${read.atMs}ms`.padEnd(7)} `, visible(part)));
  }
  if (total > shown) lines.push(`  … ${total - shown} more bytes`);
  lines.push(`  [${exchange.end ?? 'open'} after ${exchange.endAtMs ?? '?'} ms${exchange.error === undefined ? '' : `: ${exchange.error}`}]`);
  return lines.join('\n');
}

/** The de-chunked body as timed text, decoding UTF-8 across piece boundaries. */
export function timedText(exchange: RawExchange): TimedText[] {
  const decoder = new StringDecoder('utf8');
  return exchange.body.map((piece) => ({ atMs: piece.atMs, text: decoder.write(piece.bytes) }));
}

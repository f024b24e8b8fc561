import type { PublishInput } from '../hub/channel.js';
import { isEpoch, newEpoch } from '../hub/epoch.js';
import { encodeEvent } from '../protocol/encode.js';
import { RedisEpochError } from '../protocol/errors.js';
import type { RespValue } from './resp.js';
import { formatStreamEventId, parseStreamId, type StreamId } from './stream-id.js';

// The entry codec of the Redis broker: how an event is stored in a stream entry (`e` the event
// name, `d` the data) and read back as the encoded event, and the epoch kept beside the stream.

/** One stream entry as read back: its id and the event it carries, encoded. */
export interface Entry {
  readonly id: StreamId;
  readonly bytes: Buffer;
}

/** The fields of the entry that stores `input`: `e` (only when named) and `d`. */
export function entryFields(input: PublishInput): string[] {
  return input.event === undefined ? ['d', input.data] : ['e', input.event, 'd', input.data];
}

export { RedisEpochError };

/**
 * Reads the stream's epoch, creating it when Redis has none (a new or emptied Redis).
 *
 * @throws {@link RedisEpochError} when the key holds something else
 */
export async function readEpoch(send: (args: readonly (string | Buffer)[]) => Promise<RespValue>, key: string): Promise<string> {
  await send(['SET', key, newEpoch(), 'NX']);
  const value = await send(['GET', key]);
  const epoch = Buffer.isBuffer(value) ? value.toString('latin1') : '';
  if (!isEpoch(epoch)) {
    throw new RedisEpochError(`Redis answers, but ${key} holds ${JSON.stringify(epoch)}, not an epoch (12 lowercase hex digits); delete it or use another --redis-key.`);
  }
  return epoch;
}

/**
 * Reads entries as `XRANGE` gives them (`[[id, [field, value, …]], …]`), encoding each as the
 * event it carries. An entry this server did not write still keeps its place, with no bytes, so
 * the window stays contiguous.
 */
export function parseEntries(reply: RespValue, epoch: string): Entry[] {
  if (!Array.isArray(reply)) return [];
  const entries: Entry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || !Buffer.isBuffer(item[0])) continue;
    const id = parseStreamId(item[0].toString('latin1'));
    if (id === undefined) continue;
    const fields = Array.isArray(item[1]) ? item[1] : [];
    let event: string | undefined;
    let data: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i];
      const value = fields[i + 1];
      if (!Buffer.isBuffer(name) || !Buffer.isBuffer(value)) continue;
      if (name.toString('latin1') === 'e') event = value.toString('utf8');
      else if (name.toString('latin1') === 'd') data = value.toString('utf8');
    }
    let bytes: Buffer = Buffer.alloc(0);
    if (data !== undefined) {
      try {
        bytes = encodeEvent({ event, id: formatStreamEventId(epoch, id), data });
      } catch {
        // Not an event this server could have written: it keeps its place, but sends nothing.
      }
    }
    entries.push({ id, bytes });
  }
  return entries;
}

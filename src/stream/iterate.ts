// The portable encoder: WebSseStream (sse-reference/web) uses this too; node:http takes its Uint8Array as it takes a Buffer.
import { encodeEvent } from '../protocol/web-encode.js';
import { serializeData } from '../protocol/serialize.js';
import type { EventSink } from './sink.js';

/** One item of a single-client source: a string (the data of a `message`), or an event whose data is a string (sent verbatim) or any JSON value. */
export type SourceItem = string | { readonly event?: string | undefined; readonly data: unknown; readonly id?: string | undefined };

/** Options of {@link sendFrom}. */
export interface SendFromOptions {
  /** End the stream when the source is done. @defaultValue true */
  readonly end?: boolean;
}

/**
 * Writes every item of `source` to one stream as it comes, waiting for the stream to drain
 * whenever it is full: a source faster than its client is paused, not buffered.
 *
 * When the client leaves, the source's iterator is closed (`return()`), so a generator's `finally`
 * runs (e.g. to cancel the model call that produces tokens).
 *
 * @returns `done` when the source ended, `closed` when the stream closed first
 * @throws what the source threw, or an {@link SseError} for an item that cannot be encoded; the
 *   stream is ended first, so the client is not left waiting
 */
export async function sendFrom(stream: Pick<EventSink, 'isClosed' | 'write' | 'drain' | 'onClose' | 'end'>, source: AsyncIterable<SourceItem> | Iterable<SourceItem>, options: SendFromOptions = {}): Promise<'done' | 'closed'> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  // Raced against each next(): a source that waits long (a model thinking) must not keep a gone client's stream.
  const closed = new Promise<void>((resolve) => stream.onClose(() => resolve()));
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), closed.then(() => undefined)]);
      if (next === undefined || stream.isClosed) {
        await iterator.return?.();
        return 'closed';
      }
      if (next.done === true) break;
      const item = next.value;
      const bytes = typeof item === 'string'
        ? encodeEvent({ data: item })
        : encodeEvent({ event: item.event, id: item.id, data: serializeData(item.data) });
      // write() queues the bytes either way (Node never refuses them); waiting for 'drain'
      // before the next item is what keeps a fast source from growing the queue.
      if (!stream.write(bytes) || !(await stream.drain())) {
        await iterator.return?.();
        return 'closed';
      }
    }
  } catch (error) {
    stream.end();
    throw error;
  }
  if (options.end !== false) stream.end();
  return 'done';
}

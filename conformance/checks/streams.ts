import type { ProbeRecord } from '../probe.js';
import { hasHead, isStream, openStream, publish } from '../session.js';
import { parseTimed, type TimedEvent } from '../wire.js';
import type { Context } from './context.js';

/**
 * Opens a stream with an optional `Last-Event-ID` (exact bytes allowed) and reads until its head
 * (or, with `untilEvent`, its first event), all within the target's timeout. When no event comes
 * within half a second and the target can publish, one event is published to wake the stream.
 */
export async function readStream(
  context: Context,
  lastEventId: string | Buffer | undefined,
  untilEvent: boolean,
): Promise<{ readonly record: ProbeRecord; readonly events: TimedEvent[] }> {
  const { target } = context;
  const extra: [string, string | Buffer][] = lastEventId === undefined ? [] : [['Last-Event-ID', lastEventId]];
  const probe = openStream(target, context.observation.url, context.answerWaitMs + target.timeoutMs, extra);
  await probe.waitFor(hasHead, context.answerWaitMs);
  if (untilEvent && isStream(probe.record)) {
    const hasEvent = (): boolean => parseTimed(probe.body, []).events.length > 0;
    const quick = await probe.waitFor(hasEvent, 500);
    if (!quick && target.publishUrl !== undefined && !probe.isEnded) {
      await publish(target, `[${context.nonce} wake-up]`);
    }
    await probe.waitFor(hasEvent, target.timeoutMs);
  }
  const record = await probe.close();
  if (isStream(record) && untilEvent) context.otherStreams.push(record);
  return { record, events: parseTimed(record.body, record.arrivals).events };
}

/**
 * Why rules that need a working stream cannot apply to this target, or undefined when its first
 * connection answered 200 with text/event-stream.
 */
export function streamProblem(context: Context): string | undefined {
  const record = context.observation.first.record;
  if (isStream(record)) return undefined;
  return `the stream answers ${describeAnswer(record)}, not a 200 event stream (SSE-M01, SSE-M02)`;
}

/** Runs `work` over `items`, at most `limit` at a time; results keep the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A one-line description of a record's answer: status and media type, or why there was none. */
export function describeAnswer(record: ProbeRecord): string {
  if (record.head === undefined) return `no answer (${record.end ?? 'waiting'}${record.error === undefined ? '' : `: ${record.error}`})`;
  const type = record.head.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  return `${record.head.status}${type === undefined ? '' : ` ${type}`}`;
}

import type { Probe, ProbeRecord } from '../probe.js';
import { publish } from '../publish.js';
import { hasHead, isStream, openStream } from '../stream-request.js';
import { parseTimed, type TimedEvent } from '../wire.js';
import type { Context } from './context.js';

/** A stream a check opened and read, with the run's clock at the moment it was opened. */
export interface ReadStream {
  readonly record: ProbeRecord;
  readonly events: TimedEvent[];
  /** `performance.now()` when the request was written: `openedAt + atMs` is on the observation's clock. */
  readonly openedAt: number;
}

/** How long {@link readStream} reads. */
export interface ReadOptions {
  /** Read until this many events matching `counts` arrived (or the timeout). @defaultValue 0 */
  readonly events?: number;
  /** Which events count towards `events`. @defaultValue every event */
  readonly counts?: (event: TimedEvent) => boolean;
  /** Read at least this long after the head, so a burst sent at once is seen whole. @defaultValue 0 */
  readonly atLeastMs?: number;
  /** The longest wait for `events`, after the head. @defaultValue the target's timeout */
  readonly forMs?: number;
}

/**
 * Opens a stream with an optional `Last-Event-ID` (exact bytes allowed) and reads until its head,
 * then as `options` asks. When the events do not come within half a second and the target can
 * publish, one event is published to wake the stream.
 */
export async function readStream(context: Context, lastEventId: string | Buffer | undefined, options: ReadOptions = {}): Promise<ReadStream> {
  const { target } = context;
  const wanted = options.events ?? 0;
  const counts = options.counts ?? (() => true);
  const forMs = options.forMs ?? target.timeoutMs;
  const extra: [string, string | Buffer][] = lastEventId === undefined ? [] : [['Last-Event-ID', lastEventId]];
  const openedAt = performance.now();
  const probe = tracked(context, openStream(target, context.observation.url, context.answerWaitMs + forMs + (options.atLeastMs ?? 0), extra));
  await probe.waitFor(hasHead, context.answerWaitMs);
  if (isStream(probe.record)) {
    const headAt = performance.now();
    if (wanted > 0) {
      const hasEvents = (): boolean => parseTimed(probe.body, probe.record.arrivals).events.filter(counts).length >= wanted;
      const quick = await probe.waitFor(hasEvents, Math.min(500, forMs));
      if (!quick && target.publishUrl !== undefined && !probe.isEnded) {
        for (let n = 0; n < wanted; n++) await publish(target, `[${context.nonce} wake-up]`);
      }
      await probe.waitFor(hasEvents, Math.max(0, headAt + forMs - performance.now()));
    }
    const rest = headAt + (options.atLeastMs ?? 0) - performance.now();
    if (rest > 0) await probe.waitFor((p) => p.isEnded, rest);
  }
  const record = await probe.close();
  if (isStream(record)) context.otherStreams.push(record);
  return { record, events: parseTimed(record.body, record.arrivals).events, openedAt };
}

/** Notes when a connection the checks opened gets its head: SSE-M16 looks at the main stream right after. */
export function tracked(context: Context, probe: Probe): Probe {
  const sentAt = performance.now();
  void probe.waitFor(hasHead, context.answerWaitMs).then((hasIt) => hasIt && context.opened.push({ sentAt, headAt: performance.now() }));
  return probe;
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

/**
 * Whether the server still serves a fresh stream after a probe; when it does not, the run
 * remembers what it did last (`context.stalled`), so later probes with no answer are not blamed.
 *
 * @param after - what the suite did last, for the evidence ("HEAD")
 * @param isAlone - nothing else is open (the main stream closed): check even a server that serves one stream at a time
 * @returns whether a stream was served
 */
export async function isStillServing(context: Context, after: string, isAlone = false): Promise<boolean> {
  if (context.stalled !== undefined || (context.capacity.slots === 0 && !isAlone) || streamProblem(context) !== undefined) return true;
  const probe = tracked(context, openStream(context.target, context.observation.url, context.answerWaitMs));
  await probe.waitFor(hasHead, context.answerWaitMs);
  const record = await probe.close();
  if (record.head !== undefined) return true;
  context.stalled = `the server stopped answering after ${after} (a fresh stream got ${describeAnswer(record)})`;
  return false;
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
  // A 200 that is not an event stream is as fatal to EventSource as an error status: say why.
  if (record.head.status === 200 && !isStream(record)) return `200 ${type === undefined ? 'with no Content-Type' : type}, not an event stream`;
  return `${record.head.status}${type === undefined ? '' : ` ${type}`}`;
}

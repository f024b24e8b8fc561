import { createRequire } from 'node:module';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckEvidence } from './evidence.js';
import { numericIds } from './sse-text.js';

/**
 * A real client's view: the `eventsource` package (installed in the scratch folder) reads the
 * stream through a loopback TCP relay that the survey cuts after a few events, as a network would.
 * The client then reconnects by itself, with its Last-Event-ID; what it hands the application after
 * that (a duplicate, a gap, nothing at all) is the cost of the server's resume.
 */

/** What the application saw, in order. */
export interface ClientLog {
  readonly entries: { readonly atMs: number; readonly kind: 'open' | 'event' | 'error' | 'cut'; readonly text: string; readonly type?: string; readonly data?: string; readonly lastEventId?: string }[];
  /** Whether the client was CLOSED (gave up) when the watch ended. */
  readonly gaveUp: boolean;
}

/** A TCP relay to a target that can cut every connection it carries. */
export interface Relay {
  readonly url: string;
  cut(): void;
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1 to `target` (a URL); the path of `target` is kept. */
export function startRelay(target: string): Promise<Relay> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect({ host: to.hostname, port: Number(to.port) });
    sockets.add(downstream).add(upstream);
    const drop = (): void => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}${to.pathname}${to.search}`,
        cut: () => {
          for (const socket of sockets) socket.destroy();
          sockets.clear();
        },
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

interface EventSourceLike extends EventTarget {
  readonly readyState: number;
  close(): void;
}
type EventSourceClass = new (url: string) => EventSourceLike;

/** Loads `eventsource` from the scratch folder's node_modules. */
export async function loadEventSource(npmDir: string): Promise<EventSourceClass> {
  const require = createRequire(join(npmDir, 'package.json'));
  const entry = require.resolve('eventsource');
  const module = (await import(pathToFileURL(entry.replace(/index\.cjs$/, 'index.js')).href)) as { EventSource: EventSourceClass };
  return module.EventSource;
}

/**
 * Watches through a relay: after `cutAfter` events the relay cuts the connection; the watch ends
 * `afterCut` events after the client reopened, when the client gives up, or after `maxMs`.
 */
export async function watchWithCut(EventSource: EventSourceClass, url: string, options: { cutAfter?: number; afterCut?: number; maxMs?: number } = {}): Promise<ClientLog> {
  const { cutAfter = 3, afterCut = 3, maxMs = 16_000 } = options;
  const relay = await startRelay(url);
  const started = performance.now();
  const now = (): number => Math.round(performance.now() - started);
  const entries: ClientLog['entries'][number][] = [];
  let source: EventSourceLike | undefined;
  let gaveUp = false;
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      let before = 0;
      let after = 0;
      let isCut = false;
      let reopened = false;
      const es = new EventSource(relay.url);
      source = es;
      const dispatch = es.dispatchEvent.bind(es);
      // eventsource dispatches every event type through dispatchEvent: one hook sees them all.
      (es as { dispatchEvent: (event: Event) => boolean }).dispatchEvent = (event: Event): boolean => {
        if (event.type === 'open') {
          entries.push({ atMs: now(), kind: 'open', text: 'open' });
          if (isCut) reopened = true;
        } else if (event.type === 'error') {
          const detail = event as Event & { message?: string; code?: number };
          entries.push({ atMs: now(), kind: 'error', text: `error${detail.code === undefined ? '' : ` ${detail.code}`}${detail.message === undefined ? '' : `: ${detail.message}`}; readyState ${es.readyState}` });
          if (es.readyState === 2) {
            gaveUp = true;
            clearTimeout(timer);
            resolve();
          }
        } else {
          const message = event as Event & { data: string; lastEventId: string };
          entries.push({ atMs: now(), kind: 'event', text: '', type: message.type, data: message.data, lastEventId: message.lastEventId });
          if (!isCut && ++before >= cutAfter) {
            isCut = true;
            entries.push({ atMs: now(), kind: 'cut', text: `the relay cuts the connection (lastEventId ${JSON.stringify(message.lastEventId)})` });
            relay.cut();
          } else if (isCut && reopened && ++after >= afterCut) {
            clearTimeout(timer);
            resolve();
          }
        }
        return dispatch(event);
      };
    });
  } finally {
    source?.close();
    await relay.close();
  }
  return { entries, gaveUp };
}

/** The log as text, one line per entry. */
export function formatLog(log: ClientLog): string {
  return log.entries
    .map((e) => `${`+${e.atMs}ms`.padEnd(8)} ${e.kind === 'event' ? `event ${e.type} id=${JSON.stringify(e.lastEventId)} data=${JSON.stringify((e.data ?? '').slice(0, 60))}` : e.text}`)
    .join('\n');
}

/** The last integer in a piece of text, or undefined. */
function lastInteger(text: string): bigint | undefined {
  const match = /(\d+)(?!.*\d)/s.exec(text);
  return match === null ? undefined : BigInt(match[1] as string);
}

/**
 * Judges a log: the client gave up; an event reached the application twice; or events were lost
 * across the cut (judged on a sequence the stream itself numbers: the data's counter when every
 * event of the main type carries one rising by one, else integer ids).
 */
export function judgeLog(log: ClientLog): { verdict: 'ok' | 'gave up' | 'duplicate' | 'gap' | 'n/a'; why: string } {
  const cutAt = log.entries.findIndex((e) => e.kind === 'cut');
  if (log.gaveUp) {
    const error = [...log.entries].reverse().find((e) => e.kind === 'error');
    return { verdict: 'gave up', why: `the client closed for good: ${error?.text ?? 'error'}` };
  }
  const reopened = log.entries.findIndex((e, i) => i > cutAt && e.kind === 'open');
  if (cutAt < 0 || reopened < 0) return { verdict: 'n/a', why: cutAt < 0 ? 'too few events to cut' : 'the client had not reconnected when the watch ended' };
  const all = log.entries.filter((e) => e.kind === 'event');
  const counts = new Map<string, number>();
  for (const e of all) counts.set(e.type ?? '', (counts.get(e.type ?? '') ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const events = log.entries.map((e, i) => ({ e, i })).filter(({ e }) => e.kind === 'event' && e.type === main);
  // Without ids there is no resume to judge: what a cut costs such a stream is its design, not a resume's defect.
  if (events.every(({ e }) => (e.lastEventId ?? '') === '')) return { verdict: 'n/a', why: 'the stream carries no ids: a reconnecting client has nothing to resume from' };
  const keys = events.map(({ e }) => `${e.lastEventId}\u0000${e.data}`);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i && (k.split('\u0000')[0] ?? '') !== '');
  if (twice !== undefined) return { verdict: 'duplicate', why: `event id=${JSON.stringify(twice.split('\u0000')[0])} reached the application twice` };
  const beforeCut = events.filter(({ i }) => i < cutAt);
  const afterCut = events.filter(({ i }) => i > reopened);
  const counters = events.map(({ e }) => lastInteger(e.data ?? ''));
  const risesByOne = (list: readonly (bigint | undefined)[]): boolean => list.length >= 2 && list.every((n, i) => n !== undefined && (i === 0 || n === (list[i - 1] as bigint) + 1n));
  let sequence: { before: readonly bigint[]; after: readonly bigint[]; by: string; step: bigint } | undefined;
  if (risesByOne(counters.slice(0, beforeCut.length)) && counters.every((n) => n !== undefined)) {
    sequence = { before: counters.slice(0, beforeCut.length) as bigint[], after: counters.slice(events.length - afterCut.length) as bigint[], by: 'the counter in the data', step: 1n };
  } else {
    const ids = numericIds(events.map(({ e }) => e.lastEventId ?? ''));
    const before = ids?.slice(0, beforeCut.length) ?? [];
    const steps = before.slice(1).map((n, i) => n - (before[i] as bigint));
    // Ids that rise by a steady step (a counter other streams share, a clock): a jump past the largest step is a gap.
    if (ids !== undefined && steps.length > 0 && steps.every((d) => d > 0n)) {
      const step = steps.reduce((a, b) => (a > b ? a : b));
      sequence = { before, after: ids.slice(events.length - afterCut.length), by: 'the ids', step };
    }
  }
  if (sequence === undefined || sequence.after.length === 0 || sequence.before.length === 0) return { verdict: 'n/a', why: 'the stream numbers nothing the survey can follow across the cut' };
  const last = sequence.before.at(-1) as bigint;
  const first = sequence.after[0] as bigint;
  if (first <= last) return { verdict: 'duplicate', why: `by ${sequence.by}: ${last} before the cut, ${first} after it` };
  if (first > last + sequence.step) {
    const lost = sequence.step === 1n ? `: ${first - last - 1n} events lost` : `, more than the largest step before the cut (${sequence.step}): events lost`;
    return { verdict: 'gap', why: `by ${sequence.by}: ${last} before the cut, ${first} after it${lost}` };
  }
  return { verdict: 'ok', why: `by ${sequence.by}: ${last} before the cut, ${first} after it` };
}

/** The client check as survey evidence. */
export async function clientCheck(EventSource: EventSourceClass, url: string): Promise<CheckEvidence> {
  const log = await watchWithCut(EventSource, url);
  const { verdict, why } = judgeLog(log);
  const costs: Record<string, string> = {
    'gave up': 'after one network blip the page stops receiving anything until it is reloaded',
    duplicate: 'after a network blip the application handles events it already handled',
    gap: 'after a network blip the application silently misses the events sent meanwhile',
  };
  const cost = costs[verdict];
  return {
    id: 'client',
    title: 'A real client (eventsource 4) whose connection is cut after three events',
    verdict: verdict === 'ok' ? 'ok' : verdict === 'n/a' ? 'n/a' : 'defect',
    summary: `${verdict}: ${why}`,
    ...(cost === undefined ? {} : { cost }),
    transcript: formatLog(log),
    opinions: verdict === 'gave up' ? [{ rule: 'SSE-M12', verdict: 'fail', why, ...(cost === undefined ? {} : { cost }) }] : verdict === 'duplicate' || verdict === 'gap' ? [{ rule: 'SSE-S10', verdict: 'fail', why, ...(cost === undefined ? {} : { cost }) }] : verdict === 'ok' ? [{ rule: 'SSE-S10', verdict: 'pass', why }] : [],
  };
}

/**
 * Judges a log of a stream that was never cut: when the server ended it, did the client's
 * reconnect lose what was published meanwhile? Judged on the counter in the data (the survey's
 * apps number their events), across each reconnect; n/a when the server never ended the stream.
 */
export function judgeEnds(log: ClientLog): { verdict: 'ok' | 'gap' | 'n/a'; why: string; ends: number; ids: boolean } {
  const opens = log.entries.filter((e) => e.kind === 'open').length;
  const events = log.entries.filter((e) => e.kind === 'event');
  const ids = events.some((e) => (e.lastEventId ?? '') !== '');
  const ends = Math.max(0, opens - 1);
  if (log.gaveUp) return { verdict: 'n/a', why: 'the client gave up (judged by the client check)', ends, ids };
  if (ends === 0) return { verdict: 'n/a', why: `the server kept the stream open for the whole watch (${events.length} events)`, ends, ids };
  const counters = events.map((e) => lastInteger(e.data ?? ''));
  if (counters.length < 2 || counters.some((n) => n === undefined)) return { verdict: 'n/a', why: `the stream ended ${times(ends)}; its data carries no counter to follow`, ends, ids };
  const losses: string[] = [];
  let previous: bigint | undefined;
  let sinceOpen = 0;
  for (const entry of log.entries) {
    if (entry.kind === 'open') sinceOpen = 0;
    if (entry.kind !== 'event') continue;
    const n = lastInteger(entry.data ?? '') as bigint;
    if (previous !== undefined && sinceOpen === 0 && n > previous + 1n) losses.push(`${previous} then ${n}`);
    previous = n;
    sinceOpen++;
  }
  const how = `the server ended the stream ${times(ends)} in the watch; its events ${ids ? 'carried' : 'carried no'} ids`;
  if (losses.length === 0) return { verdict: 'ok', why: `${how}; each reconnect went on from the next event`, ends, ids };
  return { verdict: 'gap', why: `${how}; across the reconnects the counter in the data went ${losses.slice(0, 4).join(', ')}: the events between were lost`, ends, ids };
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** A real client left alone for 12 s: what it loses when the server itself ends the stream. */
export async function endsCheck(EventSource: EventSourceClass, url: string): Promise<CheckEvidence> {
  const log = await watchWithCut(EventSource, url, { cutAfter: Number.POSITIVE_INFINITY, maxMs: 12_000 });
  const { verdict, why, ids } = judgeEnds(log);
  const cost = 'the events published while the client waits to reconnect are lost, every time the server ends the stream';
  return {
    id: 'ends',
    title: 'A real client (eventsource 4) left alone for 12 s: a stream the server ends',
    verdict: verdict === 'gap' ? 'defect' : verdict,
    summary: why,
    ...(verdict === 'gap' ? { cost } : {}),
    transcript: formatLog(log),
    opinions: verdict === 'n/a' ? [] : [{ rule: 'SSE-S25', verdict: verdict === 'gap' && !ids ? 'fail' : 'pass', why, ...(verdict === 'gap' ? { cost } : {}) }],
  };
}

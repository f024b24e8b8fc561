import type { Observation, SeenEvent } from './observation.js';
import { publish, type PublishAnswer } from './publish.js';
import type { ResolvedTarget } from './target.js';

/** A payload the suite publishes and what a client must receive for it. */
export interface PayloadCase {
  /** The rule the case proves. */
  readonly rule: 'SSE-F1' | 'SSE-M06' | 'SSE-M07';
  /** A few words for the evidence. */
  readonly what: string;
  readonly data: string;
  readonly event?: string;
  /** The data a client must see (line breaks normalised to LF, as the spec makes them). */
  readonly expectData: string;
  readonly expectType: string;
  /** A line that must never appear on the wire (field injection through the event name). */
  readonly forbiddenLine?: string;
}

/** One published case and what came back. */
export interface RoundTrip {
  readonly payload: PayloadCase;
  /** The marker inside the data that finds the event again. */
  readonly token: string;
  readonly answer: PublishAnswer;
  readonly event: SeenEvent | undefined;
  /** From the publish answer to the event's arrival. */
  readonly latencyMs: number | undefined;
}

/**
 * The payloads, each marked with `[<nonce> #<n>]` so its event can be found among others. The
 * marker is never at the start, so a lost leading space shows.
 */
export function payloadCases(nonce: string): PayloadCase[] {
  const cases: Omit<PayloadCase, 'expectData' | 'expectType'>[] = [
    { rule: 'SSE-F1', what: 'plain text', data: '{T} plain' },
    { rule: 'SSE-F1', what: 'a leading space', data: ' {T} leading space' },
    { rule: 'SSE-F1', what: 'two leading spaces', data: '  {T} two leading spaces' },
    { rule: 'SSE-F1', what: 'a trailing line break', data: '{T} trailing line break\n' },
    { rule: 'SSE-F1', what: 'an empty line inside', data: '{T}\n\nblank line inside' },
    { rule: 'SSE-F1', what: 'a leading colon', data: ':{T} leading colon' },
    { rule: 'SSE-F1', what: 'Unicode', data: '{T} é ✓ 😀 ٣ \u2028 \u00a0' },
    { rule: 'SSE-F1', what: 'a named event', data: '{T} named', event: 'sse-conformance' },
    { rule: 'SSE-M06', what: 'LF', data: '{T} a\nb' },
    { rule: 'SSE-M06', what: 'CRLF', data: '{T} a\r\nb' },
    { rule: 'SSE-M06', what: 'a lone CR', data: '{T} a\rb' },
    { rule: 'SSE-M06', what: 'a field in the data', data: '{T} x\nevent: injected' },
    { rule: 'SSE-M07', what: 'LF in the event name', data: '{T} event name with LF', event: 'sse-conformance\nevent: injected {T}' },
    { rule: 'SSE-M07', what: 'CR in the event name', data: '{T} event name with CR', event: 'sse-conformance\revent: injected {T}' },
  ];
  return cases.map((c, n) => {
    const token = `[${nonce} #${n}]`;
    const data = c.data.replaceAll('{T}', token);
    const event = c.event?.replaceAll('{T}', token);
    return {
      ...c,
      data,
      ...(event === undefined ? {} : { event }),
      expectData: data.replace(/\r\n|\r/g, '\n'),
      expectType: c.rule === 'SSE-M07' ? '' : (event ?? 'message'),
      ...(c.rule === 'SSE-M07' ? { forbiddenLine: `event: injected ${token}` } : {}),
    };
  });
}

/** The cases whose arrival times the delivery rules (SSE-M09, M10): the plain payloads of the round trips. */
export const TIMED_CASES = 'SSE-F1';

/** The marker of case `n`. */
export const tokenOf = (nonce: string, n: number): string => `[${nonce} #${n}]`;

/**
 * Publishes every case while the observation watches, then waits for each event.
 *
 * @returns one entry per case, in order
 */
export async function runRoundTrips(target: ResolvedTarget, observation: Observation, nonce: string): Promise<RoundTrip[]> {
  const cases = payloadCases(nonce);
  const answers: PublishAnswer[] = [];
  for (const payload of cases) answers.push(await publish(target, payload.data, payload.event));
  // One deadline for all the waits: a target whose events never come costs one timeout, not fourteen.
  const deadline = performance.now() + target.timeoutMs;
  const trips: RoundTrip[] = [];
  for (const [n, payload] of cases.entries()) {
    const answer = answers[n] as PublishAnswer;
    const token = tokenOf(nonce, n);
    const isPublished = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
    const event = isPublished ? await observation.waitForEvent((e) => e.data.includes(token), Math.max(0, deadline - performance.now())) : undefined;
    trips.push({ payload, token, answer, event, latencyMs: event === undefined ? undefined : Math.max(0, event.at - answer.at) });
  }
  return trips;
}

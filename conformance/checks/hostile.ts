import { Probe } from '../probe.js';
import { isStream, streamRequestHeaders } from '../stream-request.js';
import { knownCause, type Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, mapLimit, readStream, streamProblem, tracked } from './streams.js';

/** Last-Event-ID values no browser sends but anyone can: each written byte for byte. */
const HOSTILE: readonly (readonly [string, readonly (readonly [string, string | Buffer])[]])[] = [
  ['two Last-Event-ID headers', [['Last-Event-ID', '1'], ['Last-Event-ID', '2']]],
  ['4 KiB', [['Last-Event-ID', 'x'.repeat(4096)]]],
  ['17 KiB (over most header limits)', [['Last-Event-ID', 'x'.repeat(17 * 1024)]]],
  ['a NUL byte', [['Last-Event-ID', Buffer.from('1\x002', 'latin1')]]],
  ['a control byte', [['Last-Event-ID', Buffer.from('1\x012', 'latin1')]]],
  ['a DEL byte', [['Last-Event-ID', Buffer.from('1\x7f2', 'latin1')]]],
  ['a bare CR', [['Last-Event-ID', Buffer.from('1\r2', 'latin1')]]],
  ['an obs-fold continuation', [['Last-Event-ID', Buffer.from('1\r\n 2', 'latin1')]]],
];

/** Hostile input: SSE-R1. Any answer but a 5xx, in time, and a healthy server afterwards. */
export async function checkHostile(context: Context): Promise<CheckResult[]> {
  const { target } = context;
  const problem = streamProblem(context);
  if (problem !== undefined) return [notApplicable('SSE-R1', problem)];
  if (context.capacity.slots === 0) return [notApplicable('SSE-R1', knownCause(context) as string)];
  const answers: string[] = [];
  const records = await mapLimit(HOSTILE, Math.min(3, context.capacity.slots), async ([, extra]) => {
    const probe = tracked(context, new Probe({
      url: context.observation.url,
      headers: [...streamRequestHeaders(target), ...extra],
      insecure: target.insecure,
      timeoutMs: context.answerWaitMs,
    }));
    await probe.waitFor((p) => p.record.head !== undefined, context.answerWaitMs);
    return probe.close();
  });
  for (const [index, record] of records.entries()) {
    const label = (HOSTILE[index] as (typeof HOSTILE)[number])[0];
    if (record.head === undefined && record.end === 'stopped') {
      const cause = knownCause(context);
      if (cause !== undefined) return [notApplicable('SSE-R1', `Last-Event-ID with ${label}: no answer, ${cause}`)];
      return [fail('SSE-R1', `Last-Event-ID with ${label}: no answer within ${ms(context.answerWaitMs)} (a hang)`)];
    }
    if (record.head !== undefined && record.head.status >= 500) {
      return [fail('SSE-R1', `Last-Event-ID with ${label} → ${record.head.status} ${record.head.reason}`)];
    }
    answers.push(record.head === undefined ? 'closed' : String(record.head.status));
  }
  const { record } = await readStream(context, undefined);
  if (!isStream(record)) {
    const cause = record.head === undefined ? knownCause(context) : undefined;
    if (cause !== undefined) return [notApplicable('SSE-R1', `after the hostile requests a fresh connection got no answer, ${cause}`)];
    context.stalled ??= record.head === undefined ? 'the server stopped answering after the hostile Last-Event-ID values (SSE-R1)' : undefined;
    return [fail('SSE-R1', `after the hostile requests, a fresh connection → ${describeAnswer(record)}`)];
  }
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  const summary = [...counts].map(([answer, n]) => `${n}× ${answer}`).join(', ');
  return [pass('SSE-R1', `${HOSTILE.length} hostile values → ${summary}; server still streams`)];
}

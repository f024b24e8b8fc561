import { headerValue } from '../framing.js';
import { Probe, type ProbeRecord } from '../probe.js';
import { isStream, streamRequestHeaders } from '../session.js';
import type { Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer } from './streams.js';

/** The answers to the other methods, requested early so their waits overlap the observation. */
export interface MethodAnswers {
  readonly head: Promise<ProbeRecord>;
  readonly post: Promise<ProbeRecord>;
  readonly options: Promise<ProbeRecord>;
}

/** Sends HEAD, POST and OPTIONS (without Origin) to the stream path; each is read until it ends or the answer wait. */
export function probeMethods(context: Context): MethodAnswers {
  const send = (method: string, body?: string): Promise<ProbeRecord> =>
    new Probe({
      url: context.observation.url,
      method,
      // Browser-like headers, as a mistaken client sends them; no Origin, so no CORS preflight.
      headers: streamRequestHeaders(context.target),
      insecure: context.target.insecure,
      timeoutMs: context.answerWaitMs,
      ...(body === undefined ? {} : { body }),
    }).done;
  return { head: send('HEAD'), post: send('POST', ''), options: send('OPTIONS') };
}

/** Methods: SSE-S18 (HEAD), S21 (POST and OPTIONS). */
export async function checkMethods(context: Context, answers: MethodAnswers): Promise<CheckResult[]> {
  const [head, post, options] = await Promise.all([answers.head, answers.post, answers.options]);
  return [judgeHead(context, head), judgeOthers(context, [['POST', post], ['OPTIONS', options]])];
}

const isUnreachable = (record: ProbeRecord): boolean => record.head === undefined && (record.end === 'error' || record.end === 'reset');

function judgeHead(context: Context, record: ProbeRecord): CheckResult {
  const bound = context.answerWaitMs;
  if (isUnreachable(record)) return notApplicable('SSE-S18', `no connection (${record.error ?? record.end ?? ''})`);
  if (record.head === undefined) return fail('SSE-S18', `HEAD got no answer within ${ms(bound)} (${record.end ?? ''})`);
  if (record.head.status >= 500) return fail('SSE-S18', `HEAD → ${record.head.status}`);
  return pass('SSE-S18', `HEAD → ${record.head.status} after ${ms(record.headAtMs ?? 0)}`);
}

function judgeOthers(context: Context, answers: readonly (readonly [string, ProbeRecord])[]): CheckResult {
  const seen: string[] = [];
  for (const [method, record] of answers) {
    if (isUnreachable(record)) return notApplicable('SSE-S21', `no connection (${record.error ?? record.end ?? ''})`);
    const isOpen = record.end === 'stopped' || record.end === 'timeout';
    if (record.head === undefined && isOpen) return fail('SSE-S21', `${method} got no answer within ${ms(context.answerWaitMs)} (a hang)`);
    if (isOpen && isStream(record)) return fail('SSE-S21', `${method} → ${describeAnswer(record)}, still open after ${ms(record.endAtMs ?? 0)}: a stream`);
    if (isOpen) return fail('SSE-S21', `${method} → ${describeAnswer(record)}, its body still open after ${ms(record.endAtMs ?? 0)}`);
    const allow = headerValue(record.head?.headers ?? [], 'allow');
    seen.push(record.head === undefined ? `${method} → closed` : `${method} → ${record.head.status}${allow === undefined ? '' : ` (Allow: ${allow})`}`);
  }
  return pass('SSE-S21', seen.join('; '));
}

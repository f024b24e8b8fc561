import { headerValue } from '../framing.js';
import { Probe, type ProbeRecord } from '../probe.js';
import { isStream, streamRequestHeaders } from '../stream-request.js';
import { escape } from '../wire.js';
import { knownCause, type Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, isStillServing, streamProblem, tracked } from './streams.js';

/**
 * How long the connection is read after a HEAD's head, for bytes that must not be there: long
 * enough for a stream's next event (a server that streams HEAD writes when its app does).
 */
const AFTER_HEAD_MS = 2000;

/** The answers to the other methods: HEAD first and alone, then POST and OPTIONS, overlapping the other checks. */
export interface MethodAnswers {
  /** Still reading after its head, while the other checks run; judged (and closed) by {@link checkMethods}. */
  readonly head: Probe | undefined;
  /** Set when the server no longer served a stream after the HEAD. */
  readonly wedged: string | undefined;
  readonly post: Promise<ProbeRecord> | undefined;
  readonly options: Promise<ProbeRecord> | undefined;
  /**
   * Set on a server that serves one stream at a time: nothing was sent beside the main stream,
   * and {@link checkMethodsAlone} sends each method alone once the watch has closed it.
   */
  readonly isDeferred?: true;
}

/**
 * What a mistaken POST carries: the type of an API call (fetch or axios posting JSON), with an
 * empty body. Without a Content-Type some servers refuse the POST (tRPC: 415) that the same route
 * streams for a JSON POST; an empty body publishes nothing on servers whose stream path also
 * publishes, and parsers skip it rather than answer 400.
 */
const POST_HEADERS: readonly (readonly [string, string])[] = [['Content-Type', 'application/json']];

function send(context: Context, method: string): Probe {
  const isPost = method === 'POST';
  return tracked(context, new Probe({
    url: context.observation.url,
    method,
    // Browser-like headers, as a mistaken client sends them; no Origin, so no CORS preflight.
    headers: streamRequestHeaders(context.target, isPost ? POST_HEADERS : []),
    insecure: context.target.insecure,
    timeoutMs: context.answerWaitMs + AFTER_HEAD_MS + 1000,
    readsAfterHead: method === 'HEAD',
    ...(isPost ? { body: '' } : {}),
  }));
}

/**
 * Sends HEAD (unless SSE-S18 is left out) to the stream path alone, reads on a moment for bytes after its head, and checks the
 * server still serves a stream (a HEAD can wedge a one-process server); then starts POST and
 * OPTIONS (without Origin), each read until it ends or the answer wait.
 */
export async function probeMethods(context: Context, isHeadAsked = true): Promise<MethodAnswers> {
  if (context.capacity.slots === 0) return { head: undefined, wedged: undefined, post: undefined, options: undefined, isDeferred: true };
  if (!isHeadAsked) return { head: undefined, wedged: undefined, post: send(context, 'POST').done, options: send(context, 'OPTIONS').done };
  const head = send(context, 'HEAD');
  await head.waitFor((p) => p.record.head !== undefined, context.answerWaitMs);
  // Kept open while the server is checked, only when that cannot take the server's last free slot.
  if (head.record.head === undefined || context.capacity.slots < 2) {
    await head.waitFor((p) => p.isEnded, head.record.head === undefined ? 0 : 300);
    await head.close();
  }
  const wedged = (await isStillServing(context, 'a HEAD request')) ? undefined : context.stalled;
  return { head, wedged, post: send(context, 'POST').done, options: send(context, 'OPTIONS').done };
}

/** Methods: SSE-S18 (HEAD), S21 (POST and OPTIONS). */
export async function checkMethods(context: Context, answers: MethodAnswers): Promise<CheckResult[]> {
  const problem = streamProblem(context);
  if (answers.post === undefined || answers.options === undefined) {
    const why = knownCause(context) ?? problem ?? 'not probed';
    return [notApplicable('SSE-S18', why), notApplicable('SSE-S21', why)];
  }
  const [post, options] = await Promise.all([answers.post, answers.options]);
  const s21 = judgeOthers(context, [['POST', post], ['OPTIONS', options]]);
  // POST and OPTIONS can wedge a server too: what they left is not blamed on later rules.
  await isStillServing(context, 'POST and OPTIONS');
  // Bytes after a HEAD's head may come only with the stream's next event: read on until then.
  const head = answers.head;
  if (head === undefined) return [notApplicable('SSE-S18', 'not probed'), s21];
  const since = head.record.headAtMs === undefined ? AFTER_HEAD_MS : head.elapsedMs - head.record.headAtMs;
  await head.waitFor((p) => p.isEnded, Math.max(0, AFTER_HEAD_MS - since));
  return [judgeHead(context, await head.close(), answers.wedged), s21];
}

/**
 * SSE-S18 and S21 on a server that serves one stream at a time, once the main stream is closed:
 * each method alone, and after each, a fresh stream must be served again (the wait for an answer
 * covers the moment such a server takes to notice that the stream before left). POST and OPTIONS
 * go first and HEAD last: a loop that only notices a client's leaving when a write fails never
 * notices it after a HEAD, which writes nothing, so HEAD is the probe most likely to leave such a
 * server answering nobody, and nothing can be judged after that.
 */
export async function checkMethodsAlone(context: Context, isHeadAsked = true): Promise<CheckResult[]> {
  const problem = streamProblem(context) ?? (context.stalled === undefined ? undefined : `not judged: ${context.stalled}`);
  if (problem !== undefined) return [notApplicable('SSE-S18', problem), notApplicable('SSE-S21', problem)];
  const answers: [string, ProbeRecord][] = [];
  for (const method of ['POST', 'OPTIONS'] as const) {
    answers.push([method, await sendAlone(context, method)]);
    if (!(await isStillServing(context, method, true))) break;
  }
  const s21 = judgeOthers(context, answers, true);
  if (!isHeadAsked) return [notApplicable('SSE-S18', 'not probed'), s21];
  if (context.stalled !== undefined) return [notApplicable('SSE-S18', `not judged: ${context.stalled}`), s21];
  const head = send(context, 'HEAD');
  await head.waitFor((p) => p.record.head !== undefined, context.answerWaitMs);
  if (head.record.head !== undefined) await head.waitFor((p) => p.isEnded, AFTER_HEAD_MS);
  const record = await head.close();
  const wedged = (await isStillServing(context, 'a HEAD request', true)) ? undefined : context.stalled;
  return [judgeHead(context, record, wedged), s21];
}

/** How long an answer to POST or OPTIONS may take to end after its head, sent alone. */
const ANSWER_END_MS = 1000;

/**
 * Sends POST or OPTIONS alone and reads its answer. A server that has not yet noticed that the
 * stream before left may still be full: an answer exactly like its answer over capacity is taken
 * for that, and the method is sent again a moment later, within the answer wait.
 */
async function sendAlone(context: Context, method: 'POST' | 'OPTIONS'): Promise<ProbeRecord> {
  const started = performance.now();
  for (;;) {
    const probe = send(context, method);
    await probe.waitFor((p) => p.record.head !== undefined, context.answerWaitMs);
    // A finite answer ends at once; one still open a moment after its head is a stream (or a body that does not end).
    if (probe.record.head !== undefined) await probe.waitFor((p) => p.isEnded, ANSWER_END_MS);
    const record = await probe.close();
    if (!isFullAnswer(context, record) || performance.now() - started > context.answerWaitMs) return record;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Whether an answer is the one the stream over capacity got: same status, same bytes, ended. */
function isFullAnswer(context: Context, record: ProbeRecord): boolean {
  const over = context.capacity.over;
  if (over === undefined || over.isHang || over.record.head === undefined || record.head === undefined) return false;
  return record.end === 'complete' && record.head.status === over.record.head.status && record.body.equals(over.record.body);
}

const isUnreachable = (record: ProbeRecord): boolean => record.head === undefined && (record.end === 'error' || record.end === 'reset');

function judgeHead(context: Context, record: ProbeRecord, wedged: string | undefined): CheckResult {
  if (isUnreachable(record)) return notApplicable('SSE-S18', `no connection (${record.error ?? record.end ?? ''})`);
  if (record.head === undefined) {
    return fail('SSE-S18', `HEAD got no answer within ${ms(context.answerWaitMs)} (${record.end ?? ''})${wedged === undefined ? '' : `, and ${wedged}`}`);
  }
  // [RFC 9110 §9.3.2] a HEAD answer has no content: bytes after its head are read as the next response.
  const after = record.body;
  if (after.length > 0) {
    return fail('SSE-S18', `HEAD → ${record.head.status}, then ${after.length} bytes after the head ("${escape(after.subarray(0, 40).toString('latin1'), 50)}"): a HEAD answer has no body`);
  }
  if (wedged !== undefined) return fail('SSE-S18', `HEAD → ${record.head.status}, but then ${wedged}`);
  // Any finite status is an answer: 405 or 501 tells a health check as much as 200 does.
  return pass('SSE-S18', `HEAD → ${record.head.status} after ${ms(record.headAtMs ?? 0)}, no bytes after the head; the server still serves a stream`);
}

/**
 * SSE-S21 from the answers to POST and OPTIONS.
 *
 * @param isAlone - each was sent alone ({@link checkMethodsAlone}): a capacity limit does not
 *   explain a missing answer then, and a method the server stopped answering before is not judged
 */
function judgeOthers(context: Context, answers: readonly (readonly [string, ProbeRecord])[], isAlone = false): CheckResult {
  const seen: string[] = [];
  for (const [method, record] of answers) {
    if (isUnreachable(record)) return notApplicable('SSE-S21', `no connection (${record.error ?? record.end ?? ''})`);
    const isOpen = record.end === 'stopped' || record.end === 'timeout';
    const cause = record.head === undefined ? (isAlone ? alone(context) : knownCause(context)) : undefined;
    if (cause !== undefined) return notApplicable('SSE-S21', `${method} got no answer; ${cause}`);
    if (record.head === undefined && isOpen) return fail('SSE-S21', `${method} got no answer within ${ms(context.answerWaitMs)} (a hang)`);
    if (isOpen && isStream(record)) return fail('SSE-S21', `${method} → ${describeAnswer(record)}, still open after ${ms(record.endAtMs ?? 0)}: a stream`);
    if (isOpen) return fail('SSE-S21', `${method} → ${describeAnswer(record)}, its body still open after ${ms(record.endAtMs ?? 0)}`);
    const allow = headerValue(record.head?.headers ?? [], 'allow');
    seen.push(record.head === undefined ? `${method} → closed` : `${method} → ${record.head.status}${allow === undefined ? '' : ` (Allow: ${allow})`}`);
  }
  if (seen.length < 2) {
    // Sent alone, OPTIONS never went: the server stopped answering after POST.
    return notApplicable('SSE-S21', `${seen.join('; ')}; OPTIONS not judged: ${context.stalled ?? 'not sent'}`);
  }
  return pass('SSE-S21', seen.join('; '));
}

/** Why a method sent alone got no answer, when that is not its fault: the server answers nothing now. */
function alone(context: Context): string | undefined {
  return context.stalled === undefined ? undefined : `not judged: ${context.stalled}`;
}

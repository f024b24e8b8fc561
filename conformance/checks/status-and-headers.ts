import { headerValue, headerValues } from '../framing.js';
import { TIMED_CASES } from '../round-trips.js';
import { Probe, type ProbeRecord } from '../probe.js';
import { hasHead, isStream, mediaType, openStream } from '../stream-request.js';
import { escape } from '../wire.js';
import { acceptedTrips, knownCause, type Context } from './context.js';
import { checkHttp2, HTTP2_RULES } from './http2.js';
import type { RuleId } from '../rules.js';
import { fail, isBeyond, marginOf, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, mapLimit, streamProblem, tracked } from './streams.js';

const RULES_HERE: readonly RuleId[] = ['SSE-M01', 'SSE-M02', 'SSE-M09', 'SSE-S22', 'SSE-M10', 'SSE-M13', 'SSE-S23', 'SSE-S04', 'SSE-A01', 'SSE-S05', 'SSE-S06', 'SSE-S15'];

/**
 * Status and headers: SSE-M01, M02, M09, S22, M10, M13, S23, S04, A01, S05, S06, S15, and the HTTP/2 rules
 * M11, M14, S17. Reads the first connection of the observation and opens a few short probes of its own.
 */
export async function checkStatusAndHeaders(context: Context): Promise<CheckResult[]> {
  const record = context.observation.first.record;
  const head = record.head;
  if (head === undefined) {
    const why = `no response head (${record.end ?? 'waiting'} after ${ms(record.endAtMs ?? context.observation.first.elapsedMs)}${record.error === undefined ? '' : `: ${record.error}`})`;
    return [...RULES_HERE, ...HTTP2_RULES].map((id) =>
      id === 'SSE-M01' ? fail(id, why) : notApplicable(id, why),
    );
  }
  const contentType = headerValue(head.headers, 'content-type');
  const redirects = context.observation.redirects.length === 0 ? '' : ` after ${context.observation.redirects.join(', ')}`;
  const results: CheckResult[] = [];
  results.push(
    head.status === 200
      ? pass('SSE-M01', `200${redirects}`)
      : fail('SSE-M01', `${head.status} ${head.reason}${redirects}: ${head.status === 204 ? 'tells EventSource to stop reconnecting' : 'EventSource fails for good'}`),
  );
  results.push(
    mediaType(record) === 'text/event-stream'
      ? pass('SSE-M02', `Content-Type: ${contentType ?? ''}`)
      : fail('SSE-M02', contentType === undefined ? 'no Content-Type header' : `Content-Type: ${contentType}`),
  );
  const length = headerValue(head.headers, 'content-length');
  results.push(checkStreaming(context), length === undefined ? pass('SSE-S22', `no Content-Length, ${record.framing ?? ''} body`) : fail('SSE-S22', `Content-Length: ${length} on an open-ended stream`));
  results.push(checkEncoding(context));
  results.push(...(await checkCors(context)));
  const cacheControl = headerValues(head.headers, 'cache-control').join(', ');
  const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
  const hasNoCache = directives.includes('no-cache') || directives.includes('no-store');
  const hasNoTransform = directives.includes('no-transform');
  const shown = cacheControl === '' ? 'no Cache-Control header' : `Cache-Control: ${cacheControl}`;
  results.push(hasNoCache ? pass('SSE-S04', shown) : fail('SSE-S04', `${shown} (neither no-cache nor no-store)`));
  results.push(hasNoTransform ? pass('SSE-A01', shown) : fail('SSE-A01', `${shown} (no no-transform)`));
  const accel = headerValue(head.headers, 'x-accel-buffering');
  results.push(accel?.toLowerCase() === 'no' ? pass('SSE-S05', 'X-Accel-Buffering: no') : fail('SSE-S05', accel === undefined ? 'no X-Accel-Buffering header' : `X-Accel-Buffering: ${accel}`));
  const written = (contentType ?? '').split(';')[0]?.trim() ?? '';
  results.push(
    mediaType(record) !== 'text/event-stream'
      ? notApplicable('SSE-S06', 'the media type is not text/event-stream (SSE-M02)')
      : written === 'text/event-stream'
        ? pass('SSE-S06', 'text/event-stream')
        : fail('SSE-S06', `written as ${JSON.stringify(written)}`),
  );
  results.push(await checkAccept(context), ...(await checkHttp2(context)));
  return results;
}

function checkStreaming(context: Context): CheckResult {
  const record = context.observation.first.record;
  // Without a publish the suite cannot know when an event was sent, so it cannot time delivery.
  if (context.roundTrips === undefined) return notApplicable('SSE-M09', 'delivery not timed: needs --publish <url> to time an event from its publish');
  if (headerValue(record.head?.headers ?? [], 'content-encoding') !== undefined) {
    return notApplicable('SSE-M09', 'the body is compressed: delivery is timed under SSE-M10');
  }
  return judgeLatency('SSE-M09', context, `${record.framing ?? ''} body`);
}

function checkEncoding(context: Context): CheckResult {
  const record = context.observation.first.record;
  const coding = headerValue(record.head?.headers ?? [], 'content-encoding');
  if (coding === undefined || coding.toLowerCase() === 'identity') return pass('SSE-M10', 'no Content-Encoding (asked for gzip, deflate, br, zstd)');
  if (context.roundTrips === undefined) return notApplicable('SSE-M10', `Content-Encoding: ${coding}; needs --publish to time delivery through the compressor`);
  return judgeLatency('SSE-M10', context, `Content-Encoding: ${coding}`);
}

function judgeLatency(id: 'SSE-M09' | 'SSE-M10', context: Context, prefix: string): CheckResult {
  const trips = acceptedTrips(context, TIMED_CASES);
  if (trips.length === 0) return notApplicable(id, `${prefix}; no published event was accepted to time`);
  const missing = trips.filter((t) => t.latencyMs === undefined);
  if (missing.length > 0) return fail(id, `${prefix}; ${missing.length}/${trips.length} published events never arrived within ${ms(context.target.timeoutMs)}`);
  const worst = Math.max(...trips.map((t) => t.latencyMs as number));
  const bound = context.target.latencyMaxMs;
  return !isBeyond(worst, bound)
    ? pass(id, `${prefix}; ${trips.length} published events arrived within ${ms(worst)}`)
    : fail(id, `${prefix}; a published event arrived ${ms(worst)} after its publish (bound ${ms(bound)}, margin ${ms(marginOf(bound))})`);
}

async function checkAccept(context: Context): Promise<CheckResult> {
  const problem = streamProblem(context) ?? (context.capacity.slots === 0 ? knownCause(context) : undefined);
  if (problem !== undefined) return notApplicable('SSE-S15', problem);
  const seen: string[] = [];
  const accepts = ['*/*', null] as const;
  const records = await mapLimit(accepts, Math.min(2, context.capacity.slots), async (accept) => {
    const probe = tracked(context, openStream(context.target, context.observation.url, context.answerWaitMs, [], accept));
    await probe.waitFor(hasHead, context.answerWaitMs);
    return probe.close();
  });
  for (const [index, record] of records.entries()) {
    const accept = accepts[index];
    const label = accept === null ? 'no Accept' : `Accept: ${accept ?? ''}`;
    const cause = record.head === undefined ? knownCause(context) : undefined;
    if (cause !== undefined) return notApplicable('SSE-S15', `${label}: no answer, ${cause}`);
    if (!isStream(record)) {
      const answer = record.head === undefined ? `no answer (${record.end ?? ''})` : `${record.head.status} ${mediaType(record) || 'no Content-Type'}`;
      return fail('SSE-S15', `${label} → ${answer}`);
    }
    seen.push(`${label} → 200`);
  }
  return pass('SSE-S15', seen.join('; '));
}

/** An origin no server allows: `.invalid` never resolves (RFC 2606 §2). */
const FOREIGN_ORIGIN = 'https://sse-conformance.invalid';

async function streamCors(context: Context, origin: string): Promise<ProbeRecord> {
  const probe = tracked(context, openStream(context.target, context.observation.url, context.answerWaitMs, [['Origin', origin]]));
  await probe.waitFor(hasHead, context.answerWaitMs);
  return probe.close();
}

async function checkCors(context: Context): Promise<CheckResult[]> {
  const origin = context.target.origin;
  const why = origin === undefined ? 'needs --origin <an origin the server allows>' : context.capacity.slots === 0 ? knownCause(context) : undefined;
  if (why !== undefined || origin === undefined) return [notApplicable('SSE-M13', why ?? ''), notApplicable('SSE-S23', why ?? '')];
  const [m13, s23] = await Promise.all([checkAllowOrigin(context, origin), checkPreflight(context, origin)]);
  return [m13, s23];
}

/** A CORS verdict, unless its probe got no answer from a server with a known cause (full, or stalled). */
function unlessStalled(context: Context, record: ProbeRecord, verdict: CheckResult): CheckResult {
  const cause = record.head === undefined ? knownCause(context) : undefined;
  return cause === undefined ? verdict : notApplicable(verdict.id, `${verdict.evidence}; ${cause}`);
}

async function checkAllowOrigin(context: Context, origin: string): Promise<CheckResult> {
  const record = await streamCors(context, origin);
  const headers = record.head?.headers ?? [];
  const allowOrigin = headerValue(headers, 'access-control-allow-origin');
  const credentials = headerValue(headers, 'access-control-allow-credentials');
  if (allowOrigin === undefined) return unlessStalled(context, record, fail('SSE-M13', `GET with Origin: ${origin} → ${record.head === undefined ? describeAnswer(record) : 'no Access-Control-Allow-Origin'}`));
  if (allowOrigin === '*' && credentials?.toLowerCase() === 'true') return fail('SSE-M13', 'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true');
  if (allowOrigin !== '*' && allowOrigin !== origin) return fail('SSE-M13', `Access-Control-Allow-Origin: ${allowOrigin} for Origin: ${origin}`);
  const foreign = headerValue((await streamCors(context, FOREIGN_ORIGIN)).head?.headers ?? [], 'access-control-allow-origin');
  // [Fetch §3.2] `*` is a deliberate "public to every site" answer (without credentials, checked
  // above); echoing whatever Origin arrives is an allow-list that allows everything, and with
  // credentials it hands a user's stream to any site.
  if (foreign !== undefined && foreign !== '*' && foreign !== origin) {
    return fail('SSE-M13', `GET with Origin: ${FOREIGN_ORIGIN} (not allowed) → Access-Control-Allow-Origin: ${escape(foreign)}: the server echoes any origin`);
  }
  return pass('SSE-M13', `Access-Control-Allow-Origin: ${allowOrigin}; Origin: ${FOREIGN_ORIGIN} → ${foreign === undefined ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin: ${foreign}`}`);
}

/** SSE-S23: the preflight a fetch()-based client sends before it resumes cross-origin with its own Last-Event-ID. */
async function checkPreflight(context: Context, origin: string): Promise<CheckResult> {
  const preflight = new Probe({
    url: context.observation.url,
    method: 'OPTIONS',
    headers: [
      ['Origin', origin],
      ['Access-Control-Request-Method', 'GET'],
      ['Access-Control-Request-Headers', 'last-event-id'],
      ['Connection', 'close'],
    ],
    insecure: context.target.insecure,
    timeoutMs: context.target.timeoutMs,
  });
  const answer = await preflight.done;
  const status = answer.head?.status;
  const headers = answer.head?.headers ?? [];
  const credentials = headerValue(headers, 'access-control-allow-credentials');
  const allowHeaders = (headerValue(headers, 'access-control-allow-headers') ?? '').toLowerCase().split(',').map((h) => h.trim());
  const isAllowed = allowHeaders.includes('last-event-id') || (allowHeaders.includes('*') && credentials?.toLowerCase() !== 'true');
  const shown = `preflight for last-event-id → ${status ?? answer.end ?? ''}, Access-Control-Allow-Headers: ${escape(allowHeaders.join(', '))}`;
  return status === undefined || status < 200 || status >= 300 || !isAllowed ? unlessStalled(context, answer, fail('SSE-S23', shown)) : pass('SSE-S23', shown);
}

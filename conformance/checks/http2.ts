import { constants } from 'node:http2';
import { H2Probe, type H2ProbeRecord } from '../h2-probe.js';
import { Probe } from '../probe.js';
import { publish } from '../publish.js';
import type { Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';

/** The rules this file checks. */
export const HTTP2_RULES = ['SSE-M11', 'SSE-M14', 'SSE-S17'] as const;

const CONNECTION_SPECIFIC = 'Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding or Upgrade';

/**
 * HTTP/2: SSE-S17 (h2 offered over TLS), then, on a stream opened over h2 as a browser would,
 * SSE-M11 (no connection-specific header) and SSE-M14 (an event published now arrives now).
 */
export async function checkHttp2(context: Context): Promise<CheckResult[]> {
  if (new URL(context.observation.url).protocol !== 'https:') {
    const why = 'plain http: target; browsers speak HTTP/2 only over TLS';
    return [notApplicable('SSE-S17', why), notApplicable('SSE-M11', why), notApplicable('SSE-M14', why)];
  }
  const alpn = await negotiatedProtocol(context);
  if (alpn === undefined) {
    const why = 'no TLS handshake';
    return [notApplicable('SSE-S17', why), notApplicable('SSE-M11', why), notApplicable('SSE-M14', why)];
  }
  if (alpn !== 'h2') {
    const why = 'the server does not offer h2 (SSE-S17)';
    return [
      fail('SSE-S17', `TLS ALPN chose ${alpn === false ? 'nothing' : alpn} when offered h2, http/1.1`),
      notApplicable('SSE-M11', why),
      notApplicable('SSE-M14', why),
    ];
  }
  const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
  // HTTP/2 field names are lowercase (RFC 9113 §8.2.1). No Accept-Encoding: the timing below
  // looks for the published bytes as they come, uncompressed.
  for (const [name, value] of Object.entries(context.target.headers)) headers[name.toLowerCase()] = value;
  const probe = new H2Probe({ url: context.observation.url, headers, insecure: context.target.insecure, timeoutMs: context.answerWaitMs + context.target.timeoutMs });
  try {
    await probe.waitFor((p) => p.record.status !== undefined, context.answerWaitMs);
    const m11 = judgeHeaders(probe.record, context.answerWaitMs);
    return [pass('SSE-S17', 'TLS ALPN chose h2'), m11, await checkDelivery(context, probe, m11)];
  } finally {
    await probe.close();
  }
}

async function negotiatedProtocol(context: Context): Promise<string | false | undefined> {
  const probe = new Probe({
    url: context.observation.url,
    method: 'HEAD',
    alpn: ['h2', 'http/1.1'],
    insecure: context.target.insecure,
    timeoutMs: context.target.timeoutMs,
  });
  await probe.waitFor((p) => p.record.alpnProtocol !== undefined, context.target.timeoutMs);
  return (await probe.close()).alpnProtocol;
}

function judgeHeaders(record: H2ProbeRecord, waitedMs: number): CheckResult {
  if (record.status !== undefined) {
    // [RFC 9113 §8.2.2] nghttp2 resets a response that carries one of these before handing over
    // any field, so headers that arrived carry none of them.
    return pass('SSE-M11', `:status ${record.status} with ${record.headers.length - 1} fields, none connection-specific (${CONNECTION_SPECIFIC} would make the client reset the stream)`);
  }
  if (record.end === 'reset' && record.rstCode === constants.NGHTTP2_PROTOCOL_ERROR) {
    return fail(
      'SSE-M11',
      `the HTTP/2 client reset the stream with PROTOCOL_ERROR before accepting its headers: the response is malformed (RFC 9113 §8.1.1), as a ${CONNECTION_SPECIFIC} field makes it (§8.2.2); a browser shows ERR_HTTP2_PROTOCOL_ERROR`,
    );
  }
  return notApplicable('SSE-M11', `no HTTP/2 response headers within ${ms(waitedMs)} (${describeEnd(record)})`);
}

async function checkDelivery(context: Context, probe: H2Probe, m11: CheckResult): Promise<CheckResult> {
  if (context.target.publishUrl === undefined) return notApplicable('SSE-M14', 'needs --publish to time an event over HTTP/2');
  if (probe.isEnded) {
    return notApplicable('SSE-M14', m11.status === 'fail' ? 'no HTTP/2 stream to time (SSE-M11)' : `the HTTP/2 stream ended before an event could be timed (${describeEnd(probe.record)})`);
  }
  const status = probe.record.status;
  if (status !== undefined && status !== 200) return notApplicable('SSE-M14', `the stream answered ${status} over HTTP/2`);
  const token = `[${context.nonce} h2]`;
  const answer = await publish(context.target, `${token} over HTTP/2`);
  if (answer.status === undefined || answer.status < 200 || answer.status >= 300) {
    return notApplicable('SSE-M14', `the publish was not accepted (${answer.status ?? answer.error ?? ''})`);
  }
  const needle = Buffer.from(token);
  const arrived = await probe.waitFor((p) => p.body.includes(needle), context.target.timeoutMs);
  const held = status === undefined ? `; the headers had not come after ${ms(context.answerWaitMs)}` : '';
  if (!arrived) return fail('SSE-M14', `a published event never arrived over HTTP/2 within ${ms(context.target.timeoutMs)}${held}`);
  const end = probe.body.indexOf(needle) + needle.length;
  const arrival = probe.record.arrivals.find((a) => a.offset + a.length >= end);
  const latencyMs = Math.max(0, probe.startedAt + (arrival?.atMs ?? probe.elapsedMs) - answer.at);
  return latencyMs <= context.target.latencyMaxMs
    ? pass('SSE-M14', `a published event arrived over HTTP/2 ${ms(latencyMs)} after its publish`)
    : fail('SSE-M14', `a published event arrived over HTTP/2 ${ms(latencyMs)} after its publish (bound ${ms(context.target.latencyMaxMs)})${held}`);
}

function describeEnd(record: H2ProbeRecord): string {
  const code = record.rstCode === undefined ? '' : ` with code ${record.rstCode}`;
  return `${record.end ?? 'still waiting'}${code}${record.error === undefined ? '' : `: ${record.error}`}`;
}

import type { Probe } from '../probe.js';
import { hasHead, isStream, openStream, publish } from '../session.js';
import { parseTimed } from '../wire.js';
import type { Context } from './context.js';
import { fail, ms, notApplicable, pass, type CheckResult } from './result.js';
import { describeAnswer, streamProblem } from './streams.js';

/** How long a new stream must stay open to count as admitted rather than refused. */
const LIVE_MS = 300;

/** Limits: SSE-S12, S13 (with a known capacity) and S14 (with --slow-reader). Runs after the observation. */
export async function checkLimits(context: Context): Promise<CheckResult[]> {
  return [...(await checkCapacity(context)), await checkSlowReader(context)];
}

async function openClassified(context: Context): Promise<{ readonly probe: Probe; readonly isLive: boolean }> {
  const { target } = context;
  const probe = openStream(target, context.observation.url, context.answerWaitMs + 10 * target.heartbeatMaxMs);
  await probe.waitFor(hasHead, context.answerWaitMs);
  if (!isStream(probe.record)) {
    await probe.close();
    return { probe, isLive: false };
  }
  const hasEnded = await probe.waitFor((p) => p.isEnded, LIVE_MS);
  return { probe, isLive: !hasEnded };
}

async function checkCapacity(context: Context): Promise<CheckResult[]> {
  const capacity = context.target.capacity;
  if (capacity === undefined) {
    return [notApplicable('SSE-S12', 'needs --capacity <streams per client>'), notApplicable('SSE-S13', 'needs --capacity <streams per client>')];
  }
  const problem = streamProblem(context);
  if (problem !== undefined) return [notApplicable('SSE-S12', problem), notApplicable('SSE-S13', problem)];
  const held: Probe[] = [];
  try {
    let refused: Probe | undefined;
    // The first `capacity` streams open together, then one more: it must be refused.
    for (const batch of [capacity, 1]) {
      const opened = await Promise.all(Array.from({ length: batch }, () => openClassified(context)));
      for (const { probe, isLive } of opened) {
        if (isLive) held.push(probe);
        else if (refused === undefined) refused = probe;
        else await probe.close();
      }
      if (refused !== undefined) break;
    }
    if (refused === undefined) {
      const why = `${held.length} streams were all admitted: the capacity is above --capacity ${capacity}`;
      return [notApplicable('SSE-S12', why), notApplicable('SSE-S13', why)];
    }
    const record = await refused.close();
    const retry = parseTimed(record.body, record.arrivals).retries[0];
    const refusal = `stream ${held.length + 1} (capacity ${capacity})`;
    const s12 = !isStream(record)
      ? fail('SSE-S12', `${refusal} → ${describeAnswer(record)}: EventSource gives up for good`)
      : retry === undefined
        ? fail('SSE-S12', `${refusal} → 200, ended without a retry: hint`)
        : pass('SSE-S12', `${refusal} → 200, retry: ${retry.value}, ended after ${ms(record.endAtMs ?? 0)}`);
    if (held.length === 0) return [s12, notApplicable('SSE-S13', 'the first stream was refused: no slot to free')];
    return [s12, await checkSlotFreed(context, held)];
  } finally {
    await Promise.all(held.map((p) => p.close()));
  }
}

async function checkSlotFreed(context: Context, held: Probe[]): Promise<CheckResult> {
  const bound = context.target.heartbeatMaxMs;
  await (held.pop() as Probe).close();
  const started = performance.now();
  while (performance.now() - started <= bound) {
    const { probe, isLive } = await openClassified(context);
    if (isLive) {
      held.push(probe);
      return pass('SSE-S13', `a slot was free again ${ms(performance.now() - started - LIVE_MS)} after a client left`);
    }
    await probe.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return fail('SSE-S13', `no slot free ${ms(bound)} after a client left`);
}

async function checkSlowReader(context: Context): Promise<CheckResult> {
  const { target } = context;
  if (!target.slowReader || target.publishUrl === undefined) return notApplicable('SSE-S14', 'needs --publish <url> and --slow-reader');
  const problem = streamProblem(context);
  if (problem !== undefined) return notApplicable('SSE-S14', problem);
  const probe = openStream(target, context.observation.url, context.answerWaitMs + target.timeoutMs * 4);
  try {
    await probe.waitFor(hasHead, context.answerWaitMs);
    if (!isStream(probe.record)) return notApplicable('SSE-S14', `the stream answered ${describeAnswer(probe.record)}`);
    probe.setReading(false);
    const chunk = `[${context.nonce} slow] ${'x'.repeat(48 * 1024)}`;
    let sent = 0;
    while (sent < target.slowReaderBytes) {
      const answer = await publish(target, chunk);
      if (answer.status === undefined || answer.status >= 300) {
        return notApplicable('SSE-S14', `a 48 KiB publish was answered ${answer.status ?? answer.error} after ${sent} bytes`);
      }
      sent += chunk.length;
    }
    // Give the server a moment to notice, then read what it kept for us.
    await new Promise((resolve) => setTimeout(resolve, 500));
    probe.setReading(true);
    await probe.waitFor((p) => p.isEnded, target.timeoutMs);
    const record = probe.record;
    if (record.end === undefined || record.end === 'stopped' || record.end === 'timeout') {
      return fail('SSE-S14', `a client that stopped reading was kept while ${sent} bytes were published; it got ${probe.body.length} bytes, still open`);
    }
    return pass('SSE-S14', `a client that stopped reading was cut (${record.end}) after ${probe.body.length} of ${sent} published bytes`);
  } finally {
    await probe.close();
  }
}

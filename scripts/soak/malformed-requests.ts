import { connect, type Socket } from 'node:net';
import { holdsWithin } from '../lib/wait.js';
import { startGoodClients } from './good-clients.js';
import { pool } from './pool.js';
import { exchange } from './raw-client.js';
import { medianAndMax, scenario } from './report.js';
import { startSoakServer } from './soak-server.js';

const HEADERS_TIMEOUT_MS = 2000;
const STREAM_PATHS = ['/events', '/time', '/named', '/feed'];

/** One malformed request and what a sensible server answers. */
interface Case {
  readonly name: string;
  readonly request: string | Buffer;
  /** Returns a failure sentence, or undefined when the answer is right. */
  readonly judge: (text: string, closed: boolean) => string | undefined;
  readonly until?: (text: string) => boolean;
}

const status = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
const header = (text: string, name: string): string | undefined =>
  new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, 'i').exec(text.split('\r\n\r\n', 1)[0] + '\r\n')?.[1];
const headEnded = (text: string): boolean => text.includes('\r\n\r\n');
const expectStatus = (want: number, extra?: (text: string) => string | undefined) => (text: string): string | undefined =>
  status(text) === want ? extra?.(text) : `answered ${status(text) || 'nothing'} instead of ${want}: ${JSON.stringify(text.slice(0, 80))}`;
const isStream = (text: string): string | undefined =>
  header(text, 'content-type') === 'text/event-stream; charset=utf-8' && /\r\n\r\n[0-9a-f]+\r\nretry: \d+\n\n/.test(text)
    ? undefined
    : `not a stream with a retry hint: ${JSON.stringify(text.slice(0, 120))}`;

function cases(): Case[] {
  const get = (path: string, lines: string[] = []): string => [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines, '', ''].join('\r\n');
  const list: Case[] = [
    { name: 'headers over 16 KiB', request: get('/feed', [`X-Pad: ${'a'.repeat(20_000)}`]), judge: expectStatus(431) },
    { name: 'a 17 KiB Last-Event-ID', request: get('/feed', [`Last-Event-ID: ${'9'.repeat(17_000)}`]), judge: expectStatus(431) },
    { name: 'a 20 KiB URL', request: get(`/feed?${'q'.repeat(20_000)}`), judge: expectStatus(431) },
    { name: '200 small headers', request: get('/health', Array.from({ length: 200 }, (_, i) => `X-H${i}: v`)), judge: expectStatus(200) },
    { name: 'garbage request line', request: 'HELLO\r\n\r\n', judge: expectStatus(400) },
    { name: 'HTTP/1.1 without Host', request: 'GET /feed HTTP/1.1\r\n\r\n', judge: expectStatus(400) },
    { name: 'NUL in Last-Event-ID', request: get('/feed', ['Last-Event-ID: a\0b']), judge: expectStatus(400) },
    { name: 'bare CR in a header', request: get('/feed', ['Last-Event-ID: a\rb']), judge: expectStatus(400) },
    { name: 'obs-fold header', request: get('/feed', ['Last-Event-ID: a', ' b']), judge: expectStatus(400) },
    {
      name: 'Content-Length and Transfer-Encoding together',
      request: get('/publish', ['Content-Length: 3', 'Transfer-Encoding: chunked']),
      judge: expectStatus(400),
    },
    { name: 'GET stream with an unsent body', request: get('/feed', ['Content-Length: 10']), judge: expectStatus(400) },
    { name: 'GET stream with a chunked body', request: get('/feed', ['Transfer-Encoding: chunked']) + '0\r\n\r\n', judge: expectStatus(400) },
    { name: 'unknown path', request: get('/nope'), judge: expectStatus(404) },
    {
      name: 'pipelined /health, /metrics, /health',
      request: get('/health') + get('/metrics') + get('/health', ['Connection: close']),
      judge: (text) => {
        const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]).join(',');
        const bodies = text.split('ok\n').length - 1;
        return statuses === '200,200,200' && bodies === 2 && text.indexOf('sse_open_streams') > text.indexOf('ok\n')
          ? undefined
          : `pipelined answers ${statuses}, ${bodies} ok bodies`;
      },
    },
    {
      name: 'pipelined /health then a stream',
      request: get('/health') + get('/events'),
      until: (text) => /retry: \d+\n\n/.test(text),
      judge: (text) => {
        const second = text.indexOf('HTTP/1.1', 1);
        return status(text) === 200 && second > 0 && isStream(text.slice(second)) === undefined ? undefined : 'the stream after /health did not start';
      },
    },
  ];
  for (const path of STREAM_PATHS) {
    list.push({
      name: `HEAD ${path}`,
      request: [`HEAD ${path} HTTP/1.1`, 'Host: 127.0.0.1', '', ''].join('\r\n'),
      until: headEnded,
      judge: expectStatus(200, (text) =>
        header(text, 'content-type') === 'text/event-stream; charset=utf-8' && text.endsWith('\r\n\r\n') ? undefined : 'HEAD had a body or the wrong type',
      ),
    });
    for (const method of ['POST', 'PUT', 'OPTIONS', 'DELETE', 'PATCH']) {
      list.push({
        name: `${method} ${path}`,
        request: [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Length: 0', '', ''].join('\r\n'),
        until: (text) => headEnded(text) && (status(text) === 204 || text.includes('}')),
        judge: (text) => {
          const allow = (header(text, 'allow') ?? '').split(/,\s*/);
          const isAllowRight = allow.includes('GET') && allow.includes('HEAD') && !allow.includes(method);
          // OPTIONS may be answered (a CORS preflight, 204 with Allow) or refused like the others.
          if (method === 'OPTIONS' && (status(text) === 204 || status(text) === 200)) {
            return allow.includes('GET') ? undefined : `OPTIONS answered ${status(text)} without Allow: GET`;
          }
          if (status(text) !== 405) return `answered ${status(text)} instead of 405`;
          return isAllowRight ? undefined : `Allow is ${JSON.stringify(header(text, 'allow'))}`;
        },
      });
    }
  }
  const accepts = ['application/json', '', 'text/html', '*/*;q=0', 'text/event-stream;q=0', `${'text/x-'.repeat(1500)}html`, 'ÿþ\u00ff\u0080', '*/*, '.repeat(500)];
  for (const accept of accepts) {
    list.push({
      name: `Accept: ${JSON.stringify(accept.slice(0, 24))}${accept.length > 24 ? `… (${accept.length} B)` : ''}`,
      request: Buffer.from(get('/feed', [`Accept: ${accept}`]), 'latin1'),
      until: (text) => /retry: \d+\n\n/.test(text),
      judge: expectStatus(200, isStream),
    });
  }
  return list;
}

/**
 * Malformed requests: oversized and broken headers, pipelining, every method on the stream paths,
 * absurd `Accept` values, slowloris and a flood of half-finished requests, while good clients
 * keep asking `/health` and follow `/feed`.
 */
export const malformedRequests = scenario('malformed-requests', async (findings, profile) => {
  const server = await startSoakServer({
    options: { tickMs: 100, heartbeatMs: 0, maxPerClient: 100_000, headersTimeoutMs: HEADERS_TIMEOUT_MS },
  });
  const target = { port: server.port };
  try {
    const good = startGoodClients(server.port);
    const list = cases();
    let wrong = 0;
    const answers: Record<string, string> = {};
    await pool(list, 8, async (item) => {
      const answer = await exchange(target, item.request, { timeoutMs: 3000, until: item.until ?? (() => false) });
      const failure = item.judge(answer.text, answer.isClosedByServer);
      answers[item.name] = failure ?? `${status(answer.text)} ok`;
      if (failure !== undefined) {
        wrong++;
        findings.failures.push(`${item.name}: ${failure}`);
      }
    });

    // Slowloris: each client sends its request line and headers one byte every 100 ms.
    const dribbled = `GET /feed HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'z'.repeat(100)}\r\n\r\n`;
    const slow = await Promise.all(
      Array.from({ length: profile.slowlorisClients }, () =>
        exchange(target, dribbled, { dribbleMs: 100, timeoutMs: HEADERS_TIMEOUT_MS + 3000 }),
      ),
    );
    const slowAnswered = slow.filter((s) => status(s.text) === 408 && s.isClosedByServer).length;
    const slowMs = slow.map((s) => s.ms);

    // A flood of half-finished requests: the request line and one header, then nothing.
    const flood = await openFlood(server.port, profile.floodSockets);
    const during = await Promise.all(Array.from({ length: 20 }, () => exchange(target, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')));
    const duringOk = during.filter((d) => status(d.text) === 200).length;
    const floodResult = await flood.waitClosed(HEADERS_TIMEOUT_MS + 4000);
    const report = await good.stop();
    const after = await server.settle((s) => s.openStreams === 0 && s.leases === 0);

    findings.row('malformed requests sent', list.length);
    findings.row('answered as expected', list.length - wrong);
    findings.row(`slowloris clients (1 byte / 100 ms, headersTimeout ${HEADERS_TIMEOUT_MS} ms)`, profile.slowlorisClients);
    findings.row('slowloris answered 408 and closed', slowAnswered);
    findings.row('slowloris time to close p50 / max (ms)', medianAndMax(slowMs));
    findings.row('half-finished requests in the flood', profile.floodSockets);
    findings.row('flood sockets answered 408 and closed', floodResult.timedOut);
    findings.row('flood sockets closed without 408', floodResult.closedOther);
    findings.row('flood sockets still open at the bound', floodResult.open);
    findings.row('/health during the flood', `${duringOk} / ${during.length} ok, slowest ${Math.max(...during.map((d) => d.ms)).toFixed(0)} ms`);
    findings.row('good /health requests (all scenario)', `${report.healthRequests} (${report.healthFailures} failed, p99 ${report.healthP99Ms.toFixed(1)} ms)`);
    findings.row('good /feed follower: events, gaps', `${report.feedEvents}, ${report.feedGaps}`);
    findings.row('open streams afterwards', after.openStreams);
    findings.expect(slowAnswered === profile.slowlorisClients, `${profile.slowlorisClients - slowAnswered} slowloris clients were not answered 408`);
    findings.expect(floodResult.timedOut === profile.floodSockets, `${profile.floodSockets - floodResult.timedOut} flood sockets were not answered 408 in time`);
    findings.expect(duringOk === during.length, `${during.length - duringOk} /health requests failed during the flood`);
    findings.expect(report.healthFailures === 0, `${report.healthFailures} good /health requests failed`);
    findings.expect(report.feedEvents > 0 && report.feedGaps === 0 && report.feedIsOpen, `the good /feed follower saw ${report.feedEvents} events, ${report.feedGaps} gaps, open=${report.feedIsOpen}`);
    findings.expect(after.openStreams === 0 && after.leases === 0, `afterwards ${after.openStreams} streams and ${after.leases} leases are left`);
    findings.expect(server.stderr() === '', `the server wrote on stderr: ${server.stderr().slice(0, 300)}`);
    return { answers, slowMs, flood: floodResult, good: report };
  } finally {
    await server.stop();
  }
});

/** Opens `count` sockets that each send half a request and then wait. */
async function openFlood(port: number, count: number): Promise<{ waitClosed(ms: number): Promise<{ timedOut: number; closedOther: number; open: number }> }> {
  const sockets: { socket: Socket; text: string; isClosed: boolean }[] = [];
  await pool(Array.from({ length: count }), 64, () => {
    return new Promise<void>((resolve) => {
      const entry = { socket: connect({ port, host: '127.0.0.1' }), text: '', isClosed: false };
      sockets.push(entry);
      entry.socket.on('connect', () => {
        entry.socket.write('GET /feed HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        resolve();
      });
      entry.socket.on('data', (chunk: Buffer) => (entry.text += chunk.toString('latin1')));
      entry.socket.on('error', () => resolve());
      entry.socket.on('close', () => {
        entry.isClosed = true;
        resolve();
      });
    });
  });
  return {
    async waitClosed(ms) {
      await holdsWithin(() => sockets.every((s) => s.isClosed), ms, 50);
      const timedOut = sockets.filter((s) => s.isClosed && status(s.text) === 408).length;
      const closedOther = sockets.filter((s) => s.isClosed && status(s.text) !== 408).length;
      const open = sockets.filter((s) => !s.isClosed).length;
      for (const s of sockets) s.socket.destroy();
      return { timedOut, closedOther, open };
    },
  };
}

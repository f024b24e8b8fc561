import { startGoodClients } from './good-clients.js';
import { pool } from './pool.js';
import { SOURCE_ADDRESSES } from './profile.js';
import { rawRequest, type RawResponse } from './raw-client.js';
import { medianAndMax, scenario } from './report.js';
import { startSoakServer } from './soak-server.js';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
/** A byte every this often: 480 such sockets send 240 B/s in all, the review's attack. */
const TRICKLE_MS = 250;
/** An answer to a body the route never reads comes at once; this is the slack for a loaded machine. */
const UNREAD_BOUND_MS = 1000;

// Routes that answer without reading the body, each with the status it gives (a stream request
// with a body is refused; a publish of the wrong type is refused before its body is read).
const UNREAD = [
  ['GET /health', 200],
  ['GET /metrics', 200],
  ['POST /nope', 404],
  ['PUT /publish', 405],
  ['GET /feed', 400],
  ['OPTIONS /feed', 204],
  ['POST /publish\r\nContent-Type: text/plain', 415],
] as const;

/** One socket that sent a request head announcing a body, then a byte of it now and then. */
interface Trickle {
  readonly res: RawResponse;
  readonly expected: number;
  readonly label: string;
}

/**
 * Slow bodies: sockets that send a complete request head announcing a body, then trickle it a
 * byte at a time. To routes that never read a body (text routes, 404, 405, the stream 400, a
 * refused publish) the answer must come at once and close the connection; a publish body, which
 * is read, must be cut with `408` once the whole request takes longer than `--request-timeout`.
 * Meanwhile good clients keep being served, and afterwards no trickling socket is left open.
 */
export const slowBody = scenario('slow-body', async (findings, profile) => {
  const server = await startSoakServer({
    options: { tickMs: 100, heartbeatMs: 0, maxPerClient: 100_000, headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
  });
  const trickles: Trickle[] = [];
  let ticker: NodeJS.Timeout | undefined;
  let trickled = 0;
  try {
    const baseline = (await server.stats()).connections;
    const good = startGoodClients(server.port);
    const open = (head: string, length: number, expected: number, index: number): void => {
      const [line, ...extra] = head.split('\r\n');
      const request = [`${line} HTTP/1.1`, 'Host: 127.0.0.1', ...extra, `Content-Length: ${length}`, '', ''].join('\r\n');
      const res = rawRequest({ port: server.port, localAddress: SOURCE_ADDRESSES[index % SOURCE_ADDRESSES.length] }, request);
      trickles.push({ res, expected, label: line as string });
    };
    await pool(Array.from({ length: profile.slowBodyClients }), 32, async (_, i) => {
      const [head, status] = UNREAD[i % UNREAD.length] as (typeof UNREAD)[number];
      open(head, 100_000, status, i);
    });
    await pool(Array.from({ length: profile.slowPublishClients }), 32, async (_, i) => {
      open('POST /publish\r\nContent-Type: application/json', 10_000, 408, i);
    });
    ticker = setInterval(() => {
      for (const { res } of trickles) {
        if (!res.isClosed) {
          res.socket.write('x');
          trickled++;
        }
      }
    }, TRICKLE_MS);
    const unread = trickles.filter((t) => t.expected !== 408);
    const publishes = trickles.filter((t) => t.expected === 408);
    const publishBound = REQUEST_TIMEOUT_MS + Math.min(profile.waitMs, 3000);
    await Promise.all([
      ...unread.map((t) => t.res.waitFor((r) => r.isClosed, UNREAD_BOUND_MS)),
      ...publishes.map((t) => t.res.waitFor((r) => r.isClosed, publishBound)),
    ]);
    clearInterval(ticker);
    const closeMs = (t: Trickle): number => (t.res.times.closed ?? Number.POSITIVE_INFINITY) - t.res.times.start;
    const isRight = (t: Trickle): boolean => t.res.status === t.expected && t.res.isClosed;
    const unreadClosed = unread.filter((t) => isRight(t) && closeMs(t) <= UNREAD_BOUND_MS);
    const publishClosed = publishes.filter((t) => isRight(t) && closeMs(t) <= publishBound);
    const wrong = [...unread, ...publishes].filter((t) => t.res.status !== 0 && t.res.status !== t.expected).map((t) => `${t.label} → ${t.res.status}`);
    const stillOpen = trickles.filter((t) => !t.res.isClosed).length;
    for (const { res } of trickles) res.destroy();
    const report = await good.stop();
    const after = await server.settle((s) => s.connections <= baseline);
    const unreadMs = unreadClosed.map(closeMs);
    const publishMs = publishClosed.map(closeMs);

    findings.row(`bodies trickled (1 byte / ${TRICKLE_MS} ms) to routes that do not read them`, `${unread.length} over ${UNREAD.length} routes`);
    findings.row('answered and closed at once', unreadClosed.length);
    findings.row('time to close p50 / max (ms)', medianAndMax(unreadMs));
    findings.row(`publish bodies trickled (request timeout ${REQUEST_TIMEOUT_MS} ms)`, publishes.length);
    findings.row('answered 408 and closed', publishClosed.length);
    findings.row('time to 408 p50 / max (ms)', medianAndMax(publishMs));
    findings.row('bytes trickled in all', trickled);
    findings.row('trickling sockets still open at the bound', stillOpen);
    findings.row('good /health requests', `${report.healthRequests} (${report.healthFailures} failed, p99 ${report.healthP99Ms.toFixed(1)} ms)`);
    findings.row('good /feed follower: events, gaps', `${report.feedEvents}, ${report.feedGaps}`);
    findings.row('connections left afterwards (beyond the start)', Math.max(0, after.connections - baseline));
    findings.expect(
      unreadClosed.length === unread.length,
      `${unread.length - unreadClosed.length} trickled bodies to routes that do not read them were not answered and closed within ${UNREAD_BOUND_MS} ms`,
    );
    findings.expect(publishClosed.length === publishes.length, `${publishes.length - publishClosed.length} trickled publish bodies were not answered 408 and closed within ${publishBound} ms`);
    findings.expect(wrong.length === 0, `wrong answers: ${wrong.slice(0, 5).join(', ')}`);
    findings.expect(report.healthFailures === 0, `${report.healthFailures} good /health requests failed`);
    findings.expect(report.feedEvents > 0 && report.feedGaps === 0 && report.feedIsOpen, `the good /feed follower saw ${report.feedEvents} events, ${report.feedGaps} gaps, open=${report.feedIsOpen}`);
    findings.expect(after.connections <= baseline, `afterwards ${after.connections - baseline} connections are left`);
    findings.expect(server.stderr() === '', `the server wrote on stderr: ${server.stderr().slice(0, 300)}`);
    return { unreadMs, publishMs, wrong, good: report };
  } finally {
    clearInterval(ticker);
    for (const { res } of trickles) res.destroy();
    await server.stop();
  }
});

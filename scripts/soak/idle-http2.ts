import { setTimeout as sleep } from 'node:timers/promises';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { medianAndMax, scenario } from './report.js';
import { startSoakServer } from './soak-server.js';

const IDLE_TIMEOUT_MS = 1000;
const LIVE_STREAMS = 4;

type Kind = 'silent' | 'preface' | 'after a request';

/** An idle connection and when it was closed (relative to when it went idle). */
interface Idle {
  readonly kind: Kind;
  readonly since: number;
  closedAt: number | undefined;
  readonly close: () => void;
}

/**
 * Idle HTTP/2 connections (h2c): TCP connections that send nothing, sessions that send the
 * preface and SETTINGS and no request, and sessions left idle after one request. Each must be
 * closed once it has had no open stream for `--headers-timeout`, whatever PINGs or SETTINGS it
 * sends, while sessions holding a live `/feed` stream with heartbeats off and nothing published
 * stay open however long they are silent, and fresh clients are served throughout.
 */
export const idleHttp2 = scenario('idle-http2', async (findings, profile) => {
  const server = await startSoakServer({ options: { h2c: true, tickMs: 0, heartbeatMs: 0, maxPerClient: 100_000, headersTimeoutMs: IDLE_TIMEOUT_MS } });
  const base = `http://127.0.0.1:${server.port}`;
  const idle: Idle[] = [];
  const sessions: ClientHttp2Session[] = [];
  const sockets: Socket[] = [];
  const session = (): ClientHttp2Session => {
    const made = h2connect(base);
    made.on('error', () => undefined); // a session the server closes may reset; its close is what counts
    sessions.push(made);
    return made;
  };
  try {
    const baseline = (await server.stats()).connections;
    const live = await Promise.all(Array.from({ length: LIVE_STREAMS }, () => liveStream(session())));
    for (let i = 0; i < profile.idleH2Connections; i++) {
      const socket = connect({ port: server.port, host: '127.0.0.1' });
      socket.on('error', () => undefined);
      // Read what comes (the GOAWAY), or the server's close would go unseen.
      socket.resume();
      sockets.push(socket);
      const entry: Idle = { kind: 'silent', since: performance.now(), closedAt: undefined, close: () => socket.destroy() };
      socket.once('close', () => (entry.closedAt = performance.now()));
      idle.push(entry);
      const prefaced = session();
      const quiet: Idle = { kind: 'preface', since: performance.now(), closedAt: undefined, close: () => prefaced.destroy() };
      prefaced.once('close', () => (quiet.closedAt = performance.now()));
      // A PING now and then is traffic, not a request: it must not keep the session.
      const pinger = setInterval(() => prefaced.closed || prefaced.destroyed || prefaced.ping(() => undefined), IDLE_TIMEOUT_MS / 4);
      prefaced.once('close', () => clearInterval(pinger));
      idle.push(quiet);
    }
    const asked = await Promise.all(
      Array.from({ length: profile.idleH2Connections }, async () => {
        const used = session();
        await health(used);
        const entry: Idle = { kind: 'after a request', since: performance.now(), closedAt: undefined, close: () => used.destroy() };
        if (used.closed || used.destroyed) entry.closedAt = entry.since;
        else used.once('close', () => (entry.closedAt = performance.now()));
        return entry;
      }),
    );
    idle.push(...asked);
    // Fresh clients are served while the idle connections wait.
    const bound = IDLE_TIMEOUT_MS + Math.min(profile.waitMs, 3000);
    const deadline = performance.now() + bound;
    let freshOk = 0;
    let freshTried = 0;
    while (performance.now() < deadline && idle.some((entry) => entry.closedAt === undefined)) {
      freshTried++;
      const fresh = session();
      if ((await health(fresh)) === 200) freshOk++;
      fresh.destroy();
      await sleep(100);
    }
    const closeMs = (entry: Idle): number => (entry.closedAt ?? Number.POSITIVE_INFINITY) - entry.since;
    const byKind = (kind: Kind): Idle[] => idle.filter((entry) => entry.kind === kind);
    const closedInTime = (kind: Kind): number => byKind(kind).filter((entry) => closeMs(entry) <= bound).length;
    const still = idle.filter((entry) => entry.closedAt === undefined).length;

    // The live streams, silent all along, are still there after twice the timeout, and still deliver.
    const liveSince = Math.min(...live.map((l) => l.openedAt));
    await sleep(Math.max(0, 2 * IDLE_TIMEOUT_MS - (performance.now() - liveSince)));
    const idleMs = performance.now() - liveSince;
    const liveOpen = live.filter((l) => !l.session.closed && !l.session.destroyed).length;
    await server.command({ cmd: 'pump', count: 1, bytes: 100, perTick: 1, intervalMs: 0 });
    const delivered = await Promise.all(live.map((l) => l.waitForData(3000)));
    for (const entry of idle) entry.close();
    for (const l of live) l.session.destroy();
    const after = await server.settle((s) => s.connections <= baseline && s.openStreams === 0, 5000);
    const ms = idle.filter((entry) => entry.closedAt !== undefined).map(closeMs);

    findings.row(`idle h2c connections, each kind (headersTimeout ${IDLE_TIMEOUT_MS} ms)`, profile.idleH2Connections);
    findings.row('closed in time: silent TCP / preface + SETTINGS (and PINGs) / idle after a request', `${closedInTime('silent')} / ${closedInTime('preface')} / ${closedInTime('after a request')}`);
    findings.row('time to close p50 / max (ms)', medianAndMax(ms));
    findings.row('idle connections still open at the bound', still);
    findings.row(`live /feed streams, heartbeats off, silent for ${idleMs.toFixed(0)} ms: still open, then delivered`, `${liveOpen} of ${LIVE_STREAMS}, ${delivered.filter(Boolean).length}`);
    findings.row('fresh h2c /health during', `${freshOk} / ${freshTried}`);
    findings.row('connections left afterwards (beyond the start)', Math.max(0, after.connections - baseline));
    for (const kind of ['silent', 'preface', 'after a request'] as const) {
      const late = profile.idleH2Connections - closedInTime(kind);
      findings.expect(late === 0, `${late} idle HTTP/2 connections (${kind}) were still open ${bound} ms after going idle`);
    }
    findings.expect(liveOpen === LIVE_STREAMS, `${LIVE_STREAMS - liveOpen} sessions with a live stream were cut while silent`);
    findings.expect(delivered.every(Boolean), `${delivered.filter((d) => !d).length} live streams got no event after their silence`);
    findings.expect(freshOk === freshTried && freshTried > 0, `${freshTried - freshOk} of ${freshTried} fresh /health requests failed`);
    findings.expect(after.connections <= baseline, `afterwards ${after.connections - baseline} connections are left`);
    findings.expect(server.stderr() === '', `the server wrote on stderr: ${server.stderr().slice(0, 300)}`);
    return { closeMs: ms };
  } finally {
    for (const socket of sockets) socket.destroy();
    for (const made of sessions) made.destroy();
    await server.stop();
  }
});

/** GET /health on `session`; resolves with the status (0 when the session failed). */
function health(session: ClientHttp2Session): Promise<number> {
  return new Promise((resolve) => {
    const req = session.request({ ':path': '/health' });
    const timer = setTimeout(() => resolve(0), 5000);
    req.on('response', (headers) => {
      clearTimeout(timer);
      resolve(Number(headers[':status']));
    });
    req.on('error', () => resolve(0));
    req.resume();
    req.end();
  });
}

/** Opens `/feed` on `session` and keeps it; `waitForData` resolves once an event arrives. */
async function liveStream(session: ClientHttp2Session): Promise<{ session: ClientHttp2Session; openedAt: number; waitForData(ms: number): Promise<boolean> }> {
  const req = session.request({ ':path': '/feed' });
  req.on('error', () => undefined);
  let text = '';
  const waiters = new Set<() => void>();
  req.setEncoding('utf8').on('data', (part: string) => {
    text += part;
    for (const waiter of waiters) waiter();
  });
  await new Promise<void>((resolve) => req.once('response', () => resolve()));
  return {
    session,
    openedAt: performance.now(),
    waitForData: (ms) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!text.includes('data:')) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(false);
        }, ms);
        waiters.add(check);
        check();
      }),
  };
}

/**
 * Which part of the tree may import which: the architecture's directions, written once as data.
 * `directions.test.ts` reads every import of src/, conformance/ and scripts/ against it.
 */

/** A room: a folder (or the files directly in `src/`) and the rooms its non-test files may import. */
export interface Room {
  readonly may: readonly string[];
  /** Test files (`*.test.ts`) may import these too. */
  readonly testsMay?: readonly string[];
  /** Why the rule holds, for the failure message. */
  readonly why: string;
  /**
   * Set while the tree does not hold the rule yet: violations are listed, not failed. Deleting
   * this line turns the rule on.
   */
  readonly pending?: string;
}

const SRC_ROOMS = [
  'src/client',
  'src/protocol',
  'src/options',
  'src/hub',
  'src/history',
  'src/redis',
  'src/http',
  'src/stream',
  'src/limits',
  'src/metrics',
  'src/feed',
  'src/publish',
  'src/recipes',
];
const ALL_SRC = ['src', ...SRC_ROOMS, 'src/testing'];

// #region directions
/** Every room and what it may import (a room may always import itself; `node:` modules are free). */
export const ROOMS: Readonly<Record<string, Room>> = {
  'src/protocol': { may: [], testsMay: ALL_SRC, why: 'the wire format is pure: no sockets, channels or brokers' },
  'src/options': { may: [], testsMay: ALL_SRC, why: 'the options table is read by everything, so it reads nothing' },
  'src/metrics': { may: [], testsMay: ALL_SRC, why: 'counters and their rendering only' },
  'src/limits': { may: ['src/options'], testsMay: ALL_SRC, why: 'the caps know only their options' },
  'src/http': { may: ['src/options'], testsMay: ALL_SRC, why: 'HTTP plumbing knows nothing of SSE' },
  'src/stream': {
    may: ['src/protocol', 'src/http', 'src/options', 'src/limits', 'src/metrics'],
    testsMay: ALL_SRC,
    why: 'one response: the protocol over HTTP, and its admission (body, caps, authorize, refusal) before the first byte',
  },
  'src/client': { may: ['src/protocol'], testsMay: ALL_SRC, why: 'the client runs in browsers: the wire parser, nothing of Node' },
  'src/hub': { may: ['src/protocol', 'src/options', 'src/stream', 'src/http'], testsMay: ALL_SRC, why: 'the in-process fan-out knows no storage; it opens streams only through src/stream' },
  'src/history': { may: ['src/hub', 'src/protocol', 'src/options', 'src/stream'], testsMay: ALL_SRC, why: 'the broker seam sits on the hub, below any adapter, and writes to streams through their one contract (stream/sink.ts)' },
  'src/redis': { may: ['src/history', 'src/hub', 'src/protocol', 'src/options', 'src/stream'], testsMay: ALL_SRC, why: 'an adapter behind the broker seam, writing to streams through their one contract' },
  'src/feed': {
    may: ['src/history', 'src/hub', 'src/redis', 'src/stream', 'src/http', 'src/metrics', 'src/options', 'src/protocol'],
    testsMay: ALL_SRC,
    why: 'GET /feed in one room: which broker holds the feed (the one room that picks Redis, which history/ may not import) and how an admitted stream joins it',
  },
  'src/publish': {
    may: ['src/history', 'src/hub', 'src/http', 'src/limits', 'src/metrics', 'src/protocol', 'src/options'],
    testsMay: ALL_SRC,
    why: 'POST /publish in one room: who may publish, how fast, the body, then the Broker interface; never a stream, never Redis internals',
  },
  'src/recipes': { may: ['src/history', 'src/hub', 'src/protocol', 'src/stream', 'src/http'], testsMay: ALL_SRC, why: 'the teaching recipes talk to a stream and the Broker interface, never to Redis internals' },
  src: { may: SRC_ROOMS, testsMay: ALL_SRC, why: 'the server wires the rooms; the library entry never exports test tools' },
  'src/testing': { may: ALL_SRC, why: 'test tools may use the whole library, and only tests use them' },
  scripts: {
    may: [
      'scripts',
      'scripts/lib',
      'package:sse-reference',
      'package:sse-reference/client',
      'package:sse-reference/redis',
      'package:sse-reference/testing',
      'package:sse-reference/conformance',
      'package:sse-reference/web',
      // The package's private imports (package.json "imports"), which no installed copy can reach.
      'internal:src',
      'internal:src/options',
      'internal:src/testing',
      // The error tables errors.md is rendered from (scripts/docs/errors-table.ts).
      'internal:src/protocol',
      'internal:src/http',
    ],
    why: 'scripts use the package as a user would, and reach past its public surface only through #internal/*, to the rooms named here',
  },
  'scripts/lib': {
    // `conformance`: the suite's event-stream reader, which its public entry does not export.
    may: ['package:sse-reference', 'package:sse-reference/testing', 'package:sse-reference/conformance', 'conformance'],
    why: 'the one spawner, poll, reader and block engine every tool shares: it knows no tool',
  },
  'scripts/client/type-cases': {
    may: ['package:sse-reference', 'package:sse-reference/client', 'outside: eventsource'],
    why: 'a user\'s code, compiled in a scratch project that has the eventsource package (scripts/client/types.test.ts)',
  },
  conformance: {
    may: [],
    testsMay: ['package:sse-reference', 'package:sse-reference/testing', 'src'],
    why: 'the judge has its own parser: a bug shared by judge and judged stays hidden',
  },
};
// #endregion directions

/** A direction inside a room: these files never import those (the wiring is one-way). */
export interface Inside {
  readonly files: readonly string[];
  readonly never: readonly string[];
  readonly why: string;
}

// #region inside
/** Directions between the files of one room, where the room's split is the design. */
export const INSIDE: readonly Inside[] = [
  {
    files: ['src/redis/follower.ts', 'src/redis/replay.ts'],
    never: ['src/redis/redis-broker.ts'],
    why: 'the Redis broker wires its follower and its replay and keeps the publish path; neither reaches back into it',
  },
  {
    files: ['src/redis/follower.ts'],
    never: ['src/redis/replay.ts'],
    why: 'the follower owns the window and the fan-out; the replay reads them and joins through it, never the other way',
  },
  {
    files: ['src/publish/auth.ts', 'src/publish/gate.ts', 'src/publish/handler.ts'],
    never: ['src/publish/route.ts'],
    why: 'the publish route puts the gate before the handler; neither the gate, its auth rule nor the handler knows the order',
  },
  {
    files: ['src/publish/auth.ts', 'src/publish/handler.ts'],
    never: ['src/publish/gate.ts'],
    why: 'the gate runs the auth rule before the body is read; the rule and the body know nothing of the gate',
  },
  {
    files: ['src/feed/handler.ts'],
    never: ['src/feed/broker.ts'],
    why: 'a stream joins whatever broker it is given: which one holds the feed is decided once, at start-up',
  },
  {
    files: ['context', 'grammar', 'hostile', 'http2', 'limits', 'methods', 'result', 'resume', 'status-and-headers', 'streams', 'timing'].map((name) => `conformance/checks/${name}.ts`),
    never: ['conformance/areas.ts', 'conformance/run.ts'],
    why: 'a check judges one area; the area registry puts the checks in the phases of a run, and the run drives the phases',
  },
  {
    files: ['conformance/areas.ts'],
    never: ['conformance/run.ts'],
    why: 'the registry says what each area does in which phase; the run reads it, never the other way',
  },
];
// #endregion inside

/** The room a repository path belongs to: its longest matching folder. */
export function roomOf(path: string): string | undefined {
  let best: string | undefined;
  for (const room of Object.keys(ROOMS)) {
    const isIn = room === 'src' ? /^src\/[^/]+$/.test(path) : path.startsWith(`${room}/`);
    if (isIn && (best === undefined || room.length > best.length)) best = room;
  }
  return best;
}

/** The room an import lands in: a repository path's room, `package:<name>` for the package itself, `internal:<room>` for its private `#internal/*` imports. */
export function targetRoom(specifier: string, resolved: string | undefined): string | undefined {
  if (specifier === 'sse-reference' || specifier.startsWith('sse-reference/')) return `package:${specifier}`;
  // package.json maps "#internal/*" to dist/*, built from src/*.
  if (specifier.startsWith('#internal/')) return `internal:${roomOf(`src/${specifier.slice('#internal/'.length).replace(/\.js$/, '.ts')}`) ?? specifier}`;
  return resolved === undefined ? undefined : roomOf(resolved);
}

/** What the package's own exports point at, so `src` files may be checked like relative imports. */
export const PACKAGE_ROOMS: Readonly<Record<string, string>> = {
  'package:sse-reference': 'src',
  'package:sse-reference/testing': 'src/testing',
  'package:sse-reference/client': 'src/client',
  'package:sse-reference/redis': 'src/redis',
  'package:sse-reference/conformance': 'conformance',
  'package:sse-reference/web': 'src',
};

/** Whether a file in room `from` may import room `to`. */
export function isAllowed(from: string, to: string, isTest: boolean): boolean {
  if (from === to) return true;
  const room = ROOMS[from];
  if (room === undefined) return false;
  const allowed = isTest ? [...room.may, ...(room.testsMay ?? [])] : room.may;
  return allowed.includes(to) || (PACKAGE_ROOMS[to] !== undefined && allowed.includes(PACKAGE_ROOMS[to]));
}

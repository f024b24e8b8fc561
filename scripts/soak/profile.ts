/** Which sizes to run: `full` for `npm run soak`, `short` inside `npm test`. */
export type ProfileName = 'full' | 'short';

/** The sizes of every scenario for one profile. */
export interface Profile {
  readonly name: ProfileName;
  /** Seed of every generator, so a run can be replayed. */
  readonly seed: number;
  readonly fuzzValues: number;
  readonly fuzzConcurrency: number;
  readonly floodSockets: number;
  readonly slowlorisClients: number;
  readonly slowBytes: number;
  readonly slowClients: number;
  readonly fastClients: number;
  readonly churnCycles: number;
  readonly churnConcurrency: number;
  readonly stormClients: number;
  readonly shutdownClients: number;
  readonly contentRandom: number;
  readonly bigPayloadBytes: number;
  /**
   * How long a scenario waits for something a good server does at once (a cut, a replay, a
   * delivery). Generous in the real profiles; the weak-server test shortens it, since there the
   * wait is expected to run out.
   */
  readonly waitMs: number;
  /** SIGKILLs during publishing with a history file. */
  readonly crashKills: number;
  /** Rounds of filling the history file's disk and giving the space back. */
  readonly diskFullRounds: number;
  /** Streams held while the descriptor limit is hit, and the storm of new connections. */
  readonly fdStreams: number;
  readonly fdStorm: number;
  /** Publishes sent while Redis answers slowly. */
  readonly slowRedisPublishes: number;
  /** Slow readers and bytes published to them under a small heap. */
  readonly heapSlowClients: number;
  readonly heapBurstBytes: number;
  /** Sockets trickling a body to routes that do not read it, and to `/publish`. */
  readonly slowBodyClients: number;
  readonly slowPublishClients: number;
  /** Idle HTTP/2 connections of each kind (silent, preface only, idle after a request). */
  readonly idleH2Connections: number;
}

const FULL: Profile = {
  name: 'full',
  seed: 20261123,
  fuzzValues: 10_000,
  fuzzConcurrency: 64,
  floodSockets: 2000,
  slowlorisClients: 20,
  slowBytes: 10 * 1024 * 1024,
  slowClients: 4,
  fastClients: 4,
  churnCycles: 100_000,
  churnConcurrency: 128,
  stormClients: 5000,
  shutdownClients: 200,
  contentRandom: 2000,
  bigPayloadBytes: 1024 * 1024,
  waitMs: 10_000,
  crashKills: 25,
  diskFullRounds: 5,
  fdStreams: 400,
  fdStorm: 3000,
  slowRedisPublishes: 40,
  heapSlowClients: 100,
  heapBurstBytes: 64 * 1024 * 1024,
  slowBodyClients: 420,
  slowPublishClients: 60,
  idleH2Connections: 160,
};

const SHORT: Profile = {
  ...FULL,
  name: 'short',
  fuzzValues: 600,
  fuzzConcurrency: 32,
  floodSockets: 200,
  slowlorisClients: 4,
  slowBytes: 8 * 1024 * 1024,
  slowClients: 2,
  fastClients: 2,
  churnCycles: 2000,
  churnConcurrency: 64,
  stormClients: 300,
  shutdownClients: 30,
  contentRandom: 200,
  crashKills: 4,
  diskFullRounds: 2,
  fdStreams: 100,
  fdStorm: 400,
  slowRedisPublishes: 8,
  heapSlowClients: 20,
  heapBurstBytes: 16 * 1024 * 1024,
  slowBodyClients: 42,
  slowPublishClients: 6,
  idleH2Connections: 16,
};

/** The sizes for `name`. */
export function profile(name: ProfileName): Profile {
  return name === 'full' ? FULL : SHORT;
}

/** The extra loopback addresses clients are spread over (Linux routes all of 127/8 to lo). */
export const SOURCE_ADDRESSES: readonly string[] = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

import { parseArgs } from 'node:util';

/** What one bench run measures. */
export interface Profile {
  readonly name: 'full' | 'quick' | 'peers' | 'h2';
  /** Repetitions per server, interleaved A B A B … */
  readonly reps: number;
  /** The stream counts C to measure at. */
  readonly streamCounts: readonly number[];
  /** Bursts per repetition at each C (enough deliveries for the 10 ms CPU clock to resolve). */
  readonly burstsAt: Readonly<Record<number, number>>;
  /** Bursts sent first and not counted, so that V8 has optimised both servers' fan-out path. */
  readonly warmUpBursts: number;
  readonly burstEvents: number;
  /** Length of each event's data; the encoded event is about 30 bytes longer. */
  readonly dataBytes: number;
  /** Steady publishing rates (events/s) measured at the smallest C. */
  readonly rates: readonly number[];
  readonly rateSeconds: number;
  /** Streams being opened at once. */
  readonly connectConcurrency: number;
  /** Wait after opening the streams before reading idle memory. */
  readonly settleMs: number;
  /**
   * Also open as many streams as the open-files limit allows (rounded down to a thousand, a
   * thousand spare) and read idle memory there, with no bursts or rates.
   */
  readonly probeLargest: boolean;
}

/** `npm run bench`: C = 1,000 and 10,000, five repetitions; what docs/benchmarks.md shows. */
export const FULL: Profile = {
  name: 'full',
  reps: 5,
  streamCounts: [1000, 10_000],
  // At C = 1,000 a burst is 100,000 deliveries, about 17 ms of the reference's CPU: 30 of them
  // keep the 10 ms tick of /proc/<pid>/stat within about 2 % of the figure.
  burstsAt: { 1000: 30, 10_000: 3 },
  // V8 tiers a function up after it has run hot a while: in profiles here the reference's
  // fan-out was still being compiled during the second and third bursts at C = 1,000.
  warmUpBursts: 3,
  burstEvents: 100,
  dataBytes: 70,
  rates: [20, 100],
  rateSeconds: 8,
  connectConcurrency: 100,
  settleMs: 2000,
  probeLargest: true,
};

/** `npm run bench -- --quick`: C = 1,000 only, two repetitions, for CI. */
export const QUICK: Profile = {
  ...FULL,
  name: 'quick',
  reps: 2,
  streamCounts: [1000],
  burstsAt: { 1000: 5 },
  rateSeconds: 2,
  settleMs: 1000,
  probeLargest: false,
};

/**
 * `npm run bench -- --peers`: the full counts, fewer bursts. The slowest peer spends about 35 s
 * on each burst to 10,000 streams; the reference's CPU figures come from the full run.
 */
export const PEERS: Profile = {
  ...FULL,
  name: 'peers',
  reps: 3,
  burstsAt: { 1000: 10, 10_000: 2 },
  warmUpBursts: 2,
  rateSeconds: 5,
  probeLargest: false,
};

/** `npm run bench -- --h2`: C = 1,000 over HTTP/1.1, h2c and TLS, three repetitions. */
export const H2: Profile = { ...FULL, name: 'h2', reps: 3, streamCounts: [1000], probeLargest: false };

/** A parsed command line. */
export interface BenchRequest {
  readonly kind: 'run' | 'help';
  readonly profile: Profile;
  /** Measure this external server instead of the reference and the baseline. */
  readonly target?: { readonly streamUrl: string; readonly publishUrl?: string; readonly burstUrl?: string; readonly pid?: number };
  /** Whether to rewrite docs/benchmarks.md and the chart. */
  readonly writeDocs: boolean;
  /** Extra node flags for the reference server (e.g. `--cpu-prof`). */
  readonly serverNodeArgs: readonly string[];
  /** Measure the peers too (better-sse, @fastify/sse, Hono, Go), installed into a scratch folder. */
  readonly peers: boolean;
  /** `--only`: the servers of a peers run to measure, by the start of their names (case ignored). */
  readonly only?: readonly string[];
  /** Measure the reference over HTTP/1.1, h2c and HTTP/2 over TLS at C = 1,000 instead. */
  readonly h2: boolean;
  /** Measure nothing: render the docs again from this run's raw figures (bench-results/*.json). */
  readonly renderFrom?: string;
  /** Also run both servers under this node binary (e.g. Node 24), beside this process's node, in one run. */
  readonly otherNode?: string;
}


/** The `--help` text. */
export const HELP = `npm run bench -- [options]

Starts the reference server and a naive baseline on free loopback ports, one after the other,
drives each with a load process (pinned to another core where taskset exists), repeats A B A B,
and prints medians with the ratio reference/baseline. Raw figures go to bench-results/*.json.

  --quick                C = 1,000 only, 2 repetitions, under 2 minutes; docs are left alone
  --reps <n>             repetitions per server
  --url <stream url>     measure any SSE server instead (no baseline); needs the server running;
                         without a publish or burst URL only streams and memory are measured
  --publish-url <url>    POST {"data"} target for that server (rates, and bursts without --burst-url)
  --burst-url <url>      POST {"count","data"} target that publishes count events at once
  --pid <pid>            that server's pid, for CPU and memory from /proc
  --no-docs              do not rewrite docs/benchmarks.md
  --peers                also measure better-sse, @fastify/sse, Hono streamSSE and Go net/http
                         (installed into $SSE_PEERS_DIR, default <tmpdir>/sse-reference-peers;
                         Go from golang-go) and the floor (one Buffer per burst, one write per stream),
                         ${PEERS.reps} repetitions with fewer bursts; writes the peers section of the docs
  --only <a,b,...>       with --peers: only these servers, by the start of their names, e.g.
                         reference,naive,floor,go (Hono alone takes about 4 minutes a repetition)
  --h2                   the reference over HTTP/1.1, h2c and HTTP/2 over TLS, C = 1,000, the HTTP/2
                         streams over 10 sessions; ${H2.reps} repetitions; writes the HTTP/2 section
  --storm                a run of its own: one sequential publisher at 10,000 subscribers (fan-out
                         in slices against one pass) and the reconnect storm at 2,000 and 10,000
                         clients (proxy drop, restart on --history-file); --write-docs puts its
                         section into the docs; see scripts/bench/storm-run.ts for its options
  --render <results>     measure nothing: rewrite the docs from a run's bench-results/*.json
                         (after editing analysis.md, say)
  --node <path>          also run both servers under this node binary, beside this process's node,
                         interleaved, every row (the load stays on this node); writes the Node
                         section. Node 24 from the npm registry:
                         --node "$(npx -y -p node@24 node -p process.execPath)"
  --cpu-prof             run the reference server with node --cpu-prof (profiles in bench-results/)
  --help                 this text

Exits 1 only if a server errors (crash, refused or dropped stream, undelivered burst), never on a
timing.
`;

function positiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer, got ${JSON.stringify(text)}.`);
  return value;
}

/**
 * A whole-number flag of a bench phase (`--streams 2000`): its fallback when absent, else 1 to
 * `maxDigits` digits with no leading zero.
 *
 * @throws TypeError naming the flag and what was given
 */
export function wholeFlag(flag: string, value: string | undefined, fallback: number, maxDigits: number): number {
  if (value === undefined) return fallback;
  if (!new RegExp(`^[1-9][0-9]{0,${maxDigits - 1}}$`).test(value)) throw new TypeError(`--${flag} takes a whole number, got ${JSON.stringify(value)}.`);
  return Number(value);
}

/**
 * Parses the bench's command line.
 *
 * @throws TypeError / RangeError with a sentence saying what to change
 */
export function parseBenchArgs(argv: readonly string[]): BenchRequest {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      url: { type: 'string' },
      'publish-url': { type: 'string' },
      'burst-url': { type: 'string' },
      pid: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      peers: { type: 'boolean', default: false },
      h2: { type: 'boolean', default: false },
      render: { type: 'string' },
      node: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const base = values.quick ? QUICK : values.peers ? PEERS : values.h2 ? H2 : FULL;
  const profile = values.reps === undefined ? base : { ...base, reps: positiveInteger(values.reps, 'reps') };
  const isTarget = values.url !== undefined;
  if (values.node !== undefined && (values.h2 || values.peers || isTarget)) throw new TypeError('--node runs the reference and the baseline under two nodes: it goes with neither --h2, --peers nor --url.');
  if (values.h2 && values.peers) throw new TypeError('--h2 and --peers are separate runs: give one of them.');
  if (isTarget && (values.peers || values.h2)) throw new TypeError('--peers measures servers the bench starts itself; it does not go with --url.');
  if (values.only !== undefined && !values.peers) throw new TypeError('--only picks servers of a peers run: give --peers too.');
  if (!isTarget && (values['publish-url'] !== undefined || values['burst-url'] !== undefined || values.pid !== undefined)) {
    throw new TypeError('--publish-url, --burst-url and --pid describe an external server: give its stream with --url too.');
  }
  return {
    kind: values.help ? 'help' : 'run',
    profile,
    ...(isTarget
      ? {
          target: {
            streamUrl: values.url as string,
            ...(values['publish-url'] === undefined ? {} : { publishUrl: values['publish-url'] }),
            ...(values['burst-url'] === undefined ? {} : { burstUrl: values['burst-url'] }),
            ...(values.pid === undefined ? {} : { pid: positiveInteger(values.pid, 'pid') }),
          },
        }
      : {}),
    writeDocs: !values.quick && !values['no-docs'] && !isTarget,
    serverNodeArgs: values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir=bench-results/profiles'] : [],
    peers: values.peers,
    h2: values.h2,
    ...(values.render === undefined ? {} : { renderFrom: values.render }),
    ...(values.node === undefined ? {} : { otherNode: values.node }),
    ...(values.only === undefined ? {} : { only: values.only.split(',').map((word) => word.trim()).filter((word) => word !== '') }),
  };
}

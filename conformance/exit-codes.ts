/** The exit codes of `sse-conformance`, stable across releases: a CI job branches on them. */
export const EXIT = { pass: 0, fail: 1, usage: 2, unreachable: 3, incomplete: 4 } as const;

/** One of {@link EXIT}'s codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means; `--help` and `docs/conformance.md` are rendered from this list. */
export const EXIT_CODES: readonly { readonly code: ExitCode; readonly meaning: string }[] = [
  { code: EXIT.pass, meaning: 'every MUST rule passed (with --strict, every SHOULD rule too); ADVICE never changes it' },
  { code: EXIT.fail, meaning: 'a MUST rule failed (with --strict, a SHOULD rule too), or a known failure passed (a stale expectations file)' },
  { code: EXIT.usage, meaning: 'usage error: a bad option, an unknown rule id or area in --only/--skip or the expectations file, a --junit file that cannot be written' },
  { code: EXIT.unreachable, meaning: 'the target cannot be reached at all: DNS, connection refused, TLS failure, or closed with no HTTP answer' },
  { code: EXIT.incomplete, meaning: '--deadline cut the run before every rule was judged, and nothing judged failed' },
];

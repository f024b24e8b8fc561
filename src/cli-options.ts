import { parseArgs } from 'node:util';
import { DEFAULTS, type SseServerOptions } from './app.js';

/** The CLI flags and the option each one sets, with its help line. */
const FLAGS = {
  port: ['port', 'port to listen on (env PORT)'],
  host: ['host', 'address to bind (env HOST)'],
  'max-connections': ['maxConnections', 'open streams across all clients'],
  'max-per-client': ['maxPerClient', 'open streams per client address'],
  heartbeat: ['heartbeatMs', 'ms of idle before a comment heartbeat; 0 = off'],
  retry: ['retryMs', 'ms in the retry: hint, jittered ±20 %'],
  history: ['historyEvents', 'events kept on /feed for resume'],
  'max-pending': ['maxPendingBytes', 'bytes queued for one client before it is cut as slow'],
  tick: ['tickMs', 'ms between ticker events on /feed; 0 = off'],
} as const satisfies Record<string, readonly [keyof SseServerOptions, string]>;

/** What the command line asked for. */
export type CliRequest = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'serve'; readonly options: SseServerOptions };

/**
 * Reads the server's command line and environment.
 *
 * @param argv - the arguments after the script name
 * @param env - the environment, for `PORT` and `HOST` (flags win)
 * @throws TypeError with a sentence naming the flag when a value is not what it should be
 */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliRequest {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { kind: 'help', text: helpText() };
  const options: Record<string, string | number> = {};
  const raw: Record<string, string | undefined> = { port: env['PORT'], host: env['HOST'] };
  for (const flag of Object.keys(FLAGS) as (keyof typeof FLAGS)[]) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') raw[flag] = value;
  }
  for (const [flag, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const [name] = FLAGS[flag as keyof typeof FLAGS];
    if (name === 'host') options[name] = value;
    else if (/^[0-9]+$/.test(value)) options[name] = Number(value);
    else throw new TypeError(`--${flag} takes a whole number, got ${JSON.stringify(value)}.`);
  }
  return { kind: 'serve', options: options as SseServerOptions };
}

function helpText(): string {
  const lines = ['Usage: node dist/server.js [options]', '', 'Options:'];
  for (const [flag, [name, help]] of Object.entries(FLAGS)) {
    const arg = name === 'host' ? ' <address>' : ' <n>';
    lines.push(`  --${(flag + arg).padEnd(24)}${help} (default ${String(DEFAULTS[name])})`);
  }
  lines.push(`  --${'help'.padEnd(24)}print this help`);
  return lines.join('\n') + '\n';
}

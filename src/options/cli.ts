import { parseArgs } from 'node:util';
import { DEFAULTS, type SseServerOptions } from '../app.js';

type NumericOption = 'port' | 'maxConnections' | 'maxPerClient' | 'heartbeatMs' | 'retryMs' | 'historyEvents' | 'maxPendingBytes' | 'tickMs' | 'headersTimeoutMs';

/** The numeric flags and the option each one sets, with its help line. */
const NUMERIC_FLAGS: Record<string, readonly [NumericOption, string]> = {
  port: ['port', 'port to listen on (env PORT)'],
  'max-connections': ['maxConnections', 'open streams across all clients'],
  'max-per-client': ['maxPerClient', 'open streams per client address'],
  heartbeat: ['heartbeatMs', 'ms of idle before a comment heartbeat; 0 = off'],
  retry: ['retryMs', 'ms in the retry: hint, jittered ±20 %'],
  history: ['historyEvents', 'events kept on /feed for resume'],
  'max-pending': ['maxPendingBytes', 'bytes queued for one client before it is cut as slow'],
  tick: ['tickMs', 'ms between ticker events on /feed; 0 = off'],
  'headers-timeout': ['headersTimeoutMs', 'ms a client may take to send its request headers, then 408'],
};

const OTHER_FLAGS = [
  ['host <address>', `address to bind (env HOST) (default ${DEFAULTS.host})`],
  ['tls-cert <file>', 'PEM certificate: serve HTTPS with HTTP/2 and HTTP/1.1 fallback'],
  ['tls-key <file>', 'PEM private key for --tls-cert'],
  ['h2c', 'serve cleartext HTTP/2 (behind a proxy that speaks it)'],
  ['cors-origin <origin>', 'allow this origin to read the streams and publish; repeatable'],
  ['cors-credentials', 'allow credentials for the --cors-origin origins'],
  ['history-file <path>', "keep /feed's history and epoch in this append-only file (survives restarts)"],
  ['redis <url>', "keep /feed's history in a Redis stream shared by every instance, e.g. redis://127.0.0.1:6379/0"],
  ['redis-key <key>', `the Redis stream's key (default ${DEFAULTS.redisKey})`],
  ['help', 'print this help'],
] as const;

/** What the command line asked for. Certificate files are named, not read: that is I/O. */
export type CliRequest =
  | { readonly kind: 'help'; readonly text: string }
  | {
      readonly kind: 'serve';
      readonly options: Omit<SseServerOptions, 'tls'>;
      readonly tlsFiles?: { readonly cert: string; readonly key: string };
    };

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
      ...Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      host: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      h2c: { type: 'boolean' },
      'cors-origin': { type: 'string', multiple: true },
      'cors-credentials': { type: 'boolean' },
      'history-file': { type: 'string' },
      redis: { type: 'string' },
      'redis-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { kind: 'help', text: helpText() };
  const options: Record<string, unknown> = {};
  const numbers: Record<string, unknown> = { port: env['PORT'], ...values };
  for (const [flag, [name]] of Object.entries(NUMERIC_FLAGS)) {
    const value = numbers[flag];
    if (typeof value !== 'string') continue;
    if (!/^[0-9]+$/.test(value)) throw new TypeError(`--${flag} takes a whole number, got ${JSON.stringify(value)}.`);
    options[name] = Number(value);
  }
  const host = values.host ?? env['HOST'];
  if (host !== undefined) options['host'] = host;
  if (values.h2c === true) options['h2c'] = true;
  if (values['cors-origin'] !== undefined) options['corsOrigins'] = values['cors-origin'];
  if (values['cors-credentials'] === true) options['corsCredentials'] = true;
  if (values['history-file'] !== undefined && values.redis !== undefined) {
    throw new TypeError('--history-file and --redis exclude each other: with Redis, the stream is the history.');
  }
  if (values['redis-key'] !== undefined && values.redis === undefined) throw new TypeError('--redis-key goes with --redis.');
  if (values['history-file'] !== undefined) options['historyFile'] = values['history-file'];
  if (values.redis !== undefined) options['redisUrl'] = values.redis;
  if (values['redis-key'] !== undefined) options['redisKey'] = values['redis-key'];
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new TypeError('--tls-cert and --tls-key go together: give both, or neither.');
  if (cert !== undefined && values.h2c === true) throw new TypeError('--h2c is cleartext HTTP/2; with --tls-cert the server already offers HTTP/2.');
  const request = { kind: 'serve' as const, options: options as Omit<SseServerOptions, 'tls'> };
  return cert !== undefined && key !== undefined ? { ...request, tlsFiles: { cert, key } } : request;
}

function helpText(): string {
  const lines = ['Usage: node dist/server.js [options]', '', 'Options:'];
  for (const [flag, [name, help]] of Object.entries(NUMERIC_FLAGS)) {
    lines.push(`  --${`${flag} <n>`.padEnd(24)}${help} (default ${DEFAULTS[name]})`);
  }
  for (const [flag, help] of OTHER_FLAGS) lines.push(`  --${flag.padEnd(24)}${help}`);
  return lines.join('\n') + '\n';
}

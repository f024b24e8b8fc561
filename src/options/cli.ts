import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OPTIONS, type OptionName, type OptionSpec, type SseServerOptions } from './table.js';

/** What the command line asked for. Certificate files are named, not read: that is I/O. */
export type CliRequest =
  | { readonly kind: 'help'; readonly text: string }
  | {
      readonly kind: 'serve';
      readonly options: Omit<SseServerOptions, 'tls'>;
      readonly tlsFiles?: { readonly cert: string; readonly key: string };
    };

const FLAGGED = (Object.entries(OPTIONS) as [OptionName, OptionSpec][]).filter(
  (entry): entry is [OptionName, OptionSpec & { flag: NonNullable<OptionSpec['flag']> }] => entry[1].flag !== undefined,
);

/** The parseArgs configuration, read from the options table. */
function argsConfig(): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = { 'tls-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } };
  for (const [, spec] of FLAGGED) {
    config[spec.flag.name] = spec.type === 'boolean' ? { type: 'boolean' } : { type: 'string', ...(spec.type === 'strings' ? { multiple: true } : {}) };
  }
  return config;
}

/**
 * Reads the server's command line and environment.
 *
 * @param argv - the arguments after the script name
 * @param env - the environment, for the options that name a variable (`PORT`, `HOST`); flags win
 * @throws TypeError with a sentence naming the flag when a value is not what it should be
 */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliRequest {
  const { values } = parseArgs({ args: [...argv], options: argsConfig(), strict: true, allowPositionals: false });
  if (values['help'] === true) return { kind: 'help', text: helpText() };
  const options: Record<string, unknown> = {};
  for (const [name, spec] of FLAGGED) {
    const value = values[spec.flag.name] ?? (spec.env === undefined ? undefined : env[spec.env]);
    if (value === undefined || spec.type === 'tls') continue;
    if (spec.type === 'integer') {
      if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) throw new TypeError(`--${spec.flag.name} takes a whole number, got ${JSON.stringify(value)}.`);
      options[name] = Number(value);
    } else if (spec.type !== 'boolean' || value === true) options[name] = value;
  }
  if (options['historyFile'] !== undefined && options['redisUrl'] !== undefined) {
    throw new TypeError('--history-file and --redis exclude each other: with Redis, the stream is the history.');
  }
  if (options['redisKey'] !== undefined && options['redisUrl'] === undefined) throw new TypeError('--redis-key goes with --redis.');
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new TypeError('--tls-cert and --tls-key go together: give both, or neither.');
  if (cert !== undefined && options['h2c'] === true) throw new TypeError('--h2c is cleartext HTTP/2; with --tls-cert the server already offers HTTP/2.');
  const request = { kind: 'serve' as const, options: options as Omit<SseServerOptions, 'tls'> };
  return typeof cert === 'string' && typeof key === 'string' ? { ...request, tlsFiles: { cert, key } } : request;
}

/** `--help`, read from the options table. */
function helpText(): string {
  const lines = ['Usage: node dist/server.js [options]', '', 'Options:'];
  for (const [, spec] of FLAGGED) {
    const flag = `${spec.flag.name}${spec.flag.value === undefined ? '' : ` <${spec.flag.value}>`}`;
    const env = spec.env === undefined ? '' : ` (env ${spec.env})`;
    const fallback = typeof spec.default === 'number' || typeof spec.default === 'string' ? ` (default ${spec.default})` : '';
    lines.push(`  --${`${flag} `.padEnd(24)}${spec.help.replaceAll('`', '')}${env}${fallback}`);
  }
  lines.push(`  --${'help'.padEnd(24)}print this help`);
  const libraryOnly = (Object.entries(OPTIONS) as [OptionName, OptionSpec][]).filter(([, spec]) => spec.flag === undefined).map(([name]) => name);
  lines.push('', `Library only (createSseServer), no flag: ${libraryOnly.join(', ')}.`);
  return lines.join('\n') + '\n';
}

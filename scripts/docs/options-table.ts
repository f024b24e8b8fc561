import { OPTIONS, type OptionSpec } from '#internal/options/table.js';
import { CONFORMANCE_RUN_BLOCKS } from '../conformance-runs.js';
import { renderEventErrors, renderHttpErrors, renderStoreErrors } from './errors-table.js';

/**
 * The README's options table, rendered from the server's options table: one row per option, with
 * its flag (or none), environment variable, default and help line.
 */
export function renderOptionsTable(): string {
  const rows = ['| option | flag | env | default | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    const flag = spec.flag === undefined ? 'none (library only)' : `\`--${spec.flag.name}${spec.flag.value === undefined ? '' : ` <${spec.flag.value}>`}\``;
    rows.push(`| \`${name}\` | ${flag} | ${spec.env === undefined ? '' : `\`${spec.env}\``} | ${formatDefault(spec.default)} | ${spec.help} |`);
  }
  return rows.join('\n');
}

function formatDefault(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none';
  if (value === false) return 'off';
  return typeof value === 'string' ? `\`${value}\`` : String(value);
}

/** Blocks whose body is rendered from code rather than quoted or recorded: `<!-- generated: name -->`. */
export const GENERATED: Readonly<Record<string, () => string>> = {
  'options-table': renderOptionsTable,
  'event-errors': renderEventErrors,
  'store-errors': renderStoreErrors,
  'http-errors': renderHttpErrors,
  // The README's conformance runs, recorded by `npm run docs:conformance -- --record`.
  ...CONFORMANCE_RUN_BLOCKS,
};

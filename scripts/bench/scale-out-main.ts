import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../paths.js';
import { wholeFlag } from './options.js';
import { withSection } from '../lib/blocks.js';
import { renderScaleOutSection, runScaleOut, SCALE_OUT_PROFILE, type ScaleOutProfile } from './scale-out.js';

/**
 * `npm run bench -- --scale-out [--streams n] [--seconds s] [--write-docs]`: the scale-out
 * profile alone. Prints the table, keeps the raw figures in bench-results/, and with
 * --write-docs puts the section into docs/benchmarks.md.
 *
 * @returns the exit code
 */
export async function scaleOutMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'scale-out': { type: 'boolean' },
      streams: { type: 'string' },
      seconds: { type: 'string' },
      'write-docs': { type: 'boolean' },
    },
    strict: true,
  });
  const whole = (flag: string, value: string | undefined, fallback: number): number => wholeFlag(flag, value, fallback, 6);
  const profile: ScaleOutProfile = {
    ...SCALE_OUT_PROFILE,
    streams: whole('streams', values.streams, SCALE_OUT_PROFILE.streams),
    seconds: whole('seconds', values.seconds, SCALE_OUT_PROFILE.seconds),
  };
  const rows = await runScaleOut(profile, (line) => process.stderr.write(`${line}\n`));
  const finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const section = renderScaleOutSection(rows, finishedAt, availableParallelism());
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const resultsFile = join('bench-results', `scale-out-${finishedAt.replace(/:/g, '-')}.json`);
  writeFileSync(join(ROOT, resultsFile), `${JSON.stringify({ finishedAt, profile, rows }, null, 2)}\n`);
  process.stdout.write(`${section}\n\nraw figures: ${resultsFile}\n`);
  if (values['write-docs'] === true) {
    const page = join(ROOT, 'docs', 'benchmarks.md');
    writeFileSync(page, withSection(readFileSync(page, 'utf8'), 'scale-out', section));
    process.stderr.write('wrote the scale-out section of docs/benchmarks.md\n');
  }
  return rows.every((row) => row.refused === 0 && row.completeness > 0.99) ? 0 : 1;
}

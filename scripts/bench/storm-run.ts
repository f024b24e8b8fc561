import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../paths.js';
import { wholeFlag } from './options.js';
import { withSection } from '../lib/blocks.js';
import { DEFAULT_SLICE, measurePublisher, measureStorms, renderStormSection, STORM_PROFILE, UNSLICED, type PublisherRow, type StormProfile, type StormRow } from './storm.js';

/**
 * `npm run bench -- --storm [--reps n] [--counts 2000,10000] [--streams n] [--seconds s] [--slices 100,1000000] [--write-docs] [--render <results>]`:
 * the one-publisher phase (sliced against one pass, interleaved) and the reconnect storms. Prints
 * the section, keeps the raw figures in bench-results/, and with --write-docs puts it into
 * docs/benchmarks.md.
 *
 * @returns the exit code: 1 when a client saw a gap or a duplicate, or not every client came back
 */
export async function stormMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      storm: { type: 'boolean' },
      reps: { type: 'string' },
      counts: { type: 'string' },
      streams: { type: 'string' },
      seconds: { type: 'string' },
      slices: { type: 'string' },
      render: { type: 'string' },
      'write-docs': { type: 'boolean' },
    },
    strict: true,
  });
  const whole = (flag: string, value: string | undefined, fallback: number): number => wholeFlag(flag, value, fallback, 7);
  const profile: StormProfile = {
    ...STORM_PROFILE,
    reps: whole('reps', values.reps, STORM_PROFILE.reps),
    counts: values.counts === undefined ? STORM_PROFILE.counts : values.counts.split(',').map((count) => whole('counts', count, 0)),
    publisherStreams: whole('streams', values.streams, STORM_PROFILE.publisherStreams),
    publisherSeconds: whole('seconds', values.seconds, STORM_PROFILE.publisherSeconds),
  };
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const analysisFile = join(ROOT, 'scripts', 'bench', 'storm-analysis.md');
  const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8').trim() : '';
  const page = join(ROOT, 'docs', 'benchmarks.md');
  if (values.render !== undefined) {
    // The docs again from a run's raw figures, e.g. after the analysis was edited.
    const run = JSON.parse(readFileSync(values.render, 'utf8')) as { finishedAt: string; profile: StormProfile; load: string; node?: string; publishers: PublisherRow[]; storms: StormRow[] };
    const text = renderStormSection({ ...run, node: run.node ?? process.version, analysis });
    writeFileSync(page, withSection(readFileSync(page, 'utf8'), 'storm', text));
    log('wrote the storm section of docs/benchmarks.md');
    return 0;
  }
  const load = loadavg().map((value) => value.toFixed(2)).join(', ');
  const publishers: PublisherRow[] = [];
  const storms: StormRow[] = [];
  for (let rep = 1; rep <= profile.reps; rep++) {
    for (const slice of values.slices === undefined ? [DEFAULT_SLICE, UNSLICED] : values.slices.split(',').map((n) => whole('slices', n, 0))) {
      log(`publisher rep ${rep}/${profile.reps}, ${slice === UNSLICED ? 'one pass' : `slices of ${slice}`}`);
      publishers.push(...(await measurePublisher(profile, slice, rep, log)));
    }
  }
  for (let rep = 1; rep <= profile.reps; rep++) {
    for (const count of profile.counts) {
      log(`storm rep ${rep}/${profile.reps}, ${count} clients`);
      storms.push(...(await measureStorms(profile, count, rep, log)));
    }
  }
  const finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const text = renderStormSection({ storms, publishers, profile, finishedAt, node: process.version, load, analysis });
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const resultsFile = join('bench-results', `storm-${finishedAt.replace(/:/g, '-')}.json`);
  writeFileSync(join(ROOT, resultsFile), `${JSON.stringify({ finishedAt, profile, load, node: process.version, publishers, storms }, null, 2)}\n`);
  process.stdout.write(`${text}\n\nraw figures: ${resultsFile}\n`);
  if (values['write-docs'] === true) {
    writeFileSync(page, withSection(readFileSync(page, 'utf8'), 'storm', text));
    log('wrote the storm section of docs/benchmarks.md');
  }
  const isSound = storms.every((row) => row.gaps === 0 && row.duplicates === 0 && row.caughtUp === row.clients) && publishers.every((row) => row.gaps === 0 && row.duplicates === 0);
  return isSound ? 0 : 1;
}

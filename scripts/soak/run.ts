import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findBlocks, section, withSection } from '../lib/blocks.js';
import { ROOT } from '../paths.js';
import { churn } from './churn.js';
import { crashPublish } from './crash-publish.js';
import { diskFull } from './disk-full.js';
import { fdExhaustion } from './fd-exhaustion.js';
import { heapLimit } from './heap-limit.js';
import { idleHttp2 } from './idle-http2.js';
import { eventContent } from './event-content.js';
import { fuzzLastEventId } from './fuzz-last-event-id.js';
import { malformedRequests } from './malformed-requests.js';
import { profile, type ProfileName } from './profile.js';
import { reconnectStorm } from './reconnect-storm.js';
import { formatMarkdown, formatTable, writeResult, type ScenarioResult } from './report.js';
import { shutdownRestart } from './shutdown-restart.js';
import { slowBody } from './slow-body.js';
import { slowRedis } from './slow-redis.js';
import { slowReaders } from './slow-readers.js';

// `npm run soak`: every reliability scenario at full size, one after another (they share two
// cores with everything else, so never in parallel), each printed as a table and saved as JSON.

const SCENARIOS: Record<string, (p: ReturnType<typeof profile>) => Promise<ScenarioResult>> = {
  'fuzz-last-event-id': fuzzLastEventId,
  'malformed-requests': malformedRequests,
  'slow-body': slowBody,
  'idle-http2': idleHttp2,
  'slow-readers': slowReaders,
  churn,
  'reconnect-storm': reconnectStorm,
  'shutdown-restart': shutdownRestart,
  'event-content': eventContent,
  'crash-publish': crashPublish,
  'disk-full': diskFull,
  'fd-exhaustion': fdExhaustion,
  'slow-redis': slowRedis,
  'heap-limit': heapLimit,
};

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'full' },
    only: { type: 'string', multiple: true },
    out: { type: 'string', default: join(ROOT, 'soak-results') },
    'write-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true) {
  process.stdout.write(
    `Usage: node dist/scripts/soak/run.js [--profile full|short] [--only <scenario>]… [--out <dir>] [--write-docs]\n` +
      `--write-docs puts the figures of a full run of every scenario into docs/reliability.md.\n` +
      `Scenarios: ${Object.keys(SCENARIOS).join(', ')}\n`,
  );
  process.exit(0);
}
if (values.profile !== 'full' && values.profile !== 'short') {
  process.stderr.write(`--profile must be full or short, got ${JSON.stringify(values.profile)}.\n`);
  process.exit(2);
}
const chosen = values.only ?? Object.keys(SCENARIOS);
for (const name of chosen) {
  if (!(name in SCENARIOS)) {
    process.stderr.write(`Unknown scenario ${JSON.stringify(name)}; known: ${Object.keys(SCENARIOS).join(', ')}.\n`);
    process.exit(2);
  }
}
const sizes = profile(values.profile as ProfileName);
const started = performance.now();
const results: ScenarioResult[] = [];
for (const name of chosen) {
  process.stdout.write(`\n▶ ${name} (${sizes.name})\n`);
  const result = await (SCENARIOS[name] as (p: typeof sizes) => Promise<ScenarioResult>)(sizes);
  results.push(result);
  process.stdout.write(formatTable(result) + '\n');
  process.stdout.write(`JSON: ${writeResult(values.out, result)}\n`);
}
writeFileSync(join(values.out, 'summary.md'), formatMarkdown(results) + '\n');
const failed = results.filter((r) => r.failures.length > 0);
const total = (performance.now() - started) / 1000;
if (values['write-docs'] === true) writeDocs();
process.stdout.write(`\nsoak: ${results.length - failed.length} passed, ${failed.length} failed in ${total.toFixed(1)} s\n`);
process.exit(failed.length === 0 ? 0 : 1);

/** Replaces the figures between the markers in docs/reliability.md with this run's. */
function writeDocs(): void {
  if (sizes.name !== 'full' || chosen.length !== Object.keys(SCENARIOS).length) {
    process.stderr.write('--write-docs records only a full run of every scenario; nothing written.\n');
    return;
  }
  const file = join(ROOT, 'docs/reliability.md');
  const page = readFileSync(file, 'utf8');
  if (!findBlocks(page).some((block) => block.kind === 'section' && block.ref === 'soak-figures')) {
    process.stderr.write('docs/reliability.md lacks the <!-- section: soak-figures --> … <!-- /section --> markers; nothing written.\n');
    return;
  }
  const passed = results.length - failed.length;
  const when = new Date().toISOString().slice(0, 16).replace('T', ' at ');
  const intro =
    `Produced by \`npm run soak -- --write-docs\` (full profile) on ${when} UTC, Node ${process.version}, ` +
    `${availableParallelism()} cores: ${passed} of ${results.length} scenarios passed in ${total.toFixed(0)} s.`;
  writeFileSync(file, withSection(page, 'soak-figures', section('soak-figures', `${intro}\n\n${formatMarkdown(results)}`)));
  process.stdout.write(`Figures written to ${file}\n`);
}

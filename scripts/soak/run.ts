import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../paths.js';
import { churn } from './churn.js';
import { eventContent } from './event-content.js';
import { fuzzLastEventId } from './fuzz-last-event-id.js';
import { malformedRequests } from './malformed-requests.js';
import { profile, type ProfileName } from './profile.js';
import { reconnectStorm } from './reconnect-storm.js';
import { formatMarkdown, formatTable, writeResult, type ScenarioResult } from './report.js';
import { shutdownRestart } from './shutdown-restart.js';
import { slowReaders } from './slow-readers.js';

// `npm run soak`: every reliability scenario at full size, one after another (they share two
// cores with everything else, so never in parallel), each printed as a table and saved as JSON.

const SCENARIOS: Record<string, (p: ReturnType<typeof profile>) => Promise<ScenarioResult>> = {
  'fuzz-last-event-id': fuzzLastEventId,
  'malformed-requests': malformedRequests,
  'slow-readers': slowReaders,
  churn,
  'reconnect-storm': reconnectStorm,
  'shutdown-restart': shutdownRestart,
  'event-content': eventContent,
};

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'full' },
    only: { type: 'string', multiple: true },
    out: { type: 'string', default: join(ROOT, 'soak-results') },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true) {
  process.stdout.write(
    `Usage: node dist/scripts/soak/run.js [--profile full|short] [--only <scenario>]… [--out <dir>]\nScenarios: ${Object.keys(SCENARIOS).join(', ')}\n`,
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
process.stdout.write(`\nsoak: ${results.length - failed.length} passed, ${failed.length} failed in ${total.toFixed(1)} s\n`);
process.exit(failed.length === 0 ? 0 : 1);

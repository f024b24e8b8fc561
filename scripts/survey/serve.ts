import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../paths.js';
import { ensureApt, ensureNpm, prepareTargets, surveyPaths } from './install.js';
import { freePort, runToEnd, startProcess } from '../lib/process.js';
import { TARGETS, mainPlace, targetById } from './targets.js';

/**
 * Starts one survey target by hand: `node dist/scripts/survey/serve.js <target> [--idle]`.
 * Installs what is missing (as the survey does), prints the stream URL and the process group id,
 * and stops the group on Ctrl-C or SIGTERM. `--idle` turns the app's ticker off (SURVEY_TICK=0).
 * `--check <rules>` reproduces findings in one line: it runs the suite with `--only <rules>` against
 * the target, stops it, and exits with the suite's code.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { idle: { type: 'boolean' }, list: { type: 'boolean' }, check: { type: 'string' } },
});
if (values.list === true || positionals.length !== 1) {
  process.stdout.write(`usage: node dist/scripts/survey/serve.js <target> [--idle] [--check <rule,...>]\ntargets:\n${TARGETS.map((t) => `  ${t.id.padEnd(20)} ${t.stack}`).join('\n')}\n`);
  process.exit(values.list === true ? 0 : 2);
}
const target = targetById(positionals[0] as string);
const paths = surveyPaths();
await ensureApt();
await ensureNpm(paths);
await prepareTargets(paths, [target]);
const port = target.givenPort === true ? await freePort() : 0;
const command = target.command(mainPlace(target, paths), paths, port);
const server = await startProcess({ ...command, env: { ...command.env, PORT: String(port), SURVEY_TICK: values.idle === true ? '0' : '1' } });
const url = `http://127.0.0.1:${server.port}${target.path}`;
let stopping = false;
const stop = (code: number): void => {
  if (stopping) return;
  stopping = true;
  void server.stop(3000).then(() => process.exit(code));
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
server.child.once('exit', (code, signal) => {
  if (stopping) return;
  process.stderr.write(`${target.id} exited (${code ?? signal})\n${server.output()}`);
  process.exit(1);
});
if (values.check === undefined) {
  process.stdout.write(`${url}\n`);
  process.stderr.write(`${target.id}: process group ${server.pid}; Ctrl-C stops it\n`);
} else {
  // As the survey does: a second and a half for the app's first events.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  process.stderr.write(`${target.id} at ${url}\n`);
  const suite = await runToEnd({ file: process.execPath, args: [join(ROOT, 'dist', 'conformance', 'cli.js'), url, '--only', values.check], stdout: 'inherit', stderr: 'inherit' });
  stop(suite.code ?? 1);
}

import { parseArgs } from 'node:util';
import { ensureApt, ensureNpm, prepareTargets, surveyPaths } from './install.js';
import { startServer, stopServer } from './processes.js';
import { TARGETS, targetById } from './targets.js';

/**
 * Starts one survey target by hand: `node dist/scripts/survey/serve.js <target> [--idle]`.
 * Installs what is missing (as the survey does), prints the stream URL and the process group id,
 * and stops the group on Ctrl-C or SIGTERM. `--idle` turns the app's ticker off (SURVEY_TICK=0).
 */
const { values, positionals } = parseArgs({ allowPositionals: true, options: { idle: { type: 'boolean' }, list: { type: 'boolean' } } });
if (values.list === true || positionals.length !== 1) {
  process.stdout.write(`usage: node dist/scripts/survey/serve.js <target> [--idle]\ntargets:\n${TARGETS.map((t) => `  ${t.id.padEnd(20)} ${t.stack}`).join('\n')}\n`);
  process.exit(values.list === true ? 0 : 2);
}
const target = targetById(positionals[0] as string);
const paths = surveyPaths();
await ensureApt();
await ensureNpm(paths);
await prepareTargets(paths);
const command = target.command(paths);
const server = await startServer({ ...command, env: { ...command.env, PORT: '0', SURVEY_TICK: values.idle === true ? '0' : '1' } });
process.stdout.write(`http://127.0.0.1:${server.port}${target.path}\n`);
process.stderr.write(`${target.id}: process group ${server.pid}; Ctrl-C stops it\n`);
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void stopServer(server).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.once('exit', (code, signal) => {
  if (stopping) return;
  process.stderr.write(`${target.id} exited (${code ?? signal})\n${server.output()}`);
  process.exit(1);
});

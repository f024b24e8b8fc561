// Runs nchan.conf on Debian's nginx in a scratch prefix, on 127.0.0.1:$PORT, and publishes a tick
// a second to the README's publisher endpoint (POST /pub) as an application would; SURVEY_TICK=0
// turns that off. Ours: nchan has no application code of its own to start.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.env.PORT);
const prefix = mkdtempSync(join(tmpdir(), 'sse-survey-nchan-'));
const template = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'nchan.conf'), 'utf8');
writeFileSync(join(prefix, 'nginx.conf'), template.replace('listen       80;', `listen       127.0.0.1:${port};`));
const nginx = spawn('nginx', ['-p', prefix, '-c', 'nginx.conf', '-e', 'stderr'], { stdio: 'inherit' });
const stop = () => {
  nginx.kill('SIGTERM');
};
nginx.once('exit', (code) => {
  rmSync(prefix, { recursive: true, force: true });
  process.exit(code ?? 0);
});
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

if (process.env.SURVEY_TICK !== '0') {
  let tick = 0;
  setInterval(() => {
    tick += 1;
    fetch(`http://127.0.0.1:${port}/pub`, { method: 'POST', body: `tick ${tick}` }).then((r) => r.arrayBuffer(), () => {});
  }, 1000);
}

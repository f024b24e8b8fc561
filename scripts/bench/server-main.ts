#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { makeCertificate } from 'sse-reference/testing';
import { createFloorServer } from './floor-server.js';
import { createNaiveServer } from './naive-server.js';
import { createBenchReferenceServer } from './reference-server.js';

// A child process of the bench: `server-main.js --kind reference|naive|floor [--transport h2c|https]`.
// It prints `listening <port>` on stdout once ready and serves until SIGTERM.
const { values } = parseArgs({
  options: { kind: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, transport: { type: 'string', default: 'http' } },
});
const host = values.host;
const transport = values.transport === 'h2c' ? { h2c: true } : values.transport === 'https' ? { tls: makeCertificate() } : {};

if (values.kind === 'reference') {
  const app = createBenchReferenceServer({ host, ...transport });
  const { port } = await app.listen();
  process.stdout.write(`listening ${port}\n`);
  process.once('SIGTERM', () => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  });
} else if (values.kind === 'naive' || values.kind === 'floor') {
  const server = values.kind === 'naive' ? createNaiveServer() : createFloorServer();
  server.listen(0, host, () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
} else {
  process.stderr.write('Use --kind reference, naive or floor.\n');
  process.exit(2);
}

#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createSseServer } from './app.js';
import { parseCli } from './options/cli.js';

// The command-line entry: `node dist/server.js --help`. The library entry is index.ts.
let request;
try {
  request = parseCli(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\nRun with --help for the options.\n`);
  process.exit(2);
}
if (request.kind === 'help') {
  process.stdout.write(request.text);
} else {
  const { tlsFiles } = request;
  let tls;
  try {
    tls = tlsFiles === undefined ? undefined : { cert: readFileSync(tlsFiles.cert), key: readFileSync(tlsFiles.key) };
  } catch (error) {
    process.stderr.write(`Cannot read the TLS files: ${(error as Error).message}\n`);
    process.exit(2);
  }
  let app;
  let address;
  let port;
  try {
    app = createSseServer({ ...request.options, tls });
    ({ address, port } = await app.listen());
  } catch (error) {
    process.stderr.write(`Cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const scheme = app.protocol === 'https' ? 'https' : 'http';
  const via = app.protocol === 'http' ? '' : app.protocol === 'https' ? ' (HTTP/2 and HTTP/1.1)' : ' (h2c)';
  process.stdout.write(`sse-reference listening on ${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}/${via}\n`);
  if (app.broker.store !== 'memory') process.stdout.write(`${app.broker.describe()}\n`);
  const stop = (signal: string): void => {
    process.stdout.write(`${signal}: closing ${app.openStreams} stream(s)\n`);
    app.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

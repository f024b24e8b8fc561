#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createSseServer, internalsOf } from './app.js';
import { backlogNote, readSomaxconn } from './limits/backlog.js';
import { descriptorBudget, readOpenFilesLimit } from './limits/open-files.js';
import { parseCli } from './options/cli.js';
import { OPTIONS } from './options/table.js';

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
  // #region open-files
  // Streams past the open-files limit would fail in accept() with EMFILE, where libuv closes them
  // unseen; keep them under it, say so now, and log drops once per episode below.
  const limit = readOpenFilesLimit();
  const budget = limit === undefined ? undefined : descriptorBudget(limit);
  const wanted = request.options.maxConnections ?? OPTIONS.maxConnections.default;
  const notes: string[] = [];
  if (budget !== undefined && wanted > budget.streams) {
    notes.push(`open-files limit (ulimit -n) is ${budget.limit}: streams capped at ${budget.streams}, not ${wanted}; raise the limit to serve more`);
  }
  // #endregion open-files
  const capped = backlogNote(request.options.backlog ?? OPTIONS.backlog.default, readSomaxconn());
  if (capped !== undefined) notes.push(capped);
  let app;
  let address;
  let port;
  try {
    app = createSseServer({ ...request.options, ...(budget !== undefined && wanted > budget.streams ? { maxConnections: budget.streams } : {}), tls });
    if (budget !== undefined) watchDrops(app.server, budget.sockets, budget.limit);
    ({ address, port } = await app.listen());
  } catch (error) {
    process.stderr.write(`Cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // Before the first line is printed: whoever waits for that line may signal at once.
  const stop = (signal: string): void => {
    process.stdout.write(`${signal}: closing ${app.metrics().openStreams} stream(s)\n`);
    app.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const scheme = app.protocol === 'https' ? 'https' : 'http';
  const via = app.protocol === 'http' ? '' : app.protocol === 'https' ? ' (HTTP/2 and HTTP/1.1)' : ' (h2c)';
  process.stdout.write(`sse-reference listening on ${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}/${via}\n`);
  if (app.broker.store !== 'memory') process.stdout.write(`${app.broker.describe()}\n`);
  process.stdout.write(`${internalsOf(app).publishGate.auth.describe()}\n`);
  const { trusted } = internalsOf(app).publishGate;
  if (trusted.sources.length > 0) process.stdout.write(`client addresses: from X-Forwarded-For/Forwarded when the peer is ${trusted.sources.join(', ')}\n`);
  for (const block of trusted.publicSources) {
    process.stderr.write(`warning: --trust-proxy ${block} takes in public addresses: a client there can write any address into X-Forwarded-For, 127.0.0.1 too; trust only your own proxies\n`);
  }
  for (const note of notes) process.stdout.write(`${note}\n`);
}

/**
 * Stops accepting at `sockets` open connections (Node closes the extra ones and emits `drop`),
 * below the point where the kernel would refuse them, and logs the first drop of each episode,
 * not one line per connection; an episode ends after a second without drops.
 */
function watchDrops(server: import('node:net').Server, sockets: number, limit: number): void {
  server.maxConnections = sockets;
  let dropped = 0;
  let quiet: NodeJS.Timeout | undefined;
  server.on('drop', () => {
    if (dropped++ === 0) {
      process.stderr.write(`dropping new connections: ${sockets} open, near the open-files limit of ${limit} (EMFILE); logged once until it clears\n`);
    }
    clearTimeout(quiet);
    quiet = setTimeout(() => {
      process.stderr.write(`accepting connections again after dropping ${dropped}\n`);
      dropped = 0;
    }, 1000);
    quiet.unref();
  });
}

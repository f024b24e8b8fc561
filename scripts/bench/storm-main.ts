#!/usr/bin/env node
import { StormClients, type StormOptions } from './storm-client.js';

// A child process of `npm run bench -- --storm`: the clients, on their own core, driven over IPC.
// Each request is answered with its result and the CPU seconds this process spent on it.

/** A request from the bench to this process. */
export type StormRequest =
  | { readonly id: number; readonly type: 'init'; readonly options: StormOptions }
  | { readonly id: number; readonly type: 'open'; readonly count: number; readonly concurrency: number }
  | { readonly id: number; readonly type: 'arm' | 'drop' | 'watch' | 'watched' | 'head' | 'close' }
  | { readonly id: number; readonly type: 'settle'; readonly timeoutMs: number };

let clients: StormClients | undefined;

async function handle(message: StormRequest): Promise<unknown> {
  if (message.type === 'init') {
    clients = new StormClients(message.options);
    return { ok: true };
  }
  if (clients === undefined) throw new Error('The storm process got a request before init.');
  switch (message.type) {
    case 'open':
      return clients.openStreams(message.count, message.concurrency);
    case 'arm':
      return clients.arm();
    case 'drop':
      return clients.drop();
    case 'watch':
      return clients.watch();
    case 'watched':
      return clients.watched();
    case 'head':
      return { head: clients.head, open: clients.open };
    case 'settle':
      return clients.settle(message.timeoutMs);
    case 'close':
      return clients.close();
  }
}

process.on('message', (message: StormRequest) => {
  const cpu = process.cpuUsage();
  // The bench may have let go of this process already (after `close`).
  const reply = (value: object): void => void (process.connected && process.send?.(value));
  handle(message).then(
    (result) => {
      const used = process.cpuUsage(cpu);
      reply({ id: message.id, result, cpuSeconds: (used.user + used.system) / 1e6, errors: clients?.errors.splice(0) ?? [] });
    },
    (error: unknown) => reply({ id: message.id, error: String(error), cpuSeconds: 0, errors: [] }),
  );
});
process.on('disconnect', () => process.exit(0));

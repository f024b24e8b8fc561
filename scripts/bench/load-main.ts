#!/usr/bin/env node
import { H2LoadGenerator } from './h2-load.js';
import { LoadGenerator, type LoadOptions } from './load-generator.js';

// A child process of the bench, driven over IPC so that the load runs on its own core and its CPU
// can be told apart from the server's. Each request is answered with its result and the CPU
// seconds this process spent on it.

/** A request from the bench to this load process. */
export type LoadRequest =
  | { readonly id: number; readonly type: 'init'; readonly options: LoadOptions & { readonly h2Sessions?: number | undefined } }
  | { readonly id: number; readonly type: 'open'; readonly count: number; readonly concurrency: number }
  | { readonly id: number; readonly type: 'burst'; readonly events: number; readonly bytes: number }
  | { readonly id: number; readonly type: 'rate'; readonly perSecond: number; readonly seconds: number; readonly bytes: number }
  | { readonly id: number; readonly type: 'close' };

/** The answer to a {@link LoadRequest}. */
export interface LoadReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
  readonly cpuSeconds: number;
  /** The kernel's share of {@link cpuSeconds}. */
  readonly systemSeconds: number;
  readonly errors: readonly string[];
  readonly unexpectedCloses: number;
}

let load: LoadGenerator | H2LoadGenerator | undefined;

async function handle(message: LoadRequest): Promise<unknown> {
  if (message.type === 'init') {
    const { h2Sessions, ...options } = message.options;
    load = h2Sessions === undefined ? new LoadGenerator(options) : new H2LoadGenerator({ ...options, sessions: h2Sessions });
    return { ok: true };
  }
  if (load === undefined) throw new Error('The load process got a request before init.');
  switch (message.type) {
    case 'open':
      return load.open(message.count, message.concurrency);
    case 'burst':
      return load.burst(message.events, message.bytes);
    case 'rate':
      return load.rate(message.perSecond, message.seconds, message.bytes);
    case 'close':
      await load.close();
      return { ok: true };
  }
}

process.on('message', (message: LoadRequest) => {
  const cpu = process.cpuUsage();
  const reply = (fields: { result?: unknown; error?: string }): void => {
    const used = process.cpuUsage(cpu);
    process.send?.({
      id: message.id,
      ...fields,
      cpuSeconds: (used.user + used.system) / 1e6,
      systemSeconds: used.system / 1e6,
      errors: load?.errors.splice(0) ?? [],
      unexpectedCloses: load?.unexpectedCloses ?? 0,
    } satisfies LoadReply);
  };
  handle(message).then(
    (result) => reply({ result }),
    (error: unknown) => reply({ error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

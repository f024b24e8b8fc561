import { readProcFile } from './proc-file.js';

/**
 * Descriptors kept free of streams: the listening socket, stdio, the event loop's own, the
 * history file and its compaction, Redis connections, and accepted sockets waiting for an answer.
 */
export const RESERVED_DESCRIPTORS = 64;

/** How many streams fit under the open-files limit, and the socket count at which to stop accepting. */
export interface DescriptorBudget {
  /** The soft `RLIMIT_NOFILE` (`ulimit -n`). */
  readonly limit: number;
  /** Streams that fit: the limit less {@link RESERVED_DESCRIPTORS}. */
  readonly streams: number;
  /** Sockets at which new connections are dropped before the kernel refuses them (`EMFILE`). */
  readonly sockets: number;
}

/**
 * The soft open-files limit of this process, from `/proc/self/limits` (Linux), or undefined
 * where that file does not exist or says "unlimited". Node raises the soft limit to the hard one
 * at start-up, so this is what the process really has.
 */
export function readOpenFilesLimit(text = readProcFile('/proc/self/limits')): number | undefined {
  if (text === undefined) return undefined;
  const soft = /^Max open files\s+(\d+)\s/m.exec(text)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/**
 * The budget for `limit` descriptors. Past it, the kernel's `accept()` fails with `EMFILE`:
 * libuv then accepts and closes the waiting connections itself, silently and at once, and every
 * `open()` fails too (the history file's compaction among them). Keeping streams and sockets under
 * the limit turns that into answers the server chooses and can log.
 */
export function descriptorBudget(limit: number): DescriptorBudget {
  const streams = Math.max(1, limit - RESERVED_DESCRIPTORS);
  return { limit, streams, sockets: Math.max(streams, limit - RESERVED_DESCRIPTORS / 2) };
}

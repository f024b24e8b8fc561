import { readProcFile } from './proc-file.js';

/**
 * The kernel's cap on every listen backlog, `net.core.somaxconn`, from
 * `/proc/sys/net/core/somaxconn` (Linux; 4096 since 5.4, 128 before), or undefined where that file
 * cannot be read. `listen()` silently takes the smaller of the two, so a larger `backlog` is not
 * an error, only a promise the kernel does not keep.
 *
 * @param text - the file's contents, for tests
 */
export function readSomaxconn(text = readProcFile('/proc/sys/net/core/somaxconn')): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return /^[0-9]+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** The sentence the command line prints when the kernel caps `backlog`, or undefined when it does not. */
export function backlogNote(backlog: number, somaxconn: number | undefined): string | undefined {
  if (somaxconn === undefined || backlog <= somaxconn) return undefined;
  return `listen backlog: ${somaxconn}, not ${backlog}: the kernel caps it at net.core.somaxconn; raise it (sysctl -w net.core.somaxconn=${backlog}) to hold a larger reconnect storm`;
}

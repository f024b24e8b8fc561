import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program `npm test` runs, and the package that provides it on each family of systems. */
export interface Tool {
  /** The command looked up on `PATH`. */
  readonly command: string;
  /** Why the tests need it, for the message. */
  readonly why: string;
  readonly apt: string;
  readonly brew: string | undefined;
  readonly dnf: string;
}

/** What `npm test` needs besides Node and `npm ci`. */
export const TOOLS: readonly Tool[] = [
  { command: 'redis-server', why: 'the Redis broker tests start their own', apt: 'redis-server', brew: 'redis', dnf: 'redis' },
  { command: 'openssl', why: 'the HTTPS and HTTP/2 tests make a throwaway certificate', apt: 'openssl', brew: undefined, dnf: 'openssl' },
  { command: 'curl', why: "the book's transcripts are recorded with it", apt: 'curl', brew: undefined, dnf: 'curl' },
  { command: 'prlimit', why: "the EMFILE fault run caps the server's open files", apt: 'util-linux', brew: undefined, dnf: 'util-linux' },
  { command: 'ss', why: "the listen-backlog test reads the kernel's backlog of a listening socket", apt: 'iproute2', brew: undefined, dnf: 'iproute' },
  { command: 'mount', why: 'the full-disk fault run mounts a small tmpfs (as root)', apt: 'mount', brew: undefined, dnf: 'util-linux' },
];

/** The oldest Node the project runs on (`engines` in package.json; `t.assert` needs 20.15). */
export const MIN_NODE = [20, 15] as const;

/** The machine, as far as the decision needs it. */
export interface Machine {
  readonly nodeVersion: string;
  readonly platform: NodeJS.Platform;
  readonly isRoot: boolean;
  /** `/etc/debian_version` exists and `apt-get` is on `PATH`. */
  readonly hasApt: boolean;
  readonly hasDnf: boolean;
  readonly hasBrew: boolean;
  /** The tools of {@link TOOLS} not found on `PATH`. */
  readonly missing: readonly Tool[];
}

/** What to do before the tests run. */
export type Plan =
  | { readonly kind: 'ready' }
  | { readonly kind: 'install'; readonly packages: readonly string[] }
  | { readonly kind: 'stop'; readonly message: string };

/**
 * Decides what `npm test` does about its prerequisites: nothing when all are there; install the
 * missing packages where it may (as root on Debian, as `.ci/run` does); otherwise stop with the
 * one command that fixes it.
 */
export function planSetup(machine: Machine): Plan {
  const [major = 0, minor = 0] = machine.nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    return { kind: 'stop', message: `npm test needs Node ${MIN_NODE.join('.')} or later; this is Node ${machine.nodeVersion}. Install a current Node 20 or 22 (https://nodejs.org/) and run npm ci again.` };
  }
  if (machine.missing.length === 0) return { kind: 'ready' };
  const names = machine.missing.map((tool) => `${tool.command} (${tool.why})`).join(', ');
  if (machine.hasApt && machine.isRoot) return { kind: 'install', packages: machine.missing.map((tool) => tool.apt) };
  let command: string;
  if (machine.hasApt) command = `sudo apt-get install -y ${machine.missing.map((tool) => tool.apt).join(' ')}`;
  else if (machine.hasDnf) command = `sudo dnf install -y ${machine.missing.map((tool) => tool.dnf).join(' ')}`;
  else if (machine.platform === 'darwin' && machine.hasBrew) {
    const formulae = machine.missing.map((tool) => tool.brew).filter((name) => name !== undefined);
    command = formulae.length > 0 ? `brew install ${formulae.join(' ')}` : 'xcode-select --install';
  } else command = `install ${machine.missing.map((tool) => tool.command).join(', ')} with your system's package manager`;
  return { kind: 'stop', message: `npm test needs ${names}, not found on PATH.\nRun: ${command}\nthen npm test again. Tests never skip what is missing.` };
}

/** Whether `command` is an executable file in one of the `PATH` directories. */
export function onPath(command: string, path = process.env['PATH'] ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

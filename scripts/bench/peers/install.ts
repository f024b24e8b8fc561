import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../paths.js';

/** A server the bench measures beside the reference: how to start it and where its stream is. */
export interface PeerServer {
  readonly name: string;
  /** A node script, or with {@link isNative} an executable. */
  readonly script: string;
  readonly isNative: boolean;
  readonly streamPath: string;
}

/** npm packages the peers need, pinned so that two runs measure the same code. */
export const PEER_PACKAGES = ['better-sse@0.16.1', 'fastify@5.12.8', '@fastify/sse@0.6.0', 'hono@4.13.19', '@hono/node-server@2.1.9'];

const SOURCES = join(ROOT, 'scripts', 'bench', 'peers');
const NODE_PEERS = [
  { name: 'better-sse', file: 'better-sse.mjs', needs: 'better-sse' },
  { name: '@fastify/sse', file: 'fastify-sse.mjs', needs: '@fastify/sse' },
  { name: 'Hono streamSSE', file: 'hono.mjs', needs: '@hono/node-server' },
] as const;

/** The scratch folder the peers are installed into: never inside the repository. */
export function peersDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['SSE_PEERS_DIR'] ?? join(tmpdir(), 'sse-reference-peers');
}

/**
 * Installs the peers into `dir` (npm packages, the servers' scripts, the Go binary) and returns
 * them. Packages already there are not fetched again; peers `isWanted` turns down are neither
 * installed nor returned.
 *
 * @throws Error with what to install when npm or Go is missing
 */
export function preparePeers(dir: string, log: (line: string) => void, isWanted: (name: string) => boolean = () => true): PeerServer[] {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'sse-reference-peers', private: true, type: 'module' }, null, 2)}\n`);
  }
  const nodePeers = NODE_PEERS.filter((peer) => isWanted(peer.name));
  const missing = nodePeers.some((peer) => !existsSync(join(dir, 'node_modules', ...peer.needs.split('/'), 'package.json')));
  if (missing) {
    log(`installing ${PEER_PACKAGES.join(', ')} into ${dir}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PEER_PACKAGES], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const peers: PeerServer[] = nodePeers.map((peer) => {
    copyFileSync(join(SOURCES, peer.file), join(dir, peer.file));
    return { name: peer.name, script: join(dir, peer.file), isNative: false, streamPath: '/events' };
  });
  if (!isWanted('Go net/http')) return peers;
  const binary = join(dir, 'go-sse');
  try {
    execFileSync('go', ['build', '-o', binary, join(SOURCES, 'go', 'main.go')], {
      cwd: dir,
      env: { ...process.env, GOCACHE: join(dir, 'go-cache'), GOPATH: join(dir, 'go-path') },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (error) {
    throw new Error(`Cannot build the Go peer (install Debian's golang-go): ${(error as Error).message}`);
  }
  peers.push({ name: 'Go net/http', script: binary, isNative: true, streamPath: '/events' });
  return peers;
}

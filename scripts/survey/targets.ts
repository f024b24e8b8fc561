import { join } from 'node:path';
import type { ServerCommand } from './processes.js';

/** Where the survey keeps what it installs and builds: never inside the project. */
export interface SurveyPaths {
  /** The scratch folder ($SSE_SURVEY_DIR). */
  readonly scratch: string;
  /** npm packages (and the Node targets' sources, copied next to them so imports resolve). */
  readonly npm: string;
  /** Compiled C++ and Go targets. */
  readonly bin: string;
  /** The target sources in the repository (scripts/survey/targets). */
  readonly sources: string;
}

/** The npm packages the survey installs into the scratch folder, pinned exactly. */
export const NPM_PINS: Readonly<Record<string, string>> = {
  'better-sse': '0.16.1',
  express: '5.3.0',
  fastify: '5.12.8',
  '@fastify/sse': '0.6.0',
  hono: '4.13.19',
  '@hono/node-server': '2.1.9',
  // The client the evidence drives. 5.x needs Node 22; the project's floor is Node 20.
  eventsource: '4.1.1',
};

/** The Debian packages the survey needs; each is installed only when missing. */
export const APT_PACKAGES = ['g++', 'libcpp-httplib-dev', 'golang-go', 'python3-starlette', 'python3-uvicorn'] as const;

/** How a target is built before it runs. */
export interface BuildStep {
  readonly file: string;
  readonly args: readonly string[];
  /** The source the output comes from (rebuilt only when newer than the output). */
  readonly input: string;
  readonly output: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** One server of the survey. */
export interface SurveyTarget {
  readonly id: string;
  readonly language: 'Node' | 'C++' | 'Go' | 'Python';
  /** What runs, with the packages whose versions matter (names of {@link NPM_PINS} or Debian packages). */
  readonly stack: string;
  readonly packages: readonly string[];
  /** The stream path. */
  readonly path: string;
  /** The source file in scripts/survey/targets. */
  readonly source: string;
  /** Which document the code follows. */
  readonly from: string;
  /** What we changed from the document, and why; '' when nothing. */
  readonly changes: string;
  /** Whether SURVEY_TICK=0 makes it idle (its events come from an app ticker, not the stream loop). */
  readonly hasTicker: boolean;
  build?(paths: SurveyPaths): BuildStep;
  command(paths: SurveyPaths): ServerCommand;
}

const PYTHON = '/usr/bin/python3';

function node(file: string): (paths: SurveyPaths) => ServerCommand {
  return (paths) => ({ file: process.execPath, args: [join(paths.npm, file)], cwd: paths.npm });
}

function python(file: string): (paths: SurveyPaths) => ServerCommand {
  // Debian's python3, where python3-starlette and python3-uvicorn live (not a pyenv shim).
  return (paths) => ({ file: PYTHON, args: [join(paths.sources, file)], cwd: paths.sources, env: { PYTHONDONTWRITEBYTECODE: '1' } });
}

function cpp(name: string): (paths: SurveyPaths) => BuildStep {
  return (paths) => ({
    file: 'g++',
    args: ['-std=c++17', '-O1', '-pthread', '-o', join(paths.bin, name), join(paths.sources, `${name}.cpp`), '-lcpp-httplib'],
    input: join(paths.sources, `${name}.cpp`),
    output: join(paths.bin, name),
  });
}

function binary(name: string): (paths: SurveyPaths) => ServerCommand {
  return (paths) => ({ file: join(paths.bin, name), args: [] });
}

const COOKBOOK = 'cpp-httplib cookbook (shared/seeds/cookbook-*.en.txt)';
const GUIDE = 'seed guide guide-sse-frameworks.md';

/** The survey's targets, in report order. */
export const TARGETS: readonly SurveyTarget[] = [
  {
    id: 'better-sse',
    language: 'Node',
    stack: 'better-sse on Express 5',
    packages: ['better-sse', 'express'],
    path: '/sse',
    source: 'better-sse.mjs',
    from: "better-sse README (Usage) and its Channels guide: createSession, a channel broadcasting a tick a second",
    changes: '',
    hasTicker: true,
    command: node('better-sse.mjs'),
  },
  {
    id: 'fastify-sse',
    language: 'Node',
    stack: '@fastify/sse on Fastify 5',
    packages: ['@fastify/sse', 'fastify'],
    path: '/events',
    source: 'fastify-sse.mjs',
    from: "@fastify/sse README: Quick Start, Message Replay (ids Date.now()), Connection Management (keepAlive)",
    changes: 'the README sends one new message per request; the app sends one a second to every open stream',
    hasTicker: true,
    command: node('fastify-sse.mjs'),
  },
  {
    id: 'hono',
    language: 'Node',
    stack: 'hono streamSSE on @hono/node-server',
    packages: ['hono', '@hono/node-server'],
    path: '/sse',
    source: 'hono.mjs',
    from: "Hono docs, Streaming Helper: streamSSE with a module-level `let id = 0` and a one-second loop",
    changes: '',
    hasTicker: false,
    command: node('hono.mjs'),
  },
  {
    id: 'express-guide',
    language: 'Node',
    stack: 'the guide\'s Express pattern on Express 5',
    packages: ['express'],
    path: '/events',
    source: 'express-guide.cjs',
    from: `${GUIDE}: "SSE with Express.js" and "Handling Last-Event-ID for Reconnection", as one handler`,
    changes: 'the two snippets joined as the guide says ("... rest of connection handling"); the app broadcasts a tick a second with broadcastWithHistory()',
    hasTicker: true,
    command: node('express-guide.cjs'),
  },
  {
    id: 'cookbook-e01',
    language: 'C++',
    stack: 'cookbook E01 on cpp-httplib (Debian)',
    packages: ['libcpp-httplib-dev', 'g++'],
    path: '/events',
    source: 'cookbook-e01.cpp',
    from: `${COOKBOOK}: E01 "Implement an SSE server", the basic handler and the thread-pool line`,
    changes: '`ThreadPool(8, 128)` does not compile on Debian\'s cpp-httplib 0.11.4 (one argument): `ThreadPool(8)`; /time drops `req.is_connection_closed()` (absent in 0.11.4)',
    hasTicker: false,
    build: cpp('cookbook-e01'),
    command: binary('cookbook-e01'),
  },
  {
    id: 'cookbook-e03',
    language: 'C++',
    stack: 'cookbook E03 on cpp-httplib (Debian)',
    packages: ['libcpp-httplib-dev', 'g++'],
    path: '/events',
    source: 'cookbook-e03.cpp',
    from: `${COOKBOOK}: E03 "Handle SSE reconnection", the handler as printed (static next_id, std::stoi) with its retry: 5000 once at the start`,
    changes: 'the printed text lost its template arguments (`std::deque> events`, `std::lock_guard lock`); restored',
    hasTicker: false,
    build: cpp('cookbook-e03'),
    command: binary('cookbook-e03'),
  },
  {
    id: 'cookbook-e03-buffer',
    language: 'C++',
    stack: 'cookbook E03 EventBuffer on cpp-httplib (Debian)',
    packages: ['libcpp-httplib-dev', 'g++'],
    path: '/buffered',
    source: 'cookbook-e03.cpp',
    from: `${COOKBOOK}: E03 "Buffer recent events": a producer pushes into the chapter's EventBuffer; a reconnect gets since(Last-Event-ID)`,
    changes: 'the same binary as cookbook-e03; the producer thread and the /buffered handler are ours, written as the chapter says',
    hasTicker: false,
    build: cpp('cookbook-e03'),
    command: binary('cookbook-e03'),
  },
  {
    id: 'go-nethttp',
    language: 'Go',
    stack: 'the guide\'s Gin handler on net/http (Debian Go)',
    packages: ['golang-go'],
    path: '/events',
    source: 'gin-nethttp.go',
    from: `${GUIDE}: "SSE with Gin (Go)" and "With Last-Event-ID Support", translated to net/http`,
    changes: 'the guide\'s main.go uses json.Marshal without importing encoding/json; added. The app fills the guide\'s event store and broadcasts a tick a second',
    hasTicker: true,
    build: (paths) => ({
      file: 'go',
      args: ['build', '-o', join(paths.bin, 'gin-nethttp'), join(paths.sources, 'gin-nethttp.go')],
      input: join(paths.sources, 'gin-nethttp.go'),
      output: join(paths.bin, 'gin-nethttp'),
      env: { GOCACHE: join(paths.scratch, 'gocache'), GO111MODULE: 'off', GOPATH: join(paths.scratch, 'gopath') },
    }),
    command: binary('gin-nethttp'),
  },
  {
    id: 'fastapi-queue',
    language: 'Python',
    stack: 'the guide\'s first FastAPI example on Starlette + uvicorn (Debian)',
    packages: ['python3-starlette', 'python3-uvicorn'],
    path: '/events',
    source: 'fastapi-queue.py',
    from: `${GUIDE}: "SSE with FastAPI (Python)", the Queue example`,
    changes: 'FastAPI routes as Starlette routes (StreamingResponse is the same class); the app broadcasts a tick a second',
    hasTicker: true,
    command: python('fastapi-queue.py'),
  },
  {
    id: 'fastapi-event',
    language: 'Python',
    stack: 'the guide\'s second FastAPI example on Starlette + uvicorn (Debian)',
    packages: ['python3-starlette', 'python3-uvicorn'],
    path: '/events',
    source: 'fastapi-event.py',
    from: `${GUIDE}: "Using asyncio for Better Performance", the SSEManager example`,
    changes: 'FastAPI routes as Starlette routes; the app broadcasts a tick a second through SSEManager.broadcast()',
    hasTicker: true,
    command: python('fastapi-event.py'),
  },
];

/** A target by id. @throws Error naming the known ids */
export function targetById(id: string): SurveyTarget {
  const target = TARGETS.find((t) => t.id === id);
  if (target === undefined) throw new Error(`unknown target ${JSON.stringify(id)}; known: ${TARGETS.map((t) => t.id).join(', ')}`);
  return target;
}

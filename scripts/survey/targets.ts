import { join } from 'node:path';
import type { StartOptions } from '../lib/process.js';

/** Where the survey keeps what it installs and builds: never inside the project. */
export interface SurveyPaths {
  /** The scratch folder ($SSE_SURVEY_DIR). */
  readonly scratch: string;
  /** npm packages (and the Node targets' sources, copied next to them so imports resolve). */
  readonly npm: string;
  /** Compiled C++, Go and Java targets. */
  readonly bin: string;
  /** The target sources in the repository (scripts/survey/targets). */
  readonly sources: string;
}

/** Where one copy of a target lives: its source files, and what building them makes. */
export interface Place {
  readonly dir: string;
  readonly bin: string;
}

/** The npm packages the survey installs into the scratch folder, pinned exactly. */
export const NPM_PINS: Readonly<Record<string, string>> = {
  'better-sse': '0.16.1',
  express: '5.3.0',
  fastify: '5.12.8',
  '@fastify/sse': '0.6.0',
  hono: '4.13.19',
  '@hono/node-server': '2.1.9',
  '@trpc/server': '11.25.2',
  zod: '4.6.7',
  // The client the evidence drives. 5.x needs Node 22; the project's floor is Node 20.
  eventsource: '4.1.1',
};

/** The Debian packages the survey needs; each is installed only when missing. */
export const APT_PACKAGES = [
  'g++',
  'libcpp-httplib-dev',
  'golang-go',
  'python3-starlette',
  'python3-uvicorn',
  'ruby-sinatra',
  'thin',
  'php-cli',
  'libmojolicious-perl',
  'nginx',
  'libnginx-mod-nchan',
  'openjdk-17-jdk-headless',
  'libjetty9-java',
] as const;

/** How a target is built before it runs. */
export interface BuildStep {
  readonly file: string;
  readonly args: readonly string[];
  /** The source the output comes from (rebuilt only when newer than the output). */
  readonly input: string;
  readonly output: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A change to one line of a target's files: `find` must occur exactly once in `file`. */
export interface Edit {
  /** @defaultValue the target's `source` */
  readonly file?: string;
  readonly find: string;
  readonly replace: string;
}

/**
 * One defect of a target, found in its code: the rules it makes fail (billed once, together), the
 * line that causes it, and a fix the survey applies to a copy and checks with `--only`.
 */
export interface Cause {
  /** Suite rule ids this one cause makes fail. */
  readonly rules: readonly string[];
  /** `path:line` of the cause: an installed package's file, or the target's own source. */
  readonly where: string;
  /** The line(s) at `where`, as they stand. */
  readonly quote: string;
  /** One sentence: why that line makes the rules fail. */
  readonly why: string;
  /** One line: what a user pays, specific to what was seen. */
  readonly cost: string;
  /** One line: the fix, in the target's terms. */
  readonly fix: string;
  /** The fix as edits to a copy of the target; unset when it lies outside the target's files. */
  readonly edits?: readonly Edit[];
}

/** One server of the survey. */
export interface SurveyTarget {
  readonly id: string;
  readonly language: 'Node' | 'C++' | 'Go' | 'Python' | 'Ruby' | 'PHP' | 'Perl' | 'Java' | 'C (nginx module)';
  /** What runs, with the packages whose versions matter (names of {@link NPM_PINS} or Debian packages). */
  readonly stack: string;
  readonly packages: readonly string[];
  /** The stream path. */
  readonly path: string;
  /** The source file in scripts/survey/targets. */
  readonly source: string;
  /** Other files of scripts/survey/targets it needs beside it. */
  readonly extraFiles?: readonly string[];
  /** Which document the code follows. */
  readonly from: string;
  /** What we changed from the document, and why; '' when nothing. */
  readonly changes: string;
  /** Whether SURVEY_TICK=0 makes it idle (its events come from an app ticker, not the stream loop). */
  readonly hasTicker: boolean;
  /** Whether it binds the port it is given ($PORT) instead of printing an ephemeral one. */
  readonly givenPort?: boolean;
  /** Its defects, found in its code. */
  readonly causes?: readonly Cause[];
  build?(place: Place, paths: SurveyPaths): BuildStep;
  command(place: Place, paths: SurveyPaths, port: number): StartOptions;
}

/** Where a target's own copy lives: Node sources beside the scratch node_modules, others where they are. */
export function mainPlace(target: SurveyTarget, paths: SurveyPaths): Place {
  return { dir: target.language === 'Node' ? paths.npm : paths.sources, bin: paths.bin };
}

/** Where the copy for a target's `index`th fix lives (Node copies stay under node_modules' reach). */
export function fixPlace(target: SurveyTarget, paths: SurveyPaths, index: number): Place {
  const dir = join(target.language === 'Node' ? paths.npm : paths.scratch, 'fixes', `${target.id}-${index + 1}`);
  return { dir, bin: dir };
}

/** The target's files: its source first. */
export function filesOf(target: SurveyTarget): string[] {
  return [target.source, ...(target.extraFiles ?? [])];
}

const PYTHON = '/usr/bin/python3';

function node(file: string): SurveyTarget['command'] {
  return (place) => ({ file: process.execPath, args: [join(place.dir, file)], cwd: place.dir });
}

function python(file: string): SurveyTarget['command'] {
  // Debian's python3, where python3-starlette and python3-uvicorn live (not a pyenv shim).
  return (place) => ({ file: PYTHON, args: [join(place.dir, file)], cwd: place.dir, env: { PYTHONDONTWRITEBYTECODE: '1' } });
}

function cpp(name: string): NonNullable<SurveyTarget['build']> {
  return (place) => ({
    file: 'g++',
    args: ['-std=c++17', '-O1', '-pthread', '-o', join(place.bin, name), join(place.dir, `${name}.cpp`), '-lcpp-httplib'],
    input: join(place.dir, `${name}.cpp`),
    output: join(place.bin, name),
  });
}

function binary(name: string): SurveyTarget['command'] {
  return (place) => ({ file: join(place.bin, name), args: [] });
}

// Debian's jars for embedded Jetty 9.4 and its EventSourceServlet (libjetty9-java, libservlet-api-java).
const JETTY_CLASSPATH = ['jetty9-server', 'jetty9-servlet', 'jetty9-servlets', 'jetty9-util', 'jetty9-http', 'jetty9-io', 'jetty9-security', 'servlet-api']
  .map((jar) => `/usr/share/java/${jar}.jar`)
  .join(':');

// What the same defect costs, said once for every target that has it.
const IDLE_COST = 'behind a proxy that drops a connection idle for 30–60 s, a quiet stream is cut and reconnects over and over';
const IDLE_30_COST = 'behind a proxy that drops a connection idle for 30 s (a common default), a quiet stream is cut and reconnects over and over';
const RETRY_COST = 'after an outage every client reconnects after its own default delay, all together';
const CACHE_COST = 'a shared cache in front may store the stream and hand it to later clients from its start (RFC 9111 lets it, absent Cache-Control)';
const POOL_COST = 'the 9th client at once waits with no answer (no error, no retry) until another leaves; so does every other request';

// Express 5 runs a GET route for HEAD (better-sse and the guide's handler both meet it).
const EXPRESS_HEAD = {
  where: "node_modules/router/lib/route.js:117-119 (router 2, Express 5's router)",
  quote: "if (method === 'head' && !this.methods.head) {\n  method = 'get'\n}",
} as const;

// cpp-httplib's default pool, which E03's handlers (the chapter's and the buffered one) run on.
const HTTPLIB_POOL: Cause = {
  rules: ['SSE-S12'],
  where: '/usr/include/httplib.h:97-101 (libcpp-httplib-dev 0.11.4)',
  quote: '#define CPPHTTPLIB_THREAD_POOL_COUNT                                           \\\n  ((std::max)(8u, std::thread::hardware_concurrency() > 0                      \\\n                      ? std::thread::hardware_concurrency() - 1                \\\n                      : 0))',
  why: 'no pool is set, so cpp-httplib\'s default is 8 threads on this machine, each held by a stream for as long as it lasts: the ninth stream waits in the queue with no answer.',
  cost: POOL_COST,
  fix: 'a pool sized for the streams expected: `svr.new_task_queue = [] { return new httplib::ThreadPool(64); };`',
  edits: [{ find: '  static EventBuffer buffer;\n', replace: '  static EventBuffer buffer;\n  svr.new_task_queue = [] { return new httplib::ThreadPool(64); };\n' }],
};

/** E03's std::stoi replaced by a whole-string parse (std::from_chars) that says -1 for anything else. */
function parseIdEdits(find: string, replace: string): Edit[] {
  return [
    { find: 'int main() {\n', replace: 'static int parse_id(const std::string &s) {\n  int v = -1;\n  auto r = std::from_chars(s.data(), s.data() + s.size(), v);\n  return r.ec == std::errc() && r.ptr == s.data() + s.size() && v >= 0 ? v : -1;\n}\n\nint main() {\n' },
    { find: '#include <thread>\n', replace: '#include <thread>\n#include <charconv>\n' },
    { find, replace },
  ];
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
    causes: [
      {
        rules: ['SSE-S10'],
        where: 'node_modules/better-sse/build/index.mjs:295 (better-sse 0.16.1, Channel.broadcast) and scripts/survey/targets/better-sse.mjs:18-21',
        quote: 'const eventId = options.eventId ?? crypto.randomUUID();\n...\napp.get(\'/sse\', async (req, res) => {\n  const session = await createSession(req, res);\n  ticker.register(session);\n});',
        why: 'every broadcast gets a fresh random UUID for its id and the channel keeps no history, so a session that comes back with Last-Event-ID (better-sse reads it into session.lastId) is registered at the live edge: nothing it missed is sent.',
        cost: 'every reconnect silently loses the events broadcast while the client was away',
        fix: 'number the ticks (`broadcast(tick, \'tick\', { eventId: String(tick) })`), keep the last ones, and push those after `session.lastId` before registering the session',
        edits: [
          { find: '    ticker.broadcast(tick++, \'tick\');\n', replace: '    history.push(tick);\n    if (history.length > 100) history.shift();\n    ticker.broadcast(tick, \'tick\', { eventId: String(tick) });\n    tick++;\n' },
          { find: 'let tick = 0;\n', replace: 'let tick = 0;\nconst history = [];\n' },
          { find: '  const session = await createSession(req, res);\n', replace: '  const session = await createSession(req, res);\n  const from = history.indexOf(Number(session.lastId));\n  if (session.lastId !== \'\' && from >= 0) for (const t of history.slice(from + 1)) session.push(t, \'tick\', String(t));\n' },
        ],
      },
      {
        rules: ['SSE-S18'],
        ...EXPRESS_HEAD,
        why: 'Express runs a GET route for HEAD when no HEAD route exists; the handler opens a session that never ends, and Node sends no body for HEAD, so the answer never completes.',
        cost: 'a HEAD request (a health check, a link preview) never completes and holds a connection',
        fix: 'answer HEAD before the session: `if (req.method === \'HEAD\') return res.type(\'text/event-stream\').end();`',
        edits: [{ find: 'app.get(\'/sse\', async (req, res) => {\n', replace: 'app.get(\'/sse\', async (req, res) => {\n  if (req.method === \'HEAD\') return res.type(\'text/event-stream\').end();\n' }],
      },
    ],
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
    causes: [
      {
        rules: ['SSE-S10', 'SSE-S19'],
        where: 'scripts/survey/targets/fastify-sse.mjs:35-36 (the README\'s "Message Replay")',
        quote: 'const startIndex = messageHistory.findIndex((msg) => msg.id === lastEventId);\nconst messagesToReplay = startIndex !== -1 ? messageHistory.slice(startIndex + 1) : messageHistory;',
        why: 'the ids are numbers (Date.now()) and Last-Event-ID is a string, so `===` never matches, and an id that is not found replays the whole history: every reconnect, known id or not, gets everything again.',
        cost: 'every reconnect re-delivers the whole history: the application handles each event again, once per reconnect',
        fix: 'compare as the header comes (`String(msg.id) === lastEventId`), and replay nothing for an id that is not in the history',
        edits: [
          {
            find: '    const startIndex = messageHistory.findIndex((msg) => msg.id === lastEventId);\n    const messagesToReplay = startIndex !== -1 ? messageHistory.slice(startIndex + 1) : messageHistory;\n',
            replace: '    const startIndex = messageHistory.findIndex((msg) => String(msg.id) === lastEventId);\n    const messagesToReplay = startIndex !== -1 ? messageHistory.slice(startIndex + 1) : [];\n',
          },
        ],
      },
      {
        rules: ['SSE-S18'],
        where: 'node_modules/fastify/lib/route.js:361 (fastify 5.12.8: exposeHeadRoutes, on by default)',
        quote: "const headHandler = router.findRoute('HEAD', opts.url, constraints)",
        why: 'Fastify adds a HEAD route for every GET route by default and runs the GET handler for it; the SSE handler keeps the reply open, and a HEAD answer has no body to end it.',
        cost: 'a HEAD request (a health check, a link preview) never completes and holds a connection',
        fix: '`exposeHeadRoute: false` on the SSE route (a HEAD then gets 404 at once)',
        edits: [{ find: "fastify.get('/events', { sse: true }, ", replace: "fastify.get('/events', { sse: true, exposeHeadRoute: false }, " }],
      },
      {
        rules: ['SSE-S02'],
        where: 'node_modules/@fastify/sse/index.js:655 (@fastify/sse 0.6.0)',
        quote: 'heartbeatInterval = 30000,',
        why: 'the plugin\'s heartbeat defaults to every 30 s, and the README\'s keepAlive() does not change it: a quiet stream is silent that long.',
        cost: IDLE_30_COST,
        fix: 'register the plugin with `{ heartbeatInterval: 15000 }`',
        edits: [{ find: 'await fastify.register(fastifySse);', replace: 'await fastify.register(fastifySse, { heartbeatInterval: 15000 });' }],
      },
    ],
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
    causes: [
      {
        rules: ['SSE-S10', 'SSE-S20'],
        where: 'scripts/survey/targets/hono.mjs:9, 13-18 (Hono\'s Streaming Helper example)',
        quote: 'let id = 0;\n...\nwhile (true) {\n  ...\n  await stream.writeSSE({\n    data: message,\n    event: \'time-update\',\n    id: String(id++),',
        why: 'the id is one module-level counter bumped by every write of every connection, and the handler never reads Last-Event-ID: an id names a write, not an event, and a reconnect starts from whatever the counter says.',
        cost: 'a reconnecting client gets no missed events and its ids jump by the number of other open streams: nothing can be resumed exactly',
        fix: 'publish each event once, with its id, into a history all streams read; start a stream after its Last-Event-ID (Hono leaves both to the app)',
      },
    ],
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
    causes: [
      {
        rules: ['SSE-S10'],
        where: 'scripts/survey/targets/express-guide.cjs:37-38 (the guide\'s first snippet)',
        quote: 'const id = ++clientId;\nres.write(`event: connected\\nid: ${id}\\ndata: {"clientId": ${id}}\\n\\n`);',
        why: 'the connected event carries the client number as its id, so the client\'s Last-Event-ID becomes a small number, and the replay (`e.id > parseInt(lastEventId)`, ids being Date.now()) sends the whole history again on the next reconnect.',
        cost: 'a client that reconnects before a new event reaches it (and every one after a connected event) gets the whole history again: duplicates',
        fix: 'send the connected event without an id (an id names an event of the stream, not a connection)',
        edits: [{ find: 'res.write(`event: connected\\nid: ${id}\\ndata:', replace: 'res.write(`event: connected\\ndata:' }],
      },
      {
        rules: ['SSE-S19'],
        where: 'scripts/survey/targets/express-guide.cjs:27 (the guide\'s second snippet)',
        quote: 'const missedEvents = eventHistory.filter(e => e.id > parseInt(lastEventId));',
        why: 'parseInt reads "5abc" as 5 and "1e3" as 1, so an id the server never sent is placed before the whole history, which is replayed.',
        cost: 'a client holding an id from another server (or a proxy\'s, or a mangled one) gets the whole history at once',
        fix: 'replay only after an id the history holds: `const at = eventHistory.findIndex(e => String(e.id) === lastEventId)`, nothing when it is -1',
        edits: [{ find: '        const missedEvents = eventHistory.filter(e => e.id > parseInt(lastEventId));\n', replace: '        const at = eventHistory.findIndex(e => String(e.id) === lastEventId);\n        const missedEvents = at < 0 ? [] : eventHistory.slice(at + 1);\n' }],
      },
      {
        rules: ['SSE-S18'],
        ...EXPRESS_HEAD,
        why: 'Express runs the GET route for HEAD; the handler never ends the response, and a HEAD answer has no body to end it.',
        cost: 'a HEAD request (a health check, a link preview) never completes and holds a connection',
        fix: 'end a HEAD after the headers: `if (req.method === \'HEAD\') return res.end();`',
        edits: [{ find: "    res.setHeader('Connection', 'keep-alive');\n", replace: "    res.setHeader('Connection', 'keep-alive');\n    if (req.method === 'HEAD') return res.end();\n" }],
      },
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/express-guide.cjs:47-50',
        quote: '// Send heartbeat every 30 seconds to keep connection alive\nconst heartbeat = setInterval(() => {\n    res.write(\': heartbeat\\n\\n\');\n}, 30000);',
        why: 'a 30 s heartbeat leaves a quiet stream silent for 30 s, as long as common proxy idle timeouts.',
        cost: IDLE_30_COST,
        fix: 'a heartbeat every 15 s',
        edits: [{ find: '    }, 30000);', replace: '    }, 15000);' }],
      },
    ],
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
    causes: [
      {
        rules: ['SSE-S12'],
        where: 'scripts/survey/targets/cookbook-e01.cpp:22 (the chapter\'s pool line, 8 threads)',
        quote: 'svr.new_task_queue = [] { return new httplib::ThreadPool(8); };',
        why: 'cpp-httplib serves each connection on a pool thread for as long as it lasts, and a stream never ends: the ninth stream (and any other request) waits in the queue with no answer.',
        cost: POOL_COST,
        fix: 'size the pool for the streams expected (ThreadPool(64) here; 0.11.4 has no dynamic pool), and refuse beyond it with 200 + retry: + end',
        edits: [{ find: 'new httplib::ThreadPool(8); };', replace: 'new httplib::ThreadPool(64); };' }],
      },
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/cookbook-e01.cpp:25-26',
        quote: 'res.set_chunked_content_provider(\n  "text/event-stream",',
        why: 'the handler sets only the content type, and cpp-httplib adds no Cache-Control.',
        cost: CACHE_COST,
        fix: '`res.set_header("Cache-Control", "no-cache");` before the provider',
        edits: [{ find: '  svr.Get("/events", [](const httplib::Request &req, httplib::Response &res) {\n', replace: '  svr.Get("/events", [](const httplib::Request &req, httplib::Response &res) {\n    res.set_header("Cache-Control", "no-cache");\n' }],
      },
    ],
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
    causes: [
      {
        rules: ['SSE-M12', 'SSE-R1'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:48 (the chapter\'s handler)',
        quote: 'int start = last_id.empty() ? 0 : std::stoi(last_id) + 1;',
        why: 'std::stoi throws on an id that is not a number ("abc") or too big (255 digits); the handler lets it escape and cpp-httplib answers 500 (its routing catches handler exceptions: set_exception_handler, /usr/include/httplib.h:674, only changes the answer).',
        cost: 'a browser whose Last-Event-ID the server cannot parse gets 500 and gives up for good: its page stops updating',
        fix: 'parse with std::from_chars and treat a failure as no id',
        edits: parseIdEdits('int start = last_id.empty() ? 0 : std::stoi(last_id) + 1;', 'int start = last_id.empty() ? 0 : parse_id(last_id) + 1;'),
      },
      {
        rules: ['SSE-S10', 'SSE-S20'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:57-58',
        quote: 'static int next_id = 0;\nif (next_id < start) { next_id = start; }',
        why: 'one static counter numbers the writes of every connection, and a reconnect moves it forward to its own Last-Event-ID + 1: an id names a write on some connection, not an event, and a resume sends whatever the counter says.',
        cost: 'a reconnecting client gets events numbered after its id that are not the ones it missed; other clients\' ids jump: nothing can be resumed exactly',
        fix: 'number events once where they are made (the chapter\'s own EventBuffer) and send each stream since its Last-Event-ID',
      },
      HTTPLIB_POOL,
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:50-51',
        quote: 'res.set_chunked_content_provider(\n  "text/event-stream",',
        why: 'the handler sets only the content type, and cpp-httplib adds no Cache-Control.',
        cost: CACHE_COST,
        fix: '`res.set_header("Cache-Control", "no-cache");` before the provider',
        edits: [{ find: '    int start = last_id.empty() ? 0 : std::stoi(last_id) + 1;\n', replace: '    int start = last_id.empty() ? 0 : std::stoi(last_id) + 1;\n    res.set_header("Cache-Control", "no-cache");\n' }],
      },
    ],
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
    causes: [
      {
        rules: ['SSE-M12', 'SSE-R1', 'SSE-S19'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:77 (the /buffered handler, written as the chapter advises)',
        quote: 'int from = last_id.empty() ? -1 : std::stoi(last_id);',
        why: 'std::stoi throws on an id that is not a number ("abc") or too big (255 digits); the handler lets it escape and cpp-httplib answers 500 (its routing catches handler exceptions: set_exception_handler, /usr/include/httplib.h:674, only changes the answer). std::stoi also reads a number off the front of "5abc" or "1e3", so an id the server never sent is placed at event 5 or 1, and the buffer from there is replayed.',
        cost: 'a browser whose Last-Event-ID is not a number gets 500 and gives up for good; one that starts with digits gets the buffer replayed from there',
        fix: 'parse with std::from_chars, whole string only, and treat a failure as no id (the live edge)',
        edits: parseIdEdits('int from = last_id.empty() ? -1 : std::stoi(last_id);', 'int from = last_id.empty() ? -1 : parse_id(last_id);'),
      },
      {
        rules: ['SSE-S10'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:36 (the chapter\'s EventBuffer::since) with :77',
        quote: 'if (e.first >= id) { out.push_back(e); }',
        why: 'since(id) includes the event named id, and the chapter says to call since(last_id): a resume starts with the event the client already had.',
        cost: 'every reconnect re-delivers the last event the client handled',
        fix: 'call since(last_id + 1)',
        edits: [{ find: 'int from = last_id.empty() ? -1 : std::stoi(last_id);', replace: 'int from = last_id.empty() ? -1 : std::stoi(last_id) + 1;' }],
      },
      {
        rules: ['SSE-S24'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:36 (the chapter\'s EventBuffer::since) with :91',
        quote: 'if (e.first >= id) { out.push_back(e); }',
        why: 'a stream sends since(Last-Event-ID) and nothing else, so an id ahead of every event in the buffer (what a client holds after the server restarts and counts from 0 again) matches nothing until the counter passes it.',
        cost: 'after a server restart every client that reconnects hears nothing until the new counter passes its old id: minutes or hours of silence',
        fix: 'treat an id ahead of the newest event as unknown: start such a stream at the live edge',
        edits: [{ find: '          if (from < 0) {\n', replace: '          auto head = buffer.since(0);\n          if (from < 0 || (!head.empty() && from > head.back().first + 1)) {\n' }],
      },
      HTTPLIB_POOL,
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/cookbook-e03.cpp:79-80',
        quote: 'res.set_chunked_content_provider(\n  "text/event-stream",',
        why: 'the handler sets only the content type, and cpp-httplib adds no Cache-Control.',
        cost: CACHE_COST,
        fix: '`res.set_header("Cache-Control", "no-cache");` before the provider',
        edits: [{ find: '    int from = last_id.empty() ? -1 : std::stoi(last_id);\n', replace: '    int from = last_id.empty() ? -1 : std::stoi(last_id);\n    res.set_header("Cache-Control", "no-cache");\n' }],
      },
    ],
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
    causes: [
      {
        rules: ['SSE-M12', 'SSE-S10'],
        where: 'scripts/survey/targets/gin-nethttp.go:128-136, 144 (the guide\'s "With Last-Event-ID Support")',
        quote: 'lastEventID := r.Header.Get("Last-Event-ID")\nif lastEventID != "" {\n\t...\n\tflusher.Flush()\n}\n...\nw.Header().Set("Content-Type", "text/event-stream")',
        why: 'on a reconnect the handler writes and flushes the missed events before it sets the headers; net/http sends the head at the first write with a sniffed Content-Type (text/plain), and the later Header().Set calls change nothing.',
        cost: 'every browser that reconnects with a Last-Event-ID gets text/plain and gives up for good: one network blip ends the page\'s updates',
        fix: 'set the SSE headers before the replay (move the "Set SSE headers" block above "Check for reconnection")',
        edits: [
          { find: '\t// Check for reconnection\n', replace: '\tw.Header().Set("Content-Type", "text/event-stream")\n\tw.Header().Set("Cache-Control", "no-cache")\n\tw.Header().Set("Connection", "keep-alive")\n\tw.Header().Set("X-Accel-Buffering", "no")\n\n\t// Check for reconnection\n' },
        ],
      },
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/gin-nethttp.go:158',
        quote: 'heartbeat := time.NewTicker(30 * time.Second)',
        why: 'a 30 s heartbeat leaves a quiet stream silent for 30 s, as long as common proxy idle timeouts.',
        cost: IDLE_30_COST,
        fix: 'a heartbeat every 15 s',
        edits: [{ find: 'time.NewTicker(30 * time.Second)', replace: 'time.NewTicker(15 * time.Second)' }],
      },
    ],
    build: (place, paths) => ({
      file: 'go',
      args: ['build', '-o', join(place.bin, 'gin-nethttp'), join(place.dir, 'gin-nethttp.go')],
      input: join(place.dir, 'gin-nethttp.go'),
      output: join(place.bin, 'gin-nethttp'),
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
    extraFiles: ['_serve.py'],
    from: `${GUIDE}: "SSE with FastAPI (Python)", the Queue example`,
    changes: 'FastAPI routes as Starlette routes (StreamingResponse is the same class); the app broadcasts a tick a second',
    hasTicker: true,
    causes: [
      {
        rules: ['SSE-S02', 'SSE-M09'],
        where: 'scripts/survey/targets/fastapi-queue.py:44-50 (the guide\'s event_generator)',
        quote: 'if not queue.empty():\n    message = await queue.get()\n    yield message\nelse:\n    # Send heartbeat comment every 30 seconds\n    yield ": heartbeat\\n\\n"\n    await sleep(30)',
        why: 'whenever the queue is empty the generator sleeps 30 s without looking at it: an event published meanwhile waits up to 30 s, and the stream is silent that long.',
        cost: 'events reach the page up to 30 s late, in batches; behind a proxy with a 30 s idle timeout the stream is also cut and reconnects',
        fix: 'wait on the queue with a timeout: `message = await asyncio.wait_for(queue.get(), timeout=15)`, a heartbeat on timeout',
        edits: [
          {
            find: '                if not queue.empty():\n                    message = await queue.get()\n                    yield message\n                else:\n                    # Send heartbeat comment every 30 seconds\n                    yield ": heartbeat\\n\\n"\n                    await sleep(30)\n',
            replace: '                try:\n                    message = await asyncio.wait_for(queue.get(), timeout=15)\n                    yield message\n                except asyncio.TimeoutError:\n                    yield ": heartbeat\\n\\n"\n',
          },
        ],
      },
    ],
    command: python('fastapi-queue.py'),
  },
  {
    id: 'fastapi-event',
    language: 'Python',
    stack: 'the guide\'s second FastAPI example on Starlette + uvicorn (Debian)',
    packages: ['python3-starlette', 'python3-uvicorn'],
    path: '/events',
    source: 'fastapi-event.py',
    extraFiles: ['_serve.py'],
    from: `${GUIDE}: "Using asyncio for Better Performance", the SSEManager example`,
    changes: 'FastAPI routes as Starlette routes; the app broadcasts a tick a second through SSEManager.broadcast()',
    hasTicker: true,
    causes: [
      {
        rules: ['SSE-S10'],
        where: 'scripts/survey/targets/fastapi-event.py:82-87 and :38-43 (the guide\'s SSEManager)',
        quote: 'async def events(request: Request):\n    client_id = manager.add_client()\n    return StreamingResponse(\n        event_stream(client_id, request),\n        media_type="text/event-stream"\n    )',
        why: 'the events carry ids (time in ms) but the route never reads Last-Event-ID and the manager keeps no history: a reconnect starts at the live edge.',
        cost: 'every reconnect silently loses the events sent while the client was away',
        fix: 'keep the last events in the manager and, when Last-Event-ID names one, send those after it before going live',
      },
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/fastapi-event.py:84-87',
        quote: 'return StreamingResponse(\n    event_stream(client_id, request),\n    media_type="text/event-stream"\n)',
        why: 'the guide\'s second example drops the headers its first one sets; Starlette adds no Cache-Control.',
        cost: CACHE_COST,
        fix: '`headers={"Cache-Control": "no-cache"}` on the StreamingResponse',
        edits: [{ find: '        media_type="text/event-stream"\n    )', replace: '        media_type="text/event-stream",\n        headers={"Cache-Control": "no-cache"},\n    )' }],
      },
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/fastapi-event.py:68-69',
        quote: '# Wait for event or timeout after 30s for heartbeat\nawait wait_for(client["event"].wait(), timeout=30.0)',
        why: 'a 30 s heartbeat leaves a quiet stream silent for 30 s, as long as common proxy idle timeouts.',
        cost: IDLE_30_COST,
        fix: 'a heartbeat every 15 s (`timeout=15.0`)',
        edits: [{ find: 'timeout=30.0)', replace: 'timeout=15.0)' }],
      },
    ],
    command: python('fastapi-event.py'),
  },
  {
    id: 'trpc',
    language: 'Node',
    stack: 'tRPC 11 subscriptions over SSE on the Standalone Adapter',
    packages: ['@trpc/server', 'zod'],
    path: '/onPostAdd',
    source: 'trpc.mjs',
    from: 'tRPC docs, Subscriptions: "Automatic tracking of id using tracked()" (shipped as @trpc/server/skills/subscriptions/SKILL.md), on createHTTPServer',
    changes: 'the docs leave "[...] get the posts since the last event id" to the app: the last 100 posts are kept in memory and those after lastEventId yielded; the app adds a post a second',
    hasTicker: true,
    causes: [
      {
        rules: ['SSE-S02'],
        where: 'node_modules/@trpc/server/src/unstable-core-do-not-import/stream/sse.ts:97 (@trpc/server 11.25.2)',
        quote: 'enabled: opts.ping?.enabled ?? false,',
        why: 'tRPC sends its keep-alive ping only when `sse.ping.enabled` is set, and the Subscriptions page\'s tracked() example does not set it: a stream with nothing to publish is silent.',
        cost: 'behind a proxy or load balancer that drops a connection idle for 30–60 s, an idle subscription is cut and reconnects over and over',
        fix: 'initTRPC.create({ sse: { ping: { enabled: true, intervalMs: 15_000 } } }), as the httpSubscriptionLink page shows',
        edits: [{ find: 'const t = initTRPC.create();', replace: 'const t = initTRPC.create({ sse: { ping: { enabled: true, intervalMs: 15_000 } } });' }],
      },
      {
        rules: ['SSE-S08'],
        where: 'node_modules/@trpc/server/src/unstable-core-do-not-import/stream/sse.ts:113-116 (@trpc/server 11.25.2)',
        quote: "yield {\n  event: CONNECTED_EVENT,\n  data: JSON.stringify(client),\n};",
        why: 'the stream opens with a `connected` event that tells tRPC\'s own client its options, and no `retry:` field is written anywhere in sse.ts: an EventSource keeps its own default delay.',
        cost: 'after an outage every client reconnects after its own default delay, all together: no server-chosen pacing',
        fix: 'write a `retry:` field in sseStreamProducer (tRPC has no option for it)',
      },
    ],
    command: node('trpc.mjs'),
  },
  {
    id: 'sinatra-thin',
    language: 'Ruby',
    stack: 'Sinatra stream(:keep_open) on thin (Debian)',
    packages: ['ruby-sinatra', 'thin'],
    path: '/subscribe',
    source: 'sinatra-thin.ru',
    from: 'Sinatra README, "Streaming Responses": the keep_open example (config.ru) as printed',
    changes: 'the README runs it on Rainbows! (EventMachine), which Debian lacks: thin (EventMachine too) serves it. The app sends a tick a second to every connection as the README\'s `post \'/\'` does',
    hasTicker: true,
    givenPort: true,
    causes: [
      {
        rules: ['SSE-S25'],
        where: 'scripts/survey/targets/sinatra-thin.ru:25-26 (the README\'s `post \'/\'`, and the app\'s tick at :40)',
        quote: '# indicate client to connect again\nout.close',
        why: 'the README ends every stream after one message and sends no ids, so the client reconnects after its retry delay with no Last-Event-ID, and what was published in between reaches nobody.',
        cost: 'every message after the first costs each client a reconnect; the messages published while it waits (about 3 s, the browser default) are lost',
        fix: 'keep the stream open (drop `out.close`; keep_open already holds it), or send ids and replay what was missed',
        edits: [
          { find: '      # indicate client to connect again\n      out.close\n', replace: '' },
          { find: '          out.close\n', replace: '' },
        ],
      },
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/sinatra-thin.ru:11',
        quote: "get '/subscribe', provides: 'text/event-stream'  do",
        why: 'the route sets no Cache-Control and Sinatra adds none to a stream (/usr/share/rubygems-integration/all/gems/sinatra-3.0.5/lib/sinatra/base.rb:506, `stream`, sets none either).',
        cost: CACHE_COST,
        fix: 'call `cache_control :no_cache` in the route',
        edits: [{ find: '    stream(:keep_open) do |out|\n', replace: '    cache_control :no_cache\n    stream(:keep_open) do |out|\n' }],
      },
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/sinatra-thin.ru:13-17',
        quote: 'stream(:keep_open) do |out|\n  connections << out\n  # purge dead connections\n  connections.reject!(&:closed?)\nend',
        why: 'a kept-open stream gets bytes only when a message is posted; neither the README nor Sinatra sends a keep-alive.',
        cost: IDLE_COST,
        fix: 'write a comment line (`: keep-alive`) to every open stream every 15 s from an EM.add_periodic_timer',
        edits: [{ find: 'class App < Sinatra::Base\n  connections = []\n', replace: 'class App < Sinatra::Base\n  connections = []\n  EM.next_tick { EM.add_periodic_timer(15) { connections.each { |out| out << ": keep-alive\\n\\n" } } }\n' }],
      },
      {
        rules: ['SSE-S08'],
        where: 'scripts/survey/targets/sinatra-thin.ru:13-17',
        quote: 'stream(:keep_open) do |out|\n  connections << out',
        why: 'the stream never says `retry:`, so each reconnect (one per message, see cause 1) waits the client\'s own default.',
        cost: RETRY_COST,
        fix: 'write `retry: 3000` (with a little jitter) when the stream opens',
        edits: [{ find: '      connections << out\n', replace: '      out << "retry: #{2500 + rand(1000)}\\n\\n"\n      connections << out\n' }],
      },
    ],
    command: (place, _paths, port) => ({ file: 'thin', args: ['-R', 'sinatra-thin.ru', '-a', '127.0.0.1', '-p', String(port), 'start'], cwd: place.dir, ready: { port } }),
  },
  {
    id: 'php-builtin',
    language: 'PHP',
    stack: "MDN's PHP example on PHP's built-in web server (Debian php-cli)",
    packages: ['php-cli'],
    path: '/mdn-sse.php',
    source: 'mdn-sse.php',
    from: 'MDN, "Using server-sent events", "Sending events from the server": the PHP code as printed, served by `php -S`',
    changes: 'the `<?php` opening tag (MDN prints the code without it)',
    hasTicker: false,
    givenPort: true,
    causes: [
      {
        rules: ['SSE-S18', 'SSE-S21'],
        where: 'scripts/survey/targets/mdn-sse.php:10, 32 (MDN\'s loop)',
        quote: 'while (true) {\n  ...\n  if ( connection_aborted() ) break;',
        why: 'the loop serves every method and ends only when a write to the socket fails; for HEAD, PHP sends no body at all (the SAPI marks the request headers-only), so nothing is written, the client\'s leaving is never seen, and the loop holds php -S\'s one process for good.',
        cost: 'one HEAD request (a health check, a link preview) leaves the server answering nobody until it is restarted; a POST gets an endless stream',
        fix: 'answer anything but GET at once: `if ($_SERVER[\'REQUEST_METHOD\'] !== \'GET\') { http_response_code(405); header(\'Allow: GET\'); exit; }` before the headers',
        edits: [{ find: 'date_default_timezone_set("America/New_York");\n', replace: 'if ($_SERVER[\'REQUEST_METHOD\'] !== \'GET\') { http_response_code(405); header(\'Allow: GET\'); exit; }\ndate_default_timezone_set("America/New_York");\n' }],
      },
      {
        rules: ['SSE-S12'],
        where: 'php -S (php-cli 8.2), the built-in web server',
        quote: 'PHP manual, "Built-in web server": "The web server runs only one single-threaded process, so PHP applications will stall if a request is blocked."',
        why: 'each stream is a request that never ends, so the one process serves one stream, and every other request waits in the listen queue with no answer.',
        cost: 'the second open tab or client hangs with no answer (no error, no retry) until the first leaves; so does every other request to the server',
        fix: 'serve the script with PHP-FPM behind a web server, with pm.max_children above the streams expected (PHP_CLI_SERVER_WORKERS only multiplies the one-stream limit)',
      },
      {
        rules: ['SSE-S08'],
        where: 'scripts/survey/targets/mdn-sse.php:10-13',
        quote: 'while (true) {\n  // Every second, send a "ping" event.\n\n  echo "event: ping\\n";',
        why: 'MDN\'s stream never says `retry:`.',
        cost: RETRY_COST,
        fix: 'echo `retry: 3000` (with a little jitter) once before the loop',
        edits: [{ find: '$counter = rand(1, 10);\nwhile (true) {\n', replace: '$counter = rand(1, 10);\necho "retry: " . rand(2500, 3500) . "\\n\\n";\nwhile (true) {\n' }],
      },
    ],
    command: (place, _paths, port) => ({ file: 'php', args: ['-S', `127.0.0.1:${port}`, '-t', place.dir], cwd: place.dir, ready: { port } }),
  },
  {
    id: 'mojolicious',
    language: 'Perl',
    stack: 'Mojolicious::Lite EventSource on its own daemon (Debian)',
    packages: ['libmojolicious-perl'],
    path: '/events',
    source: 'mojo-eventsource.pl',
    from: 'Mojolicious Cookbook, "EventSource web service" (Mojolicious::Guides::Cookbook, shipped in libmojolicious-perl): the /events route as printed',
    changes: 'the browser page (its route and template) left out; the app logs a tick a second, which the route streams as the guide\'s log events',
    hasTicker: true,
    givenPort: true,
    causes: [
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/mojo-eventsource.pl:11-12',
        quote: '# Increase inactivity timeout for connection a bit\n$c->inactivity_timeout(300);',
        why: 'the route raises its own inactivity timeout to 300 s but sends nothing while the log is quiet; a proxy in front has a shorter one.',
        cost: IDLE_COST,
        fix: 'write a comment line every 15 s: `my $beat = Mojo::IOLoop->recurring(15 => sub { $c->write(": keep-alive\\n\\n") })`, removed on finish',
        edits: [{ find: '  $c->write;\n', replace: '  $c->write;\n  my $beat = Mojo::IOLoop->recurring(15 => sub { $c->write(": keep-alive\\n\\n") });\n  $c->on(finish => sub { Mojo::IOLoop->remove($beat) });\n' }],
      },
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/mojo-eventsource.pl:15',
        quote: "$c->res->headers->content_type('text/event-stream');",
        why: 'the guide sets only the content type, and Mojolicious adds no Cache-Control.',
        cost: CACHE_COST,
        fix: "`$c->res->headers->cache_control('no-cache')` beside the content type",
        edits: [{ find: "  $c->res->headers->content_type('text/event-stream');\n", replace: "  $c->res->headers->content_type('text/event-stream');\n  $c->res->headers->cache_control('no-cache');\n" }],
      },
      {
        rules: ['SSE-S08'],
        where: 'scripts/survey/targets/mojo-eventsource.pl:16',
        quote: '$c->write;',
        why: 'the stream opens with the headers alone and never says `retry:`.',
        cost: RETRY_COST,
        fix: '`$c->write("retry: 3000\\n\\n")` (with a little jitter) instead of the bare `$c->write`',
        edits: [{ find: '  $c->write;\n', replace: '  $c->write("retry: " . (2500 + int(rand(1000))) . "\\n\\n");\n' }],
      },
    ],
    command: (place, _paths, port) => ({ file: 'perl', args: [join(place.dir, 'mojo-eventsource.pl'), 'daemon', '-l', `http://127.0.0.1:${port}`], cwd: place.dir, ready: { port } }),
  },
  {
    id: 'jetty',
    language: 'Java',
    stack: "Jetty 9.4's EventSourceServlet, embedded (Debian)",
    packages: ['libjetty9-java', 'openjdk-17-jdk-headless'],
    path: '/events',
    source: 'JettyEventSource.java',
    from: "Jetty 9.4 EventSourceServlet's Javadoc (subclass it, return an EventSource from newEventSource) on embedded Jetty as the Jetty 9.4 docs' \"Embedding Jetty\" shows",
    changes: 'the servlet holder marked async-supported (EventSourceServlet calls startAsync(), which a holder refuses by default); the app keeps the emitters and sends each a tick a second',
    hasTicker: true,
    build: (place) => ({
      file: 'javac',
      args: ['-d', join(place.bin, 'jetty-classes'), '-cp', JETTY_CLASSPATH, join(place.dir, 'JettyEventSource.java')],
      input: join(place.dir, 'JettyEventSource.java'),
      output: join(place.bin, 'jetty-classes', 'JettyEventSource.class'),
    }),
    causes: [
      {
        rules: ['SSE-S15'],
        where: 'jetty-servlets 9.4.57 (/usr/share/java/jetty9-servlets.jar), org/eclipse/jetty/servlets/EventSourceServlet.java:85 and :106 (line numbers from the jar\'s LineNumberTable)',
        quote: 'if (accept.equals("text/event-stream"))\n...\nsuper.doGet(request, response);',
        why: 'EventSourceServlet serves the stream only when an Accept value is exactly `text/event-stream`; `*/*`, none, or `text/event-stream;q=1` falls through to HttpServlet.doGet, which answers 405.',
        cost: 'a client that sends Accept: */* or no Accept (curl, a fetch-based reader, a monitoring probe) gets 405 instead of the stream; browsers\' EventSource is unaffected',
        fix: 'in the subclass, hand EventSourceServlet a request whose Accept is text/event-stream (an HttpServletRequestWrapper in doGet); in Jetty, match the media type, not the whole header',
        edits: [{
          file: 'JettyEventSource.java',
          find: '  public static class TickServlet extends EventSourceServlet {\n',
          replace: '  public static class TickServlet extends EventSourceServlet {\n    @Override\n    protected void doGet(HttpServletRequest request, javax.servlet.http.HttpServletResponse response) throws javax.servlet.ServletException, IOException {\n      super.doGet(new javax.servlet.http.HttpServletRequestWrapper(request) {\n        @Override\n        public java.util.Enumeration<String> getHeaders(String name) {\n          return "Accept".equalsIgnoreCase(name) ? java.util.Collections.enumeration(java.util.List.of("text/event-stream")) : super.getHeaders(name);\n        }\n      }, response);\n    }\n\n',
        }],
      },
      {
        rules: ['SSE-S04'],
        where: 'jetty-servlets 9.4.57 (/usr/share/java/jetty9-servlets.jar), org/eclipse/jetty/servlets/EventSourceServlet.java:113-120 (respond)',
        quote: 'response.setStatus(HttpServletResponse.SC_OK);\nresponse.setCharacterEncoding(StandardCharsets.UTF_8.name());\nresponse.setContentType("text/event-stream");\n...\nresponse.addHeader("Connection", "close");\nresponse.flushBuffer();',
        why: 'the servlet\'s response head has a status, a content type and Connection: close, and no Cache-Control.',
        cost: CACHE_COST,
        fix: 'override respond() in the subclass: set Cache-Control: no-cache, then call super.respond()',
        edits: [{
          file: 'JettyEventSource.java',
          find: '  public static class TickServlet extends EventSourceServlet {\n',
          replace: '  public static class TickServlet extends EventSourceServlet {\n    @Override\n    protected void respond(HttpServletRequest request, javax.servlet.http.HttpServletResponse response) throws IOException {\n      response.setHeader("Cache-Control", "no-cache");\n      super.respond(request, response);\n    }\n\n',
        }],
      },
      {
        rules: ['SSE-S08'],
        where: 'jetty-servlets 9.4.57 (/usr/share/java/jetty9-servlets.jar), org/eclipse/jetty/servlets/EventSource.java (Emitter)',
        quote: 'void event(String name, String data)\nvoid data(String data)\nvoid comment(String comment)\nvoid close()',
        why: 'the Emitter API can write events, data and comments, but neither `retry:` nor `id:` (the servlet\'s Javadoc: "there is currently no support for last-event-id").',
        cost: RETRY_COST,
        fix: 'override respond() in the subclass and write `retry: 3000` to the response\'s output stream after super.respond()',
        edits: [{
          file: 'JettyEventSource.java',
          find: '  public static class TickServlet extends EventSourceServlet {\n',
          replace: '  public static class TickServlet extends EventSourceServlet {\n    @Override\n    protected void respond(HttpServletRequest request, javax.servlet.http.HttpServletResponse response) throws IOException {\n      super.respond(request, response);\n      response.getOutputStream().write(("retry: " + (2500 + (int) (Math.random() * 1000)) + "\\r\\n\\r\\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));\n      response.flushBuffer();\n    }\n\n',
        }],
      },
    ],
    command: (place) => ({ file: 'java', args: ['-cp', `${join(place.bin, 'jetty-classes')}:${JETTY_CLASSPATH}`, 'JettyEventSource'] }),
  },
  {
    id: 'nchan',
    language: 'C (nginx module)',
    stack: 'nchan pub/sub on nginx (Debian)',
    packages: ['libnginx-mod-nchan', 'nginx'],
    path: '/sub',
    source: 'nchan.conf',
    extraFiles: ['nchan.mjs'],
    from: 'nchan README, "The Basics": the "very basic nginx config" (a /sub subscriber and a /pub publisher on channel foobar)',
    changes: 'nginx refuses a config without an events block: an empty one added; the module loaded and nginx run in the foreground in a scratch prefix (nchan.mjs); a publisher POSTs a tick a second to /pub',
    hasTicker: true,
    givenPort: true,
    causes: [
      {
        rules: ['SSE-S18'],
        where: 'nchan 1.3.6 source (libnginx-mod-nchan 1:1.3.6+dfsg-2), src/nchan_module.c:710, :810, :893',
        quote: 'ngx_int_t               rc = NGX_DONE;\n...\nswitch(r->method) {\n  case NGX_HTTP_GET: ...\n  case NGX_HTTP_POST: case NGX_HTTP_PUT: ...\n  case NGX_HTTP_DELETE: ...\n  case NGX_HTTP_OPTIONS: ...\n}\n...\nreturn rc;',
        why: 'the pub/sub handler has no case for HEAD, so a HEAD falls through the switch and the handler returns NGX_DONE without answering: nginx waits for a response that never comes.',
        cost: 'a HEAD request (a health check, a link preview) never gets an answer and holds a connection until the client gives up',
        fix: 'answer HEAD in the location before nchan sees it: `if ($request_method = HEAD) { return 405; }`; in nchan, a HEAD case',
        edits: [{ find: '      nchan_subscriber;\n', replace: '      if ($request_method = HEAD) { return 405; }\n      nchan_subscriber;\n' }],
      },
      {
        rules: ['SSE-S02'],
        where: 'nchan 1.3.6 source (libnginx-mod-nchan 1:1.3.6+dfsg-2), src/nchan_defs.h:43',
        quote: '#define NCHAN_DEFAULT_SUBSCRIBER_PING_INTERVAL 0',
        why: 'EventSource subscribers get a ping only when nchan_eventsource_ping_interval is set; its default is 0 (none), and the README\'s basic config does not set it.',
        cost: 'behind a proxy that drops a connection idle for 30–60 s, a quiet channel\'s subscribers are cut and reconnect over and over',
        fix: '`nchan_eventsource_ping_interval 15;` in the subscriber location',
        edits: [{ find: '      nchan_subscriber;\n', replace: '      nchan_subscriber;\n      nchan_eventsource_ping_interval 15;\n' }],
      },
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/nchan.conf:23-26',
        quote: 'location = /sub {\n  nchan_subscriber;\n  nchan_channel_id foobar;\n}',
        why: 'nchan\'s EventSource answer carries no Cache-Control, and the README\'s location adds none.',
        cost: CACHE_COST,
        fix: '`add_header Cache-Control no-cache;` in the subscriber location',
        edits: [{ find: '      nchan_subscriber;\n', replace: '      nchan_subscriber;\n      add_header Cache-Control no-cache;\n' }],
      },
      {
        rules: ['SSE-S08'],
        where: 'nchan 1.3.6 source (libnginx-mod-nchan 1:1.3.6+dfsg-2), src/subscribers/eventsource.c:31',
        quote: 'static const ngx_str_t   hello = ngx_string(": hi\\n\\n");',
        why: 'an EventSource subscriber opens with a `: hi` comment; nchan writes no `retry:` field, and no directive adds one.',
        cost: RETRY_COST,
        fix: 'a `retry:` in nchan\'s EventSource greeting (a directive for it); not reachable from the config',
      },
    ],
    command: (place, _paths, port) => ({ file: process.execPath, args: [join(place.dir, 'nchan.mjs')], cwd: place.dir, ready: { port } }),
  },
];

/** A target by id. @throws Error naming the known ids */
export function targetById(id: string): SurveyTarget {
  const target = TARGETS.find((t) => t.id === id);
  if (target === undefined) throw new Error(`unknown target ${JSON.stringify(id)}; known: ${TARGETS.map((t) => t.id).join(', ')}`);
  return target;
}

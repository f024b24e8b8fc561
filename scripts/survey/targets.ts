import { join } from 'node:path';
import type { ServerCommand } from './processes.js';

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
  command(place: Place, paths: SurveyPaths, port: number): ServerCommand;
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
        cost: 'a cache between the client and thin may store or hold the response (RFC 9111 lets it, absent Cache-Control)',
        fix: 'call `cache_control :no_cache` in the route',
        edits: [{ find: '    stream(:keep_open) do |out|\n', replace: '    cache_control :no_cache\n    stream(:keep_open) do |out|\n' }],
      },
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/sinatra-thin.ru:13-17',
        quote: 'stream(:keep_open) do |out|\n  connections << out\n  # purge dead connections\n  connections.reject!(&:closed?)\nend',
        why: 'a kept-open stream gets bytes only when a message is posted; neither the README nor Sinatra sends a keep-alive.',
        cost: 'behind a proxy that drops a connection idle for 30–60 s, a quiet stream is cut and reconnects over and over',
        fix: 'write a comment line (`: keep-alive`) to every open stream every 15 s from an EM.add_periodic_timer',
        edits: [{ find: 'class App < Sinatra::Base\n  connections = []\n', replace: 'class App < Sinatra::Base\n  connections = []\n  EM.next_tick { EM.add_periodic_timer(15) { connections.each { |out| out << ": keep-alive\\n\\n" } } }\n' }],
      },
      {
        rules: ['SSE-S08'],
        where: 'scripts/survey/targets/sinatra-thin.ru:13-17',
        quote: 'stream(:keep_open) do |out|\n  connections << out',
        why: 'the stream never says `retry:`, so each reconnect (one per message, see cause 1) waits the client\'s own default.',
        cost: 'after an outage every client reconnects after its own default delay, all together',
        fix: 'write `retry: 3000` (with a little jitter) when the stream opens',
        edits: [{ find: '      connections << out\n', replace: '      out << "retry: #{2500 + rand(1000)}\\n\\n"\n      connections << out\n' }],
      },
    ],
    command: (place, _paths, port) => ({ file: 'thin', args: ['-R', 'sinatra-thin.ru', '-a', '127.0.0.1', '-p', String(port), 'start'], cwd: place.dir, port }),
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
        cost: 'after an outage every client reconnects after its own default delay, all together',
        fix: 'echo `retry: 3000` (with a little jitter) once before the loop',
        edits: [{ find: '$counter = rand(1, 10);\nwhile (true) {\n', replace: '$counter = rand(1, 10);\necho "retry: " . rand(2500, 3500) . "\\n\\n";\nwhile (true) {\n' }],
      },
    ],
    command: (place, _paths, port) => ({ file: 'php', args: ['-S', `127.0.0.1:${port}`, '-t', place.dir], cwd: place.dir, port }),
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
        rules: ['SSE-M16'],
        where: '/usr/share/perl5/Mojolicious.pm:35 and :117 (libmojolicious-perl 9.31), with scripts/survey/targets/mojo-eventsource.pl:19',
        quote: "return $self->mode eq 'development' ? $log : $log->level('info');\n...\n$c->helpers->log->trace(sub {",
        why: 'the guide streams every message of the app\'s log, and in the default (development) mode the log level is trace, where Mojolicious logs each request it routes: every new connection writes three events (GET, routing, 200 OK) into every stream already open.',
        cost: 'each page that connects pushes three events into every page already open: with N clients, every connect costs 3N events nobody published',
        fix: "set the log level the guide's page means to show (`app->log->level('info')`), or run it with `-m production`",
        edits: [{ find: 'app->start;', replace: "app->log->level('info');\napp->start;" }],
      },
      {
        rules: ['SSE-S02'],
        where: 'scripts/survey/targets/mojo-eventsource.pl:11-12',
        quote: '# Increase inactivity timeout for connection a bit\n$c->inactivity_timeout(300);',
        why: 'the route raises its own inactivity timeout to 300 s but sends nothing while the log is quiet; a proxy in front has a shorter one.',
        cost: 'behind a proxy that drops a connection idle for 30–60 s, a quiet stream is cut and reconnects over and over',
        fix: 'write a comment line every 15 s: `my $beat = Mojo::IOLoop->recurring(15 => sub { $c->write(": keep-alive\\n\\n") })`, removed on finish',
        edits: [{ find: '  $c->write;\n', replace: '  $c->write;\n  my $beat = Mojo::IOLoop->recurring(15 => sub { $c->write(": keep-alive\\n\\n") });\n  $c->on(finish => sub { Mojo::IOLoop->remove($beat) });\n' }],
      },
      {
        rules: ['SSE-S04'],
        where: 'scripts/survey/targets/mojo-eventsource.pl:15',
        quote: "$c->res->headers->content_type('text/event-stream');",
        why: 'the guide sets only the content type, and Mojolicious adds no Cache-Control.',
        cost: 'a cache between the client and the daemon may store or hold the response (RFC 9111 lets it, absent Cache-Control)',
        fix: "`$c->res->headers->cache_control('no-cache')` beside the content type",
        edits: [{ find: "  $c->res->headers->content_type('text/event-stream');\n", replace: "  $c->res->headers->content_type('text/event-stream');\n  $c->res->headers->cache_control('no-cache');\n" }],
      },
      {
        rules: ['SSE-S08'],
        where: 'scripts/survey/targets/mojo-eventsource.pl:16',
        quote: '$c->write;',
        why: 'the stream opens with the headers alone and never says `retry:`.',
        cost: 'after an outage every client reconnects after its own default delay, all together',
        fix: '`$c->write("retry: 3000\\n\\n")` (with a little jitter) instead of the bare `$c->write`',
        edits: [{ find: '  $c->write;\n', replace: '  $c->write("retry: " . (2500 + int(rand(1000))) . "\\n\\n");\n' }],
      },
    ],
    command: (place, _paths, port) => ({ file: 'perl', args: [join(place.dir, 'mojo-eventsource.pl'), 'daemon', '-l', `http://127.0.0.1:${port}`], cwd: place.dir, port }),
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
        cost: 'a cache between the client and Jetty may store or hold the response (RFC 9111 lets it, absent Cache-Control)',
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
        cost: 'after an outage every client reconnects after its own default delay, all together',
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
        cost: 'a cache between the client and nginx may store or hold the response (RFC 9111 lets it, absent Cache-Control)',
        fix: '`add_header Cache-Control no-cache;` in the subscriber location',
        edits: [{ find: '      nchan_subscriber;\n', replace: '      nchan_subscriber;\n      add_header Cache-Control no-cache;\n' }],
      },
      {
        rules: ['SSE-S08'],
        where: 'nchan 1.3.6 source (libnginx-mod-nchan 1:1.3.6+dfsg-2), src/subscribers/eventsource.c:31',
        quote: 'static const ngx_str_t   hello = ngx_string(": hi\\n\\n");',
        why: 'an EventSource subscriber opens with a `: hi` comment; nchan writes no `retry:` field, and no directive adds one.',
        cost: 'after an outage every client reconnects after its own default delay, all together',
        fix: 'a `retry:` in nchan\'s EventSource greeting (a directive for it); not reachable from the config',
      },
    ],
    command: (place, _paths, port) => ({ file: process.execPath, args: [join(place.dir, 'nchan.mjs')], cwd: place.dir, port }),
  },
];

/** A target by id. @throws Error naming the known ids */
export function targetById(id: string): SurveyTarget {
  const target = TARGETS.find((t) => t.id === id);
  if (target === undefined) throw new Error(`unknown target ${JSON.stringify(id)}; known: ${TARGETS.map((t) => t.id).join(', ')}`);
  return target;
}

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AREAS, EXIT_CODES, RULES, TARGET_DEFAULTS, type Rule } from 'sse-reference/conformance';
import { CONFORMANCE_RUN_BLOCKS, recordRuns, RUNS_PATH } from './conformance-runs.js';
import { replaceBlocks } from './lib/blocks.js';
import { ROOT } from './paths.js';
import { renderSurvey, type SurveyResult } from './survey/report.js';

/** Where the generated rules reference lives. */
export const DOCS_PATH = join(ROOT, 'docs/conformance.md');

/** The survey's page, rendered from its last run's results (docs/survey/results.json). */
export const SURVEY_PATH = join(ROOT, 'docs/survey.md');
const SURVEY_RESULTS = join(ROOT, 'docs/survey/results.json');
const README_PATH = join(ROOT, 'README.md');

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function ruleRow(rule: Rule): string {
  const needs = rule.needs === undefined ? '' : ` *Needs: ${cell(rule.needs)}.*`;
  return `| \`${rule.id}\` | ${rule.level} | ${cell(rule.title)}${needs} | ${cell(rule.harm)} | [${cell(rule.source)}](${rule.link}) | ${cell(rule.why)} | ${cell(rule.hint)} |`;
}

/**
 * Renders `docs/conformance.md` from the rule catalogue. Pure: the same catalogue gives the same
 * bytes, so a test can tell when the file is stale.
 */
export function renderConformanceDocs(): string {
  const areas = AREAS.map((area) => {
    const rows = RULES.filter((r) => r.area === area).map(ruleRow);
    return [`### ${area[0]?.toUpperCase()}${area.slice(1)}`, '', '| id | level | rule | harm when broken | source of the harm | why this level | how to fix |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
  });
  const must = RULES.filter((r) => r.level === 'MUST').length;
  const advice = RULES.filter((r) => r.level === 'ADVICE').length;
  return `<!-- Generated from conformance/rules.ts by \`node dist/scripts/conformance-docs.js\`. Do not edit: edit the catalogue. -->
# Conformance rules

\`sse-conformance\` checks any Server-Sent Events endpoint against ${RULES.length} rules (${must} MUST,
${RULES.length - must - advice} SHOULD, ${advice} ADVICE), over real sockets, byte by byte, as a browser's \`EventSource\` would see it.

\`\`\`sh
node dist/conformance/cli.js https://example.com/stream        # no options: what a user pointing it at a server can do
node dist/conformance/cli.js http://127.0.0.1:8080/feed --publish http://127.0.0.1:8080/publish   # the reference server: with --publish-local
\`\`\`

The package is not on npm yet: run the suite from a clone of this repository, after \`npm install\`
(which builds \`dist/\`), or with \`npm run conformance -- <url>\`.

## What the default run does
With no option at all, the suite finds what matters on a server it knows nothing about:
- first, beside the main stream, it opens four more at once: a server that serves fewer is
  reported once, by \`SSE-S12\` with its number (a hang or a \`409\` for the one over), and every
  later check holds no more streams than it serves (none at all beside the main stream on a server
  that serves one: those rules are n/a, "not judged");
- it watches the stream for \`--observe\` seconds (${TARGET_DEFAULTS.observeSeconds}), and longer, up to
  ${TARGET_DEFAULTS.watchMaxSeconds} s, while no connection has been watched for as long as the heartbeat
  rule needs; it prints a line when it does so. When traffic answers every question the run stays short;
- \`HEAD\` goes first and alone: it must get its head and no byte after it, and the server must
  serve a stream afterwards; then \`POST\` (typed \`application/json\`, with an empty body, as a
  mistaken API call sends it) and \`OPTIONS\` (without \`Origin\`), which should get a finite answer. A server that stops answering after one of them is reported by that rule, and
  the rules after it are not blamed. On a server that serves one stream at a time they wait until
  the end, when the main stream is closed, and go one by one, each followed by a fresh stream that
  must be served: \`POST\`, \`OPTIONS\`, then \`HEAD\` last, as a loop that notices a client's
  leaving only when a write fails never notices it after a \`HEAD\`;
- once the stream has shown a few ids, it reconnects with two of them and judges the next event
  (the exact next one; the same one again is a duplicate; a later one is a gap; the live head with
  no notice is a silent gap; nothing at all while the main stream gets events is a dead resume),
  sends an id of the server's own shape ahead of every id it sent (what a client holds after a
  restart: live events must keep coming), and sends unknown and malformed ids (\`abc\`, \`1e3\`,
  \`5abc\`, \`+3\`, \`-1\`, \`0x10\`…, each checked to reach a server byte for byte): each must get a
  \`200\` stream and no burst of old events, which a lenient \`parseInt\`, \`Number\` or \`stoi\`
  produces. A fresh connection may get recent history when its events carry ids (a first view);
  without ids, every reconnect would get it again. The suite itself reads an id as a number only
  when it ends in ASCII digits, and compares it only with ids of the same prefix;
- a second connection watched beside the first must see the same events under the same ids at the
  same time: ids counted per connection, or one counter shared by all, fail; and no connection the
  suite opens may make the server re-send old events into the main stream;
- last, alone, it opens streams in growing batches (1, 1, 2, 4, 8, 16) up to \`--capacity-probe\`
  (${TARGET_DEFAULTS.capacityProbe}), unless the first step found the limit. Each is served, or refused with a finite
  answer; a connection accepted with no response head within the answer wait while the others are
  open is a hang. A \`200\` stream that ends within 300 ms is a refusal only when it carried no event
  and the streams already served stay open past its end: one that ends after an event, or with the
  others (a server that ends its streams on a tick, as Sinatra's README does), was served. Then it
  closes them all and times how long a fresh stream takes to be served again.

The suite is a separate judge: its own event-stream reader (the WHATWG steps) and its own writer
for the fixtures, no code shared with the reference server it ships beside, so a bug in one cannot
hide the same bug in servers it checks.

## How to read a result
- **pass**: the rule was checked and holds. The evidence says what was seen.
- **FAIL**: the rule was checked and is broken. The evidence names the bytes (escaped, with their
  offset), the header, or the timing.
- **n/a**: the rule cannot be checked on this target, and the evidence says why (no ids to resume
  from, no \`--publish\`, no \`--capacity\`…). It is never a silent pass.
- **known** / **PASS?**: the rule is listed in the expectations file; it failed as expected, or it
  passed and should be removed from the file.

## How a rule gets its level
A rule's level is the harm a user pays when a server breaks it, and nothing else:

| level | the harm | what it does to a run |
| --- | --- | --- |
| **MUST** | a browser's \`EventSource\` stops for good, or a spec-following client loses, duplicates or corrupts events on a healthy connection | fails the run (exit \`1\`) |
| **SHOULD** | a user pays under realistic conditions (a reconnect, a server restart, a proxy or cache in front, load), and the harm fits in one sentence with its cost | fails the run with \`--strict\` |
| **ADVICE** | field practice and taste: nobody pays where no such proxy or client sits | shown on its own (\`ok\` or \`advice\`), never fails a run, not even with \`--strict\` |

Each rule below states its harm, the source of that harm (a spec section, an RFC, or the measured
behaviour of a named client, proxy or server) and why that harm puts it at its level. A loss paid
only on a reconnect is SHOULD; the same loss on a healthy connection is MUST; a reconnect that ends
the client for good (a \`4xx\` to \`Last-Event-ID\`, a resumed stream that never carries an event
again) is MUST, as \`EventSource\` stops. A harm that depends on a client or proxy is named with it
(the \`eventsource\` package, Varnish, nginx), or the rule is ADVICE.

A verdict is as careful as its level. Every time bound has a margin noise cannot cross: a time
fails only past its bound plus a quarter of it (at least 250 ms), so a first byte at 1,008 ms
against 1,000 ms passes. A rule whose probe was not exercised is n/a with the reason and the
option that would judge it, never a pass: a stream kept busy by events cannot show its heartbeat.
A probe value that HTTP normalises (whitespace around a field value, RFC 9110 §5.5) is no probe.
Before the rules that open more connections, the suite learns how many streams the server serves
at once and checks it still answers after HEAD, POST and OPTIONS: a server that serves few is
reported once, by \`SSE-S12\` with its number, and rules whose probes then got no answer say
"not judged" with that cause instead of failing for it.

## Exit codes
Stable across releases, so a CI job can branch on them:

| code | when |
| --- | --- |
${EXIT_CODES.map((e) => `| \`${e.code}\` | ${cell(e.meaning).replace(/--\w+/g, (flag) => `\`${flag}\``)} |`).join('\n')}

A failure wins over a cut run: a run that \`--deadline\` cut after a MUST rule failed exits \`1\`.
"Cannot be reached" means no HTTP answer at all on the first connection: the name does not
resolve, the connection is refused or reset, the TLS handshake fails, or the server closes it or
answers something that is not HTTP. \`SSE-M01\` fails with that error and nothing else is probed.
A server that takes the connection and stays silent is judged, not unreachable (\`SSE-S01\`).

## In CI
One plain shell step: start the server, wait for its port, run the suite with \`--junit\`, stop the
server, keep the exit code; then hand the JUnit file to the CI's test report. In GitHub Actions:

\`\`\`yaml
- run: npm ci          # builds dist/ (the prepare script): the suite runs from this clone
- name: SSE conformance
  run: |
    node dist/server.js --port 18080 & server=$!
    # Wait up to 10 s for the port (bash's /dev/tcp: no curl needed).
    for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null && break; sleep 0.2; done
    status=0
    node dist/conformance/cli.js http://127.0.0.1:18080/feed --strict --deadline 120 \\
      --expect conformance-known.json --junit conformance.xml || status=$?
    kill "$server"
    exit "$status"   # 0 pass, 1 a rule failed, 2 usage, 3 unreachable, 4 cut by --deadline
- uses: actions/upload-artifact@v4
  if: always()
  with: { name: sse-conformance, path: conformance.xml }
\`\`\`

In GitLab CI the same script goes under \`script:\` and the file under \`artifacts: reports: junit:\`.
In the JUnit file each rule is a testcase (classname: its area; name: its id and title). A MUST or
SHOULD failure is a \`<failure>\` whatever \`--strict\` says, with the evidence, the fix hint and the
spec link; ADVICE never fails (a rule not followed says so in \`<system-out>\`); n/a and a known
failure are \`<skipped>\` with the reason; an unreachable target is one testcase in \`<error>\`.

\`--only\` and \`--skip\` take rule ids and areas (\`status-and-headers\`, \`grammar-and-encoding\`,
\`ids-and-resume\`, \`heartbeat-and-timing\`, \`methods\`, \`hostile-input\`, \`limits\`), comma-separated and
repeatable; an unknown one is a usage error. A rule left out is reported n/a, "not run", and an area
with nothing left to judge is not probed at all: \`--only status-and-headers\` takes well under a
second, \`--skip limits\` leaves the capacity probe out. \`--deadline <s>\` bounds the whole run: the
watch is shortened to fit, and when the time is up probing stops, what was judged is reported, the
rest is n/a "deadline reached", and the exit code is \`4\` unless a judged rule failed. In \`--json\`
every outcome carries its evidence whole, with the rule's fix hint and link; the table shortens
long evidence to the terminal's width and prints the fix and link under each failure.

On a terminal a live line shows the watch (\`watching: 14 events, 9 ids, 0:08 of 0:20\`); in a CI
log only the progress lines per area are printed, unless \`--progress\` asks for the watch line too
(one line per change).

## Rule ids
An id is \`SSE-\` followed by the id of the rule in the project's rule list: \`M\` for MUST, \`S\` for
SHOULD, \`A\` for ADVICE, \`F\` for data fidelity, \`R\` for robustness, then a number. Ids are stable: a
rule that is retired or changes level keeps its id (\`SSE-S07\` is MUST now, \`SSE-M08\` SHOULD, and
\`SSE-S03\`, \`S05\`, \`S08\`, \`S11\`, \`S15\`, \`S16\` and \`S21\` ADVICE), and no
id is ever given to another rule. New rules take the next free number. In the code, rule ids are a
literal union: a check cannot report a rule the catalogue does not have. From one id you find its
catalogue entry (\`conformance/rules.ts\`), its check (the one file under \`conformance/checks/\` that
names it) and its failing fixtures (\`conformance/fixtures/defects.ts\`).

Adding a rule takes those three files: the entry, with its harm and (for MUST and SHOULD) its
\`cost\`, the line the [survey](survey.md) prices a defect with; the judgment, in its area's check;
and a fixture that breaks it (what a conforming server does for the rule goes into \`CORRECT\`
there as well). \`npm test\` then names the pages to refresh, and \`npm run docs:conformance -- --record\`
writes them all: this page, the README's recorded runs and the survey's page, which names the rules
newer than its run. A new area is an entry of \`AREAS\` (\`conformance/rules.ts\`) and of \`AREA_PLANS\`
(\`conformance/areas.ts\`), which says in which phase of a run its checks go.

## Describing the target
| option | default | what it does |
| --- | --- | --- |
| \`<url>\` | | the stream to check, \`http:\` or \`https:\` |
| \`--publish <url>\` | | a URL that publishes one event per \`POST\` (see the contract below); enables the round-trip rules |
| \`--observe <seconds>\` | ${TARGET_DEFAULTS.observeSeconds} | how long to watch the stream; longer, up to ${TARGET_DEFAULTS.watchMaxSeconds} s, while the heartbeat rule cannot be judged yet |
| \`--header 'Name: value'\` | | sent on every request (authorization); repeatable |
| \`--insecure\` | | accept any TLS certificate |
| \`--origin <origin>\` | | an origin the server allows cross-origin; enables \`SSE-M13\` |
| \`--capacity-probe <n>\` | ${TARGET_DEFAULTS.capacityProbe} | open up to n streams at once to find the server's limit (\`SSE-S12\`, \`SSE-S13\`); \`0\` turns the probe off |
| \`--capacity <n>\` | | streams the server accepts from one client, when known: the probe stops one past it |
| \`--heartbeat-max <ms>\` | ${TARGET_DEFAULTS.heartbeatMaxMs} | the longest idle gap accepted (\`SSE-S02\`) and the bound for a stream to be served again (\`SSE-S13\`); a verdict fails past it plus its margin (a quarter) |
| \`--latency-max <ms>\` | ${TARGET_DEFAULTS.latencyMaxMs} | the longest delay from a publish's answer to its event (\`SSE-M09\`, \`SSE-M10\`), plus its margin (a quarter, at least 250 ms) |
| \`--first-byte-max <ms>\` | ${TARGET_DEFAULTS.firstByteMaxMs} | the longest wait for the response head (\`SSE-S01\`), plus its margin (a quarter, at least 250 ms) |
| \`--timeout <ms>\` | ${TARGET_DEFAULTS.timeoutMs} | the longest single wait for an answer |
| \`--slow-reader\` | off | enables \`SSE-S14\`: publishes about 8 MiB to a client that stops reading |
| \`--expect <file>\` | | known failures (below) |
| \`--strict\` | off | a SHOULD failure fails the run too (ADVICE never does) |
| \`--json\` | off | print the report as JSON (evidence never cut; each outcome with its hint and link) |
| \`--junit <file>\` | | also write JUnit XML: one testcase per rule; a MUST or SHOULD failure fails, ADVICE never, n/a is skipped |
| \`--only <rules>\` | | judge only these rule ids or areas (comma-separated, repeatable); the rest are n/a, "not run" |
| \`--skip <rules>\` | | do not judge these rule ids or areas |
| \`--deadline <seconds>\` | | a budget for the whole run (at least 10): the watch is shortened and the capacity probe left out when it would not fit; at the deadline probing stops (exit \`4\`) |
| \`--progress\` | off | print the live watch line even when stderr is not a terminal |
| \`--version\` | | print the version |

It works on servers that emit on their own, that emit only when published to, that send no ids,
and that close after a few events (the suite reconnects as \`EventSource\` does, with
\`Last-Event-ID\`). With the default options a run takes the observe window plus a few seconds; a
stream that stays silent is watched up to ${TARGET_DEFAULTS.watchMaxSeconds} s, and a server that hangs a connection
over capacity costs one answer wait (\`--timeout\`).

### The publish contract
\`POST <publish url>\` with \`Content-Type: application/json\` and the body
\`{"data": "<string>", "event"?: "<string>"}\`, plus the \`--header\` values. Any \`2xx\` answer means
published; the event must then reach the stream at \`<url>\`. Each payload carries a random marker, so
the suite finds its events among the server's own. Payloads include leading spaces, a trailing line
break, CR, LF and CRLF, non-ASCII text, and event names with CR or LF (a server may refuse those with
a \`4xx\`, or strip them: both pass; writing them raw fails \`SSE-M07\`).

### Expectations file
A project can adopt the suite in CI before it is fully conformant:

\`\`\`json
{ "SSE-S05": { "fail": "our ingress strips X-Accel-Buffering; tracked in #123" } }
\`\`\`

A listed rule that fails is reported as **known** and does not fail the run. A listed rule that
passes is reported as **PASS?** and fails the run, so the file never hides a fix.

### In your own node:test suite
\`\`\`js
import { conformanceSuite } from 'sse-reference/conformance';
conformanceSuite({ url: 'http://127.0.0.1:8080/feed', publishUrl: 'http://127.0.0.1:8080/publish' });
\`\`\`
One test per rule: a MUST failure fails, a SHOULD or ADVICE failure is \`todo\`, n/a is skipped with its reason.
\`check(target)\` returns the same report as \`--json\`; \`check(target, { only, skip })\` selects as \`--only\` and
\`--skip\` do, \`deadlineSeconds\` in the target is \`--deadline\`, and \`formatJunit(report)\` and
\`exitCode(report)\` give what \`--junit\` writes and the exit code (\`EXIT_CODES\` lists them).

## The rules
${areas.join('\n\n')}

## HTTP/2 and CORS
Browsers speak HTTP/2 only over TLS, so the HTTP/2 rules apply to \`https:\` targets. The suite
offers \`h2, http/1.1\` in ALPN (\`SSE-S17\`); when the server picks \`h2\` it opens the stream again
over HTTP/2 with Node's client (nghttp2), as a browser would. A response carrying \`Connection\`,
\`Keep-Alive\`, \`Proxy-Connection\`, \`Transfer-Encoding\` or \`Upgrade\` is malformed (RFC 9113
§8.2.2): nghttp2 resets the stream with \`PROTOCOL_ERROR\` before handing over any header, as
Chrome does (\`ERR_HTTP2_PROTOCOL_ERROR\`), and the suite reports that reset as the \`SSE-M11\`
failure. It cannot name the field: that reset is all a browser sees too. With \`--publish\`, one
event is published while that stream is open and timed on it (\`SSE-M14\`), since a layer can
buffer HTTP/2 responses that it streams over HTTP/1.1. Every other rule is checked over HTTP/1.1.

\`SSE-M13\` and \`SSE-S23\` are checked only with \`--origin\`: the suite cannot guess which origins a
server allows. With it, the suite opens the stream with that \`Origin\` (it must get
\`Access-Control-Allow-Origin\`, never \`*\` with credentials), opens it with the origin
\`https://sse-conformance.invalid\`, which must not be echoed back (\`*\` for every origin, without
credentials, is a public stream and passes), and sends the preflight a \`fetch()\`-based client
sends before it resumes with its own \`Last-Event-ID\` (\`SSE-S23\`: it must allow \`last-event-id\`;
an \`EventSource\` never preflights).
`;
}

/** docs/survey.md as the survey's last results give it with today's catalogue (the rules newer than the run are named). */
export async function renderSurveyPage(): Promise<string> {
  return renderSurvey(JSON.parse(await readFile(SURVEY_RESULTS, 'utf8')) as SurveyResult);
}

/** README.md with its conformance runs rendered afresh from their records (the other blocks left as they are). */
export function renderReadme(readme: string): string {
  return replaceBlocks(readme, (block) => (block.kind === 'generated' ? CONFORMANCE_RUN_BLOCKS[block.ref]?.() : undefined) ?? block.body);
}

/**
 * Every page the catalogue feeds: the rules reference, the README's conformance runs and the
 * survey's page. `npm test` fails when one is stale (conformance-docs.test.ts).
 */
async function pages(): Promise<{ path: string; current: string; fresh: string }[]> {
  const read = (path: string): Promise<string> => readFile(path, 'utf8').catch(() => '');
  const readme = await read(README_PATH);
  return [
    { path: DOCS_PATH, current: await read(DOCS_PATH), fresh: renderConformanceDocs() },
    { path: README_PATH, current: readme, fresh: renderReadme(readme) },
    { path: SURVEY_PATH, current: await read(SURVEY_PATH), fresh: await renderSurveyPage() },
  ];
}

// Run directly: write the pages (with --record, after recording the README's runs again; with
// --check, exit 1 when one is stale).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--record')) {
    await writeFile(RUNS_PATH, `${JSON.stringify(await recordRuns(), null, 1)}\n`);
    process.stdout.write(`recorded ${RUNS_PATH}\n`);
  }
  for (const page of await pages()) {
    if (page.current === page.fresh) continue;
    if (process.argv.includes('--check')) {
      process.stderr.write(`${page.path} is stale: run npm run docs:conformance\n`);
      process.exitCode = 1;
    } else {
      await writeFile(page.path, page.fresh);
      process.stdout.write(`wrote ${page.path}\n`);
    }
  }
}

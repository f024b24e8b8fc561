/**
 * How much a rule matters. MUST: a browser's `EventSource` breaks, or data is lost or duplicated
 * in the client. SHOULD: measurable harm through proxies, reconnects or operators (hangs, gaps,
 * bursts, buffering). ADVICE: this project's recommendations, whose absence harms nobody where no
 * such proxy or client sits; reported on their own and never failing a run, not even `--strict`.
 */
export type RuleLevel = 'MUST' | 'SHOULD' | 'ADVICE';

/** The groups the suite runs in, in order; the CLI prints one progress line per area. */
export type RuleArea =
  | 'status and headers'
  | 'grammar and encoding'
  | 'ids and resume'
  | 'heartbeat and timing'
  | 'methods'
  | 'hostile input'
  | 'limits';

/** One entry of the catalogue, without its id (the catalogue's key). */
interface RuleEntry {
  readonly level: RuleLevel;
  readonly area: RuleArea;
  /** One line: what a conforming server does. */
  readonly title: string;
  /** One line: who is hurt, and how, when a server breaks the rule. */
  readonly harm: string;
  /** Where the rule comes from, as a short name. */
  readonly source: string;
  /** A link to that source. */
  readonly link: string;
  /** One line: how to fix a server that breaks it. */
  readonly hint: string;
  /** What the check needs from the target description to apply; without it the rule is "n/a". */
  readonly needs?: string;
}

const SPEC = 'https://html.spec.whatwg.org/multipage/server-sent-events.html';

/** The areas in the order the suite runs and reports them. */
export const AREAS: readonly RuleArea[] = [
  'status and headers',
  'grammar and encoding',
  'ids and resume',
  'heartbeat and timing',
  'methods',
  'hostile input',
  'limits',
];

/**
 * The rule catalogue: one entry per rule the suite knows, in report order, keyed by the rule's id.
 * Ids are stable and never reused, even when a rule is retired or changes level: `SSE-` then `M`
 * (MUST), `S` (SHOULD), `A` (ADVICE), `F`/`R` (fidelity/robustness) and a number. The rules
 * reference in `docs/conformance.md` is generated from it (`npm run docs:conformance`).
 */
const CATALOGUE = {
  'SSE-M01': {
    level: 'MUST',
    area: 'status and headers',
    title: 'The stream answers 200 (after redirects); any other final status makes EventSource give up for good.',
    harm: 'EventSource fires error and never reconnects: the page gets nothing until it is reloaded.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Answer the stream request with 200; use 204 only to tell a client to stop reconnecting.',
  },
  'SSE-M02': {
    level: 'MUST',
    area: 'status and headers',
    title: 'The Content-Type essence is text/event-stream (case-insensitive, parameters allowed).',
    harm: 'EventSource refuses the response and never reconnects.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Send Content-Type: text/event-stream; charset=utf-8 before the first byte of the body.',
  },
  'SSE-M09': {
    level: 'MUST',
    area: 'status and headers',
    title: 'The body streams: no Content-Length, and an event published now arrives now, not in a later batch.',
    harm: 'Events arrive late or in batches, or only when the response ends: the client is not live.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Write each event as it happens and flush it; never set Content-Length or buffer the response.',
  },
  'SSE-M10': {
    level: 'MUST',
    area: 'status and headers',
    title: 'No Content-Encoding, unless every event is flushed through the compressor and still arrives on time.',
    harm: 'A compressor that holds bytes until its buffer fills delays events for minutes.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Exclude text/event-stream from compression (send Cache-Control: no-transform), or flush the compressor after each event.',
  },
  'SSE-M11': {
    level: 'MUST',
    area: 'status and headers',
    title: 'Over HTTP/2, no connection-specific headers (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade).',
    harm: 'Browsers reset the HTTP/2 stream (ERR_HTTP2_PROTOCOL_ERROR): no event ever arrives.',
    source: 'RFC 9113 §8.2.2',
    link: 'https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2',
    hint: 'Set Connection: keep-alive only on HTTP/1.x responses; never set Transfer-Encoding by hand.',
    needs: 'an https:// target that offers h2',
  },
  'SSE-M14': {
    level: 'MUST',
    area: 'status and headers',
    title: 'Over HTTP/2 too, the body streams: an event published now arrives now, not when a buffer fills.',
    harm: 'Over HTTP/2, which every TLS browser picks, events arrive late or in batches.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Flush each event over HTTP/2 as over HTTP/1.1; turn off response buffering in the HTTP/2 layer or proxy in front.',
    needs: 'an https:// target that offers h2, and --publish <url>',
  },
  'SSE-M13': {
    level: 'MUST',
    area: 'status and headers',
    title: 'A server that allows other origins sends Access-Control-Allow-Origin, allows last-event-id in the preflight, never pairs * with credentials, and does not echo an origin it does not allow.',
    harm: 'A cross-origin EventSource fails, or a reconnect\'s preflight fails, or another site reads a user\'s stream.',
    source: 'Fetch §3.2 CORS protocol',
    link: 'https://fetch.spec.whatwg.org/#http-cors-protocol',
    hint: 'Echo only allow-listed origins (no Access-Control-Allow-Origin for others), answer OPTIONS with Access-Control-Allow-Headers: last-event-id, and never send * with credentials.',
    needs: '--origin <origin> the server allows',
  },
  'SSE-S04': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'Cache-Control says no-cache (or no-store).',
    harm: 'A cache between client and server may store the stream and replay it to others.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Send Cache-Control: no-cache on the stream.',
  },
  'SSE-A01': {
    level: 'ADVICE',
    area: 'status and headers',
    title: 'Cache-Control also says no-transform, so compressing middleware leaves the stream alone.',
    harm: 'Where a compressing proxy or middleware sits, it may hold events in its buffer; harmless elsewhere.',
    source: 'RFC 9111 §5.2.2.6 no-transform',
    link: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.6',
    hint: 'Send Cache-Control: no-cache, no-transform on the stream.',
  },
  'SSE-S05': {
    level: 'ADVICE',
    area: 'status and headers',
    title: 'X-Accel-Buffering: no, so nginx-style proxies do not buffer the stream.',
    harm: 'Behind nginx (proxy_buffering on) events wait in the proxy\'s buffer; harmless where no such proxy sits.',
    source: 'field practice (nginx proxy_buffering)',
    link: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering',
    hint: 'Send X-Accel-Buffering: no on the stream.',
  },
  'SSE-S06': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'The media type is written in lowercase: some clients compare it case-sensitively.',
    harm: 'Clients that compare the media type case-sensitively refuse the stream.',
    source: 'field practice',
    link: `${SPEC}#sse-processing-model`,
    hint: 'Write text/event-stream exactly, in lowercase.',
  },
  'SSE-S15': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'Any Accept (text/event-stream, */*, none) is served a stream; nothing is answered 406.',
    harm: 'A client that sends another Accept (or none) gets 406 and, being refused, never reconnects.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Do not negotiate on Accept for the stream path, or accept */* and a missing header.',
  },
  'SSE-S17': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'HTTP/2 is offered over TLS (browsers allow about 6 HTTP/1.1 connections per origin).',
    harm: 'Over HTTP/1.1 a browser allows about 6 connections per origin: the 7th tab stalls silently.',
    source: 'field practice (RFC 9113)',
    link: 'https://www.rfc-editor.org/rfc/rfc9113',
    hint: 'Offer h2 in ALPN (directly or at the proxy in front of the server).',
    needs: 'an https:// target',
  },
  'SSE-M03': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'The body is valid UTF-8 (bad bytes become U+FFFD at the client: the data changes).',
    harm: 'Bad bytes become U+FFFD in the client: the data changes.',
    source: 'HTML §9.2.5 parsing an event stream',
    link: `${SPEC}#parsing-an-event-stream`,
    hint: 'Encode every string as UTF-8; never write latin1 or cut a multi-byte character.',
  },
  'SSE-M04': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Every event ends with an empty line: a trailing incomplete event is discarded, a hanging one is late.',
    harm: 'An unended event is thrown away when the stream ends, or dispatched late.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'End every event with a blank line (\\n\\n) in the same write as its fields.',
  },
  'SSE-M05': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Every non-empty line is a comment or a field named data, event, id or retry (case-sensitive, not indented).',
    harm: 'A misspelled, capitalised or indented field is ignored: what it carried is lost.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write field names in lowercase at the start of the line; anything else is ignored by clients.',
  },
  'SSE-M06': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'A payload with line breaks is sent as one data: line per payload line, split on CR, LF and CRLF.',
    harm: 'A line break the client does not see as one (a lone CR) corrupts the payload or injects fields.',
    source: 'HTML §9.2.5 parsing an event stream',
    link: `${SPEC}#parsing-an-event-stream`,
    hint: 'Split data on /\\r\\n|\\r|\\n/ and prefix each part with "data: ".',
    needs: '--publish <url>',
  },
  'SSE-M07': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'No CR or LF in id, event, retry or comment values (field injection), and no NULL in an id.',
    harm: 'An attacker-controlled value adds fields or events to the stream; an id with NULL never advances.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Refuse (or strip) CR, LF in event names, ids and comments, and NULL in ids, before writing.',
  },
  'SSE-M08': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'A retry value is ASCII digits only (no spaces inside, sign, decimals or units).',
    harm: 'The retry value is ignored: the client keeps its default reconnect delay.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write retry: followed by an integer number of milliseconds and nothing else.',
  },
  'SSE-F1': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Published data round-trips exactly: a leading space, a trailing line break, any Unicode text.',
    harm: 'The client receives different data than was published (a lost leading space or line break).',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Always write "data: " with the space, and a final empty data: line for a payload ending in a line break.',
    needs: '--publish <url>',
  },
  'SSE-S07': {
    level: 'SHOULD',
    area: 'grammar and encoding',
    title: 'No byte order mark, or exactly one at byte 0 (a later one becomes part of a field name).',
    harm: 'A BOM after the first byte becomes part of a field name: that field is lost.',
    source: 'HTML §9.2.5 parsing an event stream',
    link: `${SPEC}#parsing-an-event-stream`,
    hint: 'Do not write U+FEFF; if you must, write it once as the very first byte.',
  },
  'SSE-S03': {
    level: 'SHOULD',
    area: 'grammar and encoding',
    title: 'Heartbeat comments are whole blocks between events, never inside an event.',
    harm: 'A comment inside an event delays nothing but shows a server that writes heartbeats mid-event, which can split one under load.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Write heartbeats as ": ...\\n\\n" and only between complete events.',
  },
  'SSE-M12': {
    level: 'MUST',
    area: 'ids and resume',
    title: 'A reconnect with any Last-Event-ID (known, unknown, non-numeric, 255 bytes, non-ASCII) gets 200 and a stream.',
    harm: 'A reconnect that gets 4xx/5xx makes EventSource give up for good, so one odd id kills the client.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Never answer an unusable Last-Event-ID with 4xx/5xx: start the stream and say so in-band.',
  },
  'SSE-S09': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Ids are unique and increasing within a stream, at most 128 bytes, of CORS-safe ASCII.',
    harm: 'Ids that repeat, go back, or need a preflight make resume lose or repeat events.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Use ids like <boot epoch>-<sequence>: short, ASCII, increasing, never reused after a restart.',
    needs: 'a stream that sends ids',
  },
  'SSE-S10': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Resume is exact: after Last-Event-ID X the first event is the one after X (no duplicate, no gap, not the live head).',
    harm: 'After a reconnect the client sees an event twice, or silently misses some.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Keep a replay buffer and send every retained event after X before going live, in one step.',
    needs: 'an event stream whose events carry ids',
  },
  'SSE-S11': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'An unknown or malformed Last-Event-ID is reported in-band, with one named event, before the stream goes on.',
    harm: 'Without a notice a client cannot tell that it missed events and must refetch state.',
    source: 'project rule (no silent loss)',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Start such a stream with a named event (e.g. event: reset) whose data says why, and whose id is the current head.',
    needs: 'a stream that sends ids',
  },
  'SSE-S19': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'A fresh connection, or a Last-Event-ID the server cannot place (unknown, "abc", "1e3", "5abc", " 7", "+3", "-1", "0x10"), gets no burst of old events.',
    harm: 'A lenient id parser (parseInt, Number, stoi) replays history the client never asked for: a flood of duplicates.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Parse Last-Event-ID with a strict grammar; replay only after an id you issued and still hold, never from a number read out of junk.',
    needs: 'a stream that sends events',
  },
  'SSE-S20': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Ids name events, not connections: two connections see the same event with the same id, and one connection does not shift the ids of another.',
    harm: 'Ids counted per connection, or by one counter shared by all, leave holes or name different events: resume skips or repeats.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Give each published event one id when it is published (e.g. <epoch>-<seq>), and send that same id to every connection.',
    needs: 'a stream that sends ids',
  },
  'SSE-S08': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'A retry: hint of at least 1000 ms comes no later than the first event of each connection (in the same write counts).',
    harm: 'Without an early hint clients reconnect at their default (about 3 s) and all at once after an outage.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write retry: <ms> (jittered per connection) as the first bytes of every stream.',
  },
  'SSE-A02': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'The retry: hint is jittered per connection, so reconnects after an outage spread out.',
    harm: 'After a restart every client comes back in the same millisecond; harmless for small audiences.',
    source: 'field practice (thundering herd)',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write retry: base ± 20 % (a random value per connection).',
    needs: 'two connections that send retry:',
  },
  'SSE-S01': {
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'Headers and a first byte arrive within about a second, even when no event is due.',
    harm: 'Clients and proxies wait with no sign of life; some time out before the first event.',
    source: 'field practice',
    link: `${SPEC}#authoring-notes`,
    hint: 'Flush the headers with a first write (a retry: hint or a comment) as soon as the stream opens.',
  },
  'SSE-S02': {
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'Idle gaps stay under about 15 s (a comment heartbeat), or proxies drop the connection.',
    harm: 'Proxies and load balancers drop connections idle for 30–60 s; clients reconnect and may miss events.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Write a comment line (": heartbeat\\n\\n") whenever the stream has been idle for 15 s.',
  },
  'SSE-S16': {
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'A stream that ends, ends cleanly: a chunked body gets its terminating chunk.',
    harm: 'An unclean end looks like a network error to proxies and clients; the last bytes may be lost.',
    source: 'RFC 9112 §7.1 chunked transfer coding',
    link: 'https://www.rfc-editor.org/rfc/rfc9112#section-7.1',
    hint: 'End the response (res.end()) instead of destroying the socket.',
    needs: 'a stream that ends while observed',
  },
  'SSE-S18': {
    level: 'SHOULD',
    area: 'methods',
    title: 'HEAD on the stream path answers its headers and ends, instead of hanging.',
    harm: 'Health checks and tools that send HEAD hang and hold a connection each.',
    source: 'RFC 9110 §9.3.2 HEAD',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-9.3.2',
    hint: 'Answer HEAD with the stream headers and end the response at once (Node holds headers until end()).',
  },
  'SSE-S21': {
    level: 'SHOULD',
    area: 'methods',
    title: 'POST and OPTIONS (without Origin) on the stream path get a finite answer (405 with Allow is best), never a stream.',
    harm: 'Crawlers, health checks and mistaken clients that POST or OPTIONS hold an open stream each; a server can be filled that way.',
    source: 'RFC 9110 §15.5.6 405 Method Not Allowed',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6',
    hint: 'Route the stream on GET (and HEAD) only; answer other methods 405 with an Allow header.',
  },
  'SSE-R1': {
    level: 'SHOULD',
    area: 'hostile input',
    title: 'Hostile Last-Event-ID values (duplicated, control bytes, oversized) never get a 5xx or a hang, and the server lives on.',
    harm: 'One odd header brings a 5xx (EventSource gives up), a hang, or takes the server down.',
    source: 'project rule (robustness)',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Parse Last-Event-ID with a strict grammar and a length cap; treat anything else as invalid, not as an error.',
  },
  'SSE-S12': {
    level: 'SHOULD',
    area: 'limits',
    title: 'Over capacity the server still answers at once (no hang), so the client backs off and returns: 200 + retry: + end. A 429 or 503 makes EventSource give up for good.',
    harm: 'Over capacity, a hang holds the browser\'s connection with no answer and no retry; 429/503 stop EventSource for good.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Answer every accepted connection at once: refuse an extra stream with 200, a jittered retry: hint and the end of the response.',
    needs: 'a limit reached within --capacity-probe streams (32)',
  },
  'SSE-S13': {
    level: 'SHOULD',
    area: 'limits',
    title: 'Once clients leave, a fresh stream is served again within about one heartbeat.',
    harm: 'Slots held by clients that left lock new clients out.',
    source: 'field practice',
    link: `${SPEC}#authoring-notes`,
    hint: 'Release the slot on the response\'s \'close\' event, once; never let a worker pool hold a dead client.',
    needs: 'a limit reached within --capacity-probe streams (32)',
  },
  'SSE-S14': {
    level: 'SHOULD',
    area: 'limits',
    title: 'A reader that stops reading is cut after a bounded amount of queued bytes, not buffered forever.',
    harm: 'One client that stops reading grows the server\'s memory without bound.',
    source: 'field practice',
    link: 'https://nodejs.org/docs/latest-v20.x/api/stream.html#writablewritechunk-encoding-callback',
    hint: "Check res.writableLength before each write and destroy the response past a budget; arm a timer when write() returns false.",
    needs: '--publish <url> and --slow-reader',
  },
} as const satisfies Record<string, RuleEntry>;

/** Every rule id, as a literal type: a check cannot report a rule that does not exist. */
export type RuleId = keyof typeof CATALOGUE;

/** One entry of the catalogue. Ids are stable and never reused, even when a rule is retired. */
export interface Rule extends RuleEntry {
  readonly id: RuleId;
}

/** The catalogue as a list, in report order. */
export const RULES: readonly Rule[] = Object.entries(CATALOGUE).map(([id, entry]) => ({ id: id as RuleId, ...entry }));

/** Whether a string is the id of a rule. */
export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(CATALOGUE, id);
}

/**
 * Looks a rule up by id.
 *
 * @throws RangeError when no rule has that id
 */
export function ruleById(id: string): Rule {
  const rule = RULES.find((r) => r.id === id);
  if (rule === undefined) throw new RangeError(`No rule ${JSON.stringify(id)}; run with --list for the ids.`);
  return rule;
}

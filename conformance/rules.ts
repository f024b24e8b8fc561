/**
 * How much a rule matters, from the harm when it is broken (the rubric of `docs/conformance.md`).
 * MUST: a browser's `EventSource` stops for good, or a spec-following client loses, duplicates or
 * corrupts events. SHOULD: a user pays under realistic conditions (a reconnect, a proxy, load), and
 * the harm fits in one sentence with its cost. ADVICE: field practice and taste; reported on its
 * own and never failing a run, not even `--strict`.
 */
export type RuleLevel = 'MUST' | 'SHOULD' | 'ADVICE';

/** The fields of a catalogue entry every level has, without its id (the catalogue's key). */
interface RuleFields {
  readonly area: RuleArea;
  /** One line: what a conforming server does. */
  readonly title: string;
  /** One line: who is hurt, and how, when a server breaks the rule. */
  readonly harm: string;
  /** Where that harm is established: a spec section, an RFC, or the measured behaviour of a named client or proxy. */
  readonly source: string;
  /** A link to that source. */
  readonly link: string;
  /** One line: why the harm puts the rule at its level (see the rubric). */
  readonly why: string;
  /** One line: how to fix a server that breaks it. */
  readonly hint: string;
  /** What the check needs from the target description to apply; without it the rule is "n/a". */
  readonly needs?: string;
}

/**
 * One entry of the catalogue, without its id. A rule that can fail a run (MUST, SHOULD) also has
 * its `cost`: what a failure costs a user, in a few words, as the survey prices each defect it
 * finds (docs/survey.md); ADVICE never fails a run and may go unpriced (the survey shows its title).
 */
type RuleEntry = RuleFields &
  ({ readonly level: 'MUST' | 'SHOULD'; readonly cost: string } | { readonly level: 'ADVICE'; readonly cost?: string });

const SPEC = 'https://html.spec.whatwg.org/multipage/server-sent-events.html';

/**
 * The groups of rules, in the order the suite reports them; the CLI prints one progress line per
 * area. How each is probed and judged, and in which phase of a run, is `AREA_PLANS` (areas.ts).
 */
export const AREAS = ['status and headers', 'grammar and encoding', 'ids and resume', 'heartbeat and timing', 'methods', 'hostile input', 'limits'] as const;

/** One group of rules (see {@link AREAS}). */
export type RuleArea = (typeof AREAS)[number];

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
    harm: 'EventSource fails the connection and never reconnects: the page gets nothing more unless its own code creates a new EventSource.',
    cost: 'EventSource gives up for good on any status but 200: the page stops updating.',
    source: 'HTML §9.2.3 processing model (fail the connection)',
    link: `${SPEC}#sse-processing-model`,
    why: 'EventSource stops for good.',
    hint: 'Answer the stream request with 200; use 204 only to tell a client to stop reconnecting.',
  },
  'SSE-M02': {
    level: 'MUST',
    area: 'status and headers',
    title: 'The Content-Type essence is text/event-stream (case-insensitive, parameters allowed).',
    harm: 'EventSource fails the connection and never reconnects.',
    cost: 'EventSource refuses the stream: nothing is ever delivered.',
    source: 'HTML §9.2.3 processing model (fail the connection)',
    link: `${SPEC}#sse-processing-model`,
    why: 'EventSource stops for good.',
    hint: 'Send Content-Type: text/event-stream; charset=utf-8 before the first byte of the body.',
  },
  'SSE-M09': {
    level: 'MUST',
    area: 'status and headers',
    title: 'An event published now arrives now, not when a buffer fills or the response ends.',
    harm: 'Events wait in a buffer: on a quiet stream they never reach the client while it is connected, and what the buffer holds when the connection drops is lost.',
    cost: 'events wait in a buffer: late, in batches, or only when the stream ends.',
    source: 'HTML §9.2.6 interpretation (an event is dispatched when its blank line arrives)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'A spec-following client does not get the events: lost, or late without bound.',
    hint: 'Write each event as it happens and flush it; turn off output buffering in every layer (framework, FastCGI, proxy).',
    needs: '--publish <url>, to time an event from its publish',
  },
  'SSE-S22': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'An open-ended stream has no Content-Length.',
    harm: 'The response is over once the declared length is reached: the stream ends there, and what the server writes past it never arrives (Node refuses to write it).',
    cost: 'the stream ends once its Content-Length is reached; what is written past it never arrives.',
    source: 'RFC 9112 §6.3 message body length',
    link: 'https://www.rfc-editor.org/rfc/rfc9112#section-6.3',
    why: 'Paid when the length is reached: a reconnect, and the events written past it are lost unless resumed.',
    hint: 'Never set Content-Length on a stream; let the server use chunked transfer coding (HTTP/1.1) or DATA frames (HTTP/2).',
  },
  'SSE-M10': {
    level: 'MUST',
    area: 'status and headers',
    title: 'No Content-Encoding, unless every event is flushed through the compressor and still arrives on time.',
    harm: 'A compressor that holds bytes until its buffer fills holds events with them: on a quiet stream they never arrive while the client is connected.',
    cost: 'a compressor holds events back until its buffer fills.',
    source: 'field practice (gzip/deflate middleware without a flush per event)',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-8.4.1',
    why: 'As SSE-M09: the client does not get the events.',
    hint: 'Exclude text/event-stream from compression (send Cache-Control: no-transform), or flush the compressor after each event.',
    needs: '--publish <url>, when the body is compressed',
  },
  'SSE-M11': {
    level: 'MUST',
    area: 'status and headers',
    title: 'Over HTTP/2, no connection-specific headers (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade).',
    harm: 'Browsers reset the HTTP/2 stream (Chrome: ERR_HTTP2_PROTOCOL_ERROR): no event ever arrives.',
    cost: 'Safari drops the HTTP/2 stream.',
    source: 'RFC 9113 §8.2.2 (a malformed response); nghttp2 and Chrome reset the stream',
    link: 'https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2',
    why: 'No browser over HTTP/2 ever gets an event.',
    hint: 'Set Connection: keep-alive only on HTTP/1.x responses; never set Transfer-Encoding by hand.',
    needs: 'an https:// target that offers h2',
  },
  'SSE-M14': {
    level: 'MUST',
    area: 'status and headers',
    title: 'Over HTTP/2 too, an event published now arrives now, not when a buffer fills.',
    harm: 'Over HTTP/2, which every TLS browser picks, events wait in a buffer: on a quiet stream they never arrive while the client is connected.',
    cost: 'over HTTP/2, events wait for a buffer to fill.',
    source: 'HTML §9.2.6 interpretation (an event is dispatched when its blank line arrives)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'As SSE-M09, for every browser over TLS.',
    hint: 'Flush each event over HTTP/2 as over HTTP/1.1; turn off response buffering in the HTTP/2 layer or proxy in front.',
    needs: 'an https:// target that offers h2, and --publish <url>',
  },
  'SSE-M13': {
    level: 'MUST',
    area: 'status and headers',
    title: 'A server that allows other origins sends Access-Control-Allow-Origin, never pairs * with credentials, and does not echo an origin it does not allow.',
    harm: 'Without the header, or with * and credentials, a cross-origin EventSource fails for good; an echoed origin lets any site read a user\'s stream.',
    cost: 'pages on other origins cannot connect or reconnect.',
    source: 'Fetch §3.2 CORS protocol (a failed CORS check is a network error that fails the EventSource)',
    link: 'https://fetch.spec.whatwg.org/#http-cors-protocol',
    why: 'A cross-origin EventSource stops for good; an echo is a leak, graver than a loss.',
    hint: 'Echo only allow-listed origins (no Access-Control-Allow-Origin for others), and never send * with credentials.',
    needs: '--origin <origin> the server allows',
  },
  'SSE-S23': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'A server that allows other origins allows last-event-id in its CORS preflight.',
    harm: 'A fetch()-based client (e.g. @microsoft/fetch-event-source) that resumes cross-origin is preflighted for its Last-Event-ID; refused, its reconnect fails. An EventSource never preflights.',
    cost: 'a fetch()-based client that resumes cross-origin is refused at its preflight.',
    source: 'Fetch §4.1 main fetch (a non-safelisted request header needs a preflight; whatwg/fetch#1788)',
    link: 'https://fetch.spec.whatwg.org/#main-fetch',
    why: 'Paid on a reconnect, by fetch()-based clients only.',
    hint: 'Answer the preflight (OPTIONS with Access-Control-Request-Headers) with Access-Control-Allow-Headers: last-event-id.',
    needs: '--origin <origin> the server allows',
  },
  'SSE-S04': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'Cache-Control says no-cache (or no-store).',
    harm: 'A shared cache stores the stream and hands it to the next clients from its start: they get another client\'s old events, then live ones.',
    cost: 'a shared cache (Varnish by default) hands the stream to the next clients from its start: another client\'s old events.',
    source: 'measured: Varnish 7.1 (Debian 12), default configuration, serves a second client the first one\'s stream from its start (RFC 9111 §4.2.2 heuristic freshness)',
    link: 'https://www.rfc-editor.org/rfc/rfc9111#section-4.2.2',
    why: 'Paid behind a caching proxy or CDN (Varnish, Fastly): duplicates and another client\'s events.',
    hint: 'Send Cache-Control: no-cache on the stream.',
  },
  'SSE-A01': {
    level: 'ADVICE',
    area: 'status and headers',
    title: 'Cache-Control also says no-transform, so compressing middleware leaves the stream alone.',
    harm: 'Where a compressing proxy or middleware sits, it may hold events in its buffer; harmless elsewhere.',
    source: 'RFC 9111 §5.2.2.6 no-transform',
    link: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.6',
    why: 'Field practice: the harm needs a compressing layer that honours the directive.',
    hint: 'Send Cache-Control: no-cache, no-transform on the stream.',
  },
  'SSE-S05': {
    level: 'ADVICE',
    area: 'status and headers',
    title: 'X-Accel-Buffering: no, so nginx-style proxies do not buffer the stream.',
    harm: 'Behind nginx (proxy_buffering on) events wait in the proxy\'s buffer; harmless where no such proxy sits.',
    cost: 'nginx-style proxies buffer the stream: events arrive in batches.',
    source: 'nginx proxy_buffering (the header turns it off per response)',
    link: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering',
    why: 'Field practice: the operator of the proxy can turn buffering off instead.',
    hint: 'Send X-Accel-Buffering: no on the stream.',
  },
  'SSE-S06': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'The media type is written in lowercase.',
    harm: 'The eventsource package for Node (3.x) compares it with startsWith("text/event-stream") and fails the connection for good; browsers do not mind.',
    cost: 'the eventsource package for Node compares the media type case-sensitively and gives up for good.',
    source: 'measured: eventsource 3.0.7 (npm), dist/index.js',
    link: 'https://www.npmjs.com/package/eventsource',
    why: 'A named, widely used client stops for good; no browser does.',
    hint: 'Write text/event-stream exactly, in lowercase.',
  },
  'SSE-S15': {
    level: 'ADVICE',
    area: 'status and headers',
    title: 'Any Accept (text/event-stream, */*, none) is served a stream.',
    harm: 'curl and hand-written clients that send another Accept (or none) get no stream; every EventSource, the eventsource package and fetch-event-source send Accept: text/event-stream.',
    cost: 'a client that sends another Accept (or none) gets no stream.',
    source: 'HTML §9.2.3 processing model (EventSource sends Accept: text/event-stream)',
    link: `${SPEC}#sse-processing-model`,
    why: 'No SSE client is hurt; some protocols rightly require the header.',
    hint: 'Do not negotiate on Accept for the stream path, or accept */* and a missing header.',
  },
  'SSE-S17': {
    level: 'SHOULD',
    area: 'status and headers',
    title: 'HTTP/2 is offered over TLS.',
    harm: 'Over HTTP/1.1 a browser opens at most 6 connections per origin: with six tabs open, the seventh page\'s EventSource waits with no error.',
    cost: 'over HTTP/1.1 a seventh tab stalls silently.',
    source: 'HTML §9.2.7 authoring notes (per-server connection limit); Chromium and Firefox allow 6 per host',
    link: `${SPEC}#authoring-notes`,
    why: 'Paid by users with many tabs open on the site.',
    hint: 'Offer h2 in ALPN (directly or at the proxy in front of the server).',
    needs: 'an https:// target',
  },
  'SSE-M03': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'The body is valid UTF-8.',
    harm: 'Bad bytes become U+FFFD in the client: the data changes.',
    cost: 'bad bytes become U+FFFD: the application gets different data.',
    source: 'HTML §9.2.5 parsing an event stream (UTF-8 decode)',
    link: `${SPEC}#parsing-an-event-stream`,
    why: 'A spec-following client gets corrupted data.',
    hint: 'Encode every string as UTF-8; never write latin1 or cut a multi-byte character.',
  },
  'SSE-M04': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Every event ends with an empty line, in the same write: a trailing incomplete event is discarded, a hanging one is late.',
    harm: 'An unended event is thrown away when the stream ends, or dispatched only when its blank line finally comes.',
    cost: 'the last event is held back or dropped.',
    source: 'HTML §9.2.6 interpretation (an incomplete event at the end is discarded)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'A spec-following client loses the event, or gets it late without bound.',
    hint: 'End every event with a blank line (\\n\\n) in the same write as its fields.',
  },
  'SSE-M05': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'No near miss of a field name: data, event, id and retry are written in lowercase, not indented, with no space before the colon.',
    harm: 'A field written "Data:", " data:" or "data :" is ignored by every client: what it carried is lost. Other unknown fields are the format\'s extension point and harmless.',
    cost: 'a misspelled field silently drops what it carried.',
    source: 'HTML §9.2.6 interpretation (a field with another name is ignored)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'A spec-following client loses what the server meant to send.',
    hint: 'Write field names in lowercase at the start of the line, the colon right after the name.',
  },
  'SSE-M06': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'A payload with line breaks is sent as one data: line per payload line, split on CR, LF and CRLF.',
    harm: 'A line break the client does not see as one (a lone CR) corrupts the payload or injects fields.',
    cost: 'multi-line data arrives cut or merged.',
    source: 'HTML §9.2.5 parsing an event stream (CR, LF and CRLF end a line)',
    link: `${SPEC}#parsing-an-event-stream`,
    why: 'A spec-following client gets corrupted data.',
    hint: 'Split data on /\\r\\n|\\r|\\n/ and prefix each part with "data: ".',
    needs: '--publish <url>',
  },
  'SSE-M07': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'No CR or LF in id, event, retry or comment values (field injection), and no NULL in an id.',
    harm: 'An attacker-controlled value adds fields or events to the stream; an id with NULL is ignored, so resume goes back to an older id.',
    cost: 'field injection: a value can forge events or ids.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'A spec-following client gets forged or corrupted events.',
    hint: 'Refuse (or strip) CR, LF in event names, ids and comments, and NULL in ids, before writing.',
  },
  'SSE-M08': {
    level: 'SHOULD',
    area: 'grammar and encoding',
    title: 'Every retry: value is a whole number of milliseconds (digits only), at least 1000.',
    harm: 'A value with anything but digits is ignored (clients keep their default: 3 s in Chromium, 5 s in Firefox); under 1000 ms, every client comes back several times a second while the server is down.',
    cost: 'the retry hint is ignored (clients come back at their default pace), or is so short that every client comes back several times a second during an outage.',
    source: 'HTML §9.2.6 interpretation (retry: digits only); Chromium and Firefox retry at the hint, with no back-off',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'Paid during reconnects: the server\'s pace is lost, or a storm of reconnects.',
    hint: 'Write retry: followed by an integer number of milliseconds (1000 or more) and nothing else.',
  },
  'SSE-F1': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Published data round-trips exactly: a leading space, a trailing line break, any Unicode text.',
    harm: 'The client receives different data than was published (a lost leading space or line break).',
    cost: 'the application gets different data than was published.',
    source: 'HTML §9.2.6 interpretation (one space after the colon is removed)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'A spec-following client gets corrupted data.',
    hint: 'Always write "data: " with the space, and a final empty data: line for a payload ending in a line break.',
    needs: '--publish <url>',
  },
  'SSE-S07': {
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'No byte order mark, or exactly one at byte 0 of a response.',
    harm: 'A BOM anywhere else becomes part of the next field name: that field is ignored, and the data it carried is lost.',
    cost: 'a stray BOM corrupts a field name: what it carried is lost.',
    source: 'HTML §9.2.5 parsing an event stream (only a leading BOM is stripped)',
    link: `${SPEC}#parsing-an-event-stream`,
    why: 'A spec-following client loses data on a healthy connection.',
    hint: 'Do not write U+FEFF; if you must, write it once as the very first byte.',
  },
  'SSE-S03': {
    level: 'ADVICE',
    area: 'grammar and encoding',
    title: 'Heartbeat comments are whole blocks between events, never inside an event.',
    harm: 'None for the client, which ignores a comment anywhere; a comment inside an event shows an event written in parts, which SSE-M04 times.',
    cost: 'a heartbeat inside an event corrupts it.',
    source: 'HTML §9.2.6 interpretation (a comment line is ignored)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'Taste: no client is hurt by the comment itself.',
    hint: 'Write heartbeats as ": ...\\n\\n" and only between complete events.',
  },
  'SSE-M12': {
    level: 'MUST',
    area: 'ids and resume',
    title: 'A reconnect with any Last-Event-ID (known, unknown, non-numeric, 255 bytes, non-ASCII) gets 200 and a stream.',
    harm: 'A reconnect that gets 4xx/5xx makes EventSource give up for good, so one odd id ends the page\'s updates.',
    cost: 'a reconnecting client gets an error and gives up for good: one network blip ends the page\'s updates.',
    source: 'HTML §9.2.3 processing model (fail the connection)',
    link: `${SPEC}#sse-processing-model`,
    why: 'EventSource stops for good after an ordinary reconnect.',
    hint: 'Never answer an unusable Last-Event-ID with 4xx/5xx: start the stream and say so in-band.',
  },
  'SSE-M15': {
    level: 'MUST',
    area: 'ids and resume',
    title: 'A reconnect with a Last-Event-ID the stream just sent gets events again, not only keep-alives.',
    harm: 'The resumed stream stays open and delivers nothing while others get events: the client looks connected and is dead for good (EventSource has no reason to reconnect).',
    cost: 'after a reconnect the client stays connected and gets nothing, for good.',
    source: 'HTML §9.2.4 the Last-Event-ID header (the reconnect of every EventSource carries it)',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'After an ordinary reconnect EventSource gets nothing more, for good.',
    hint: 'After replaying what follows the id (or nothing), subscribe the connection to live events as for a fresh one.',
    needs: 'a stream whose events carry ids',
  },
  'SSE-S09': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Ids are unique within a stream, and ids numbered with one prefix never go back.',
    harm: 'After a reconnect from an id that repeats or goes back, the server cannot place the client: resume loses or repeats events.',
    cost: 'ids that repeat or go backwards make Last-Event-ID meaningless: resume loses or repeats events.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Paid on a reconnect: lost or repeated events.',
    hint: 'Use ids like <boot epoch>-<sequence>: increasing, never reused after a restart.',
    needs: 'a stream that sends ids',
  },
  'SSE-A03': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'Ids are short printable ASCII: at most 128 bytes of CORS-safelisted characters.',
    harm: 'A non-ASCII id comes back in Last-Event-ID as UTF-8 bytes that Node and ASGI servers hand over as latin1, so resume compares the wrong string; length and characters would spare fetch()-based clients a preflight if whatwg/fetch#1788 lands.',
    source: 'measured: Node 20 http hands a UTF-8 header value over as latin1; whatwg/fetch#1788',
    link: 'https://github.com/whatwg/fetch/issues/1788',
    why: 'No harm today for ASCII ids of any length; the rest is forward-looking.',
    hint: 'Use ids like <boot epoch>-<sequence>: short and ASCII.',
    needs: 'a stream that sends ids',
  },
  'SSE-S10': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Resume is exact: after Last-Event-ID X the first event is the one after X (no duplicate, no gap, not the live head).',
    harm: 'After a reconnect the client sees an event twice, or silently misses some.',
    cost: 'after a reconnect the client gets duplicates or silently misses events.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Paid on every reconnect: lost or repeated events.',
    hint: 'Keep a replay buffer and send every retained event after X before going live, in one step.',
    needs: 'an event stream whose events carry ids',
  },
  'SSE-S24': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'A Last-Event-ID of the server\'s own shape, ahead of every id it has sent, still gets live events.',
    harm: 'A client that holds an id from before a restart hears nothing until the server\'s counter passes that id: minutes or days of lost events.',
    cost: 'after a server restart, clients hear nothing until the counter passes their id.',
    source: 'HTML §9.2.4 the Last-Event-ID header (a client keeps its id across a server restart)',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Paid after a server restart, by every client connected then.',
    hint: 'Treat an id you never issued as unknown: start the stream live (with a reset notice), never wait for the counter to reach it.',
    needs: 'a stream that sends ids',
  },
  'SSE-S11': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'An unknown or malformed Last-Event-ID is reported in-band, with one named event, before the stream goes on.',
    harm: 'Without a notice a client cannot tell that it missed events and must refetch state.',
    cost: 'a client whose id is unknown resumes silently with a gap it cannot see.',
    source: 'project rule (no silent loss)',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Practice: the loss itself is judged by SSE-S10 and SSE-S24.',
    hint: 'Start such a stream with a named event (e.g. event: reset) whose data says why, and whose id is the current head.',
    needs: 'a stream that sends ids',
  },
  'SSE-S19': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'A Last-Event-ID the server cannot place (unknown, "abc", "1e3", "5abc", "+3", "-1", "0x10"…) gets no burst of old events, nor does a fresh connection to a stream without ids.',
    harm: 'A lenient id parser (parseInt, Number, stoi) replays history the client already had, and a stream without ids replays it on every reconnect: duplicates.',
    cost: 'an id the server cannot place (or none) replays old events: the client handles them twice.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Paid on a reconnect: events handled twice.',
    hint: 'Parse Last-Event-ID with a strict grammar; replay only after an id you issued and still hold; give history to a fresh connection only with ids.',
    needs: 'a stream that sends events',
  },
  'SSE-S20': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Ids name events, not connections: two connections see the same event with the same id, and one connection does not shift the ids of another.',
    harm: 'Ids counted per connection, or by one counter shared by all, leave holes or name different events: resume skips or repeats.',
    cost: 'ids name connections, not events: a resume skips or repeats events.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Paid on a reconnect: lost or repeated events.',
    hint: 'Give each published event one id when it is published (e.g. <epoch>-<seq>), and send that same id to every connection.',
    needs: 'a stream that sends ids',
  },
  'SSE-M16': {
    level: 'MUST',
    area: 'ids and resume',
    title: 'A new connection does not make the server re-send events into the streams already open.',
    harm: 'Every time another client connects, the clients already connected get old events again: duplicates on a healthy connection.',
    cost: 'each new client makes the connected ones get old events again.',
    source: 'HTML §9.2.6 interpretation (every event that arrives is dispatched)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'A spec-following client duplicates events with no reconnect at all.',
    hint: 'Send history only to the connection that asked for it (after its Last-Event-ID), never to every subscriber.',
    needs: 'a stream that sends events',
  },
  'SSE-S25': {
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'A stream that ends after its events carries ids, so the reconnect can resume.',
    harm: 'Each end is a reconnect without Last-Event-ID: what happens while the client waits its retry delay is lost, every time.',
    cost: 'the stream ends without ids: what happens during each reconnect is lost.',
    source: 'HTML §9.2.3 processing model (reconnect after the end) and §9.2.4 (no id, no Last-Event-ID)',
    link: `${SPEC}#the-last-event-id-header`,
    why: 'Paid on every reconnect, which this server causes itself.',
    hint: 'Give every event an id and resume after Last-Event-ID, or keep the stream open.',
    needs: 'a stream that ends while watched',
  },
  'SSE-S08': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'A retry: hint comes no later than the first event of each connection: before it in the bytes, or in the same write (told by the chunk framing, never by timing; without chunks only the byte order counts).',
    harm: 'Without a hint clients reconnect at their default (3 s in Chromium, 5 s in Firefox); the server cannot slow them down during an outage.',
    cost: 'no retry hint: after an outage every client reconnects at the browser default, all at once.',
    source: 'HTML §9.2.3 processing model (the reconnection time is the user agent\'s until retry: sets it)',
    link: `${SPEC}#sse-processing-model`,
    why: 'The spec leaves the delay to the client; the defaults are sane.',
    hint: 'Write retry: <ms> (jittered per connection) as the first bytes of every stream.',
  },
  'SSE-A02': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'The retry: hint is jittered per connection, so reconnects after an outage spread out.',
    harm: 'After a restart every client comes back in the same millisecond; harmless for small audiences.',
    source: 'field practice (thundering herd)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'Field practice: the cost grows with the audience.',
    hint: 'Write retry: base ± 20 % (a random value per connection).',
    needs: 'two connections that send retry:',
  },
  'SSE-A04': {
    level: 'ADVICE',
    area: 'ids and resume',
    title: 'A stream of events with ids starts with a cursor: an id-only block (id: <x> and a blank line) before its first event.',
    harm: 'A client that drops before its first event reconnects without Last-Event-ID and loses what was published meanwhile.',
    source: 'HTML §9.2.6 interpretation (an id with empty data sets the last event ID without dispatching)',
    link: `${SPEC}#event-stream-interpretation`,
    why: 'Paid only in the short window before a connection\'s first event.',
    hint: 'Write id: <current head> and a blank line right after the retry: hint (after a replay: the last replayed id).',
    needs: 'a stream whose events carry ids',
  },
  'SSE-S01': {
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'The response head arrives at once, not held until the first event.',
    harm: 'Held headers leave the request unanswered while the app is quiet: a proxy answers 504 after its read timeout (nginx: 60 s), and EventSource gives up for good.',
    cost: 'while the app is quiet the request gets no answer: a proxy answers 504 after its read timeout and EventSource gives up for good.',
    source: 'nginx proxy_read_timeout (60 s); Node sends a head only with the first write or flushHeaders()',
    link: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout',
    why: 'Paid behind a proxy, on a quiet stream.',
    hint: 'Flush the headers with a first write (a retry: hint or a comment) as soon as the stream opens.',
  },
  'SSE-S02': {
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'An idle stream carries a heartbeat (a comment) at least every 15 s or so.',
    harm: 'Proxies and load balancers drop connections idle for 30–60 s (nginx, AWS ALB: 60 s); clients reconnect over and over, and may miss events.',
    cost: 'proxies and load balancers cut the idle stream (30–60 s): constant reconnects.',
    source: 'HTML §9.2.7 authoring notes (a comment every 15 s); nginx proxy_read_timeout, AWS ALB idle timeout',
    link: `${SPEC}#authoring-notes`,
    why: 'Paid behind a proxy, whenever the app is quiet.',
    hint: 'Write a comment line (": heartbeat\\n\\n") whenever the stream has been idle for 15 s.',
  },
  'SSE-S16': {
    level: 'ADVICE',
    area: 'heartbeat and timing',
    title: 'A stream that ends, ends cleanly: a chunked body gets its terminating chunk.',
    harm: 'None for EventSource, which reconnects after a network error as after a clean end; proxies log the unclean end as an upstream error.',
    cost: 'a stream that ends badly looks like a network error to the client.',
    source: 'RFC 9112 §7.1 chunked transfer coding; HTML §9.2.3 (both ends reconnect)',
    link: 'https://www.rfc-editor.org/rfc/rfc9112#section-7.1',
    why: 'Taste: no client loses anything.',
    hint: 'End the response (res.end()) instead of destroying the socket.',
    needs: 'a stream that ends while observed',
  },
  'SSE-S18': {
    level: 'SHOULD',
    area: 'methods',
    title: 'HEAD on the stream path gets its head and nothing more, at once, and the server answers the next request.',
    harm: 'A HEAD that hangs holds a connection per health check; bytes after a HEAD\'s head are read as the next response on that connection; a HEAD that wedges the server locks every client out.',
    cost: 'a HEAD request (health check, link preview) hangs, gets stream bytes after its head, or stops the server answering.',
    source: 'RFC 9110 §9.3.2 HEAD (no content in the response)',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-9.3.2',
    why: 'Paid when health checks or link previews send HEAD.',
    hint: 'Answer HEAD with the stream headers and end the response at once (any finite status is fine; Node holds headers until end()).',
  },
  'SSE-S21': {
    level: 'ADVICE',
    area: 'methods',
    title: 'POST and OPTIONS (without Origin) on the stream path get a finite answer (405 with Allow is best), not a stream.',
    harm: 'A mistaken POST or OPTIONS holds an open stream; some protocols stream on POST on purpose, and no browser sends either to an EventSource URL.',
    cost: 'a mistaken POST or OPTIONS holds an open stream each.',
    source: 'RFC 9110 §15.5.6 405 Method Not Allowed',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6',
    why: 'Taste: no SSE client is hurt.',
    hint: 'Route the stream on GET (and HEAD) only; answer other methods 405 with an Allow header.',
  },
  'SSE-R1': {
    level: 'SHOULD',
    area: 'hostile input',
    title: 'Hostile Last-Event-ID values (duplicated, control bytes, oversized) never get a 5xx or a hang, and the server lives on.',
    harm: 'One odd header brings a 5xx (EventSource gives up), a hang, or takes the server down for every client.',
    cost: 'a hostile header gets a 5xx or hangs the server.',
    source: 'RFC 9110 §5.5 field values (anyone can send these bytes)',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-5.5',
    why: 'Paid when someone sends them: no browser does.',
    hint: 'Parse Last-Event-ID with a strict grammar and a length cap; treat anything else as invalid, not as an error.',
  },
  'SSE-S12': {
    level: 'SHOULD',
    area: 'limits',
    title: 'Over capacity the server still answers at once (no hang), so the client backs off and returns: 200 + retry: + end. A 4xx or 5xx makes EventSource give up for good.',
    harm: 'Over capacity, a hang holds the browser\'s connection with no answer and no retry; a 409, 429 or 503 stops EventSource for good.',
    cost: 'over capacity, clients give up for good instead of backing off.',
    source: 'HTML §9.2.3 processing model (a non-200 answer fails the connection)',
    link: `${SPEC}#sse-processing-model`,
    why: 'Paid under load (or a second tab): the extra clients get nothing, for good.',
    hint: 'Answer every accepted connection at once: refuse an extra stream with 200, a jittered retry: hint and the end of the response.',
    needs: 'a limit reached within --capacity-probe streams (32)',
  },
  'SSE-S13': {
    level: 'SHOULD',
    area: 'limits',
    title: 'Once clients leave, a fresh stream is served again within about one heartbeat.',
    harm: 'Slots held by clients that left lock new clients out.',
    cost: 'slots of gone clients stay taken: the server fills up.',
    source: 'field practice (a slot freed only on write error)',
    link: `${SPEC}#authoring-notes`,
    why: 'Paid under churn: the server fills with ghosts.',
    hint: 'Release the slot on the response\'s \'close\' event, once; never let a worker pool hold a dead client.',
    needs: 'a limit reached within --capacity-probe streams (32)',
  },
  'SSE-S14': {
    level: 'SHOULD',
    area: 'limits',
    title: 'A reader that stops reading is cut after a bounded amount of queued bytes, not buffered forever.',
    harm: 'One client that stops reading grows the server\'s memory without bound.',
    cost: 'a stalled reader grows the server\'s memory without bound.',
    source: 'Node stream docs (write() queues past the high-water mark)',
    link: 'https://nodejs.org/docs/latest-v20.x/api/stream.html#writablewritechunk-encoding-callback',
    why: 'Paid under load: one stalled client can take the server down.',
    hint: "Check res.writableLength before each write and destroy the response past a budget; arm a timer when write() returns false.",
    needs: '--publish <url> and --slow-reader',
  },
} as const satisfies Record<string, RuleEntry>;

/** Every rule id, as a literal type: a check cannot report a rule that does not exist. */
export type RuleId = keyof typeof CATALOGUE;

/** One entry of the catalogue. Ids are stable and never reused, even when a rule is retired. */
export type Rule = RuleEntry & { readonly id: RuleId };

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

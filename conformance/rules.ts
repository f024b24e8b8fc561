/** How much a rule matters: MUST breaks a browser's `EventSource`; SHOULD hurts proxies, reconnects or operators. */
export type RuleLevel = 'MUST' | 'SHOULD';

/** The groups the suite runs in, in order; the CLI prints one progress line per area. */
export type RuleArea =
  | 'status and headers'
  | 'grammar and encoding'
  | 'ids and resume'
  | 'heartbeat and timing'
  | 'hostile input'
  | 'limits';

/** One entry of the catalogue. Ids are stable and never reused, even when a rule is retired. */
export interface Rule {
  /** `SSE-` + the id of the rule in the project's rule list (`M` = MUST, `S` = SHOULD, `F`/`R` = fidelity/robustness). */
  readonly id: string;
  readonly level: RuleLevel;
  readonly area: RuleArea;
  /** One line: what a conforming server does. */
  readonly title: string;
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
  'hostile input',
  'limits',
];

/**
 * The rule catalogue: one entry per rule the suite knows, in report order. The rules reference in
 * `docs/conformance.md` is generated from it (`node dist/scripts/conformance-docs.js`).
 */
export const RULES: readonly Rule[] = [
  {
    id: 'SSE-M01',
    level: 'MUST',
    area: 'status and headers',
    title: 'The stream answers 200 (after redirects); any other final status makes EventSource give up for good.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Answer the stream request with 200; use 204 only to tell a client to stop reconnecting.',
  },
  {
    id: 'SSE-M02',
    level: 'MUST',
    area: 'status and headers',
    title: 'The Content-Type essence is text/event-stream (case-insensitive, parameters allowed).',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Send Content-Type: text/event-stream; charset=utf-8 before the first byte of the body.',
  },
  {
    id: 'SSE-M09',
    level: 'MUST',
    area: 'status and headers',
    title: 'The body streams: no Content-Length, and an event published now arrives now, not in a later batch.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Write each event as it happens and flush it; never set Content-Length or buffer the response.',
  },
  {
    id: 'SSE-M10',
    level: 'MUST',
    area: 'status and headers',
    title: 'No Content-Encoding, unless every event is flushed through the compressor and still arrives on time.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Exclude text/event-stream from compression (send Cache-Control: no-transform), or flush the compressor after each event.',
  },
  {
    id: 'SSE-M11',
    level: 'MUST',
    area: 'status and headers',
    title: 'Over HTTP/2, no connection-specific headers (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade).',
    source: 'RFC 9113 §8.2.2',
    link: 'https://www.rfc-editor.org/rfc/rfc9113#section-8.2.2',
    hint: 'Set Connection: keep-alive only on HTTP/1.x responses; never set Transfer-Encoding by hand.',
    needs: 'an https:// target that offers h2',
  },
  {
    id: 'SSE-M14',
    level: 'MUST',
    area: 'status and headers',
    title: 'Over HTTP/2 too, the body streams: an event published now arrives now, not when a buffer fills.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Flush each event over HTTP/2 as over HTTP/1.1; turn off response buffering in the HTTP/2 layer or proxy in front.',
    needs: 'an https:// target that offers h2, and --publish <url>',
  },
  {
    id: 'SSE-M13',
    level: 'MUST',
    area: 'status and headers',
    title: 'A server that allows other origins sends Access-Control-Allow-Origin, allows last-event-id in the preflight, never pairs * with credentials, and does not echo an origin it does not allow.',
    source: 'Fetch §3.2 CORS protocol',
    link: 'https://fetch.spec.whatwg.org/#http-cors-protocol',
    hint: 'Echo only allow-listed origins (no Access-Control-Allow-Origin for others), answer OPTIONS with Access-Control-Allow-Headers: last-event-id, and never send * with credentials.',
    needs: '--origin <origin> the server allows',
  },
  {
    id: 'SSE-S04',
    level: 'SHOULD',
    area: 'status and headers',
    title: 'Cache-Control says no-cache (or no-store) and no-transform.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Send Cache-Control: no-cache, no-transform on the stream.',
  },
  {
    id: 'SSE-S05',
    level: 'SHOULD',
    area: 'status and headers',
    title: 'X-Accel-Buffering: no, so nginx-style proxies do not buffer the stream.',
    source: 'field practice (nginx proxy_buffering)',
    link: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering',
    hint: 'Send X-Accel-Buffering: no on the stream.',
  },
  {
    id: 'SSE-S06',
    level: 'SHOULD',
    area: 'status and headers',
    title: 'The media type is written in lowercase: some clients compare it case-sensitively.',
    source: 'field practice',
    link: `${SPEC}#sse-processing-model`,
    hint: 'Write text/event-stream exactly, in lowercase.',
  },
  {
    id: 'SSE-S15',
    level: 'SHOULD',
    area: 'status and headers',
    title: 'Any Accept (text/event-stream, */*, none) is served a stream; nothing is answered 406.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Do not negotiate on Accept for the stream path, or accept */* and a missing header.',
  },
  {
    id: 'SSE-S17',
    level: 'SHOULD',
    area: 'status and headers',
    title: 'HTTP/2 is offered over TLS (browsers allow about 6 HTTP/1.1 connections per origin).',
    source: 'field practice (RFC 9113)',
    link: 'https://www.rfc-editor.org/rfc/rfc9113',
    hint: 'Offer h2 in ALPN (directly or at the proxy in front of the server).',
    needs: 'an https:// target',
  },
  {
    id: 'SSE-M03',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'The body is valid UTF-8 (bad bytes become U+FFFD at the client: the data changes).',
    source: 'HTML §9.2.5 parsing an event stream',
    link: `${SPEC}#parsing-an-event-stream`,
    hint: 'Encode every string as UTF-8; never write latin1 or cut a multi-byte character.',
  },
  {
    id: 'SSE-M04',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Every event ends with an empty line: a trailing incomplete event is discarded, a hanging one is late.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'End every event with a blank line (\\n\\n) in the same write as its fields.',
  },
  {
    id: 'SSE-M05',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Every non-empty line is a comment or a field named data, event, id or retry (case-sensitive, not indented).',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write field names in lowercase at the start of the line; anything else is ignored by clients.',
  },
  {
    id: 'SSE-M06',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'A payload with line breaks is sent as one data: line per payload line, split on CR, LF and CRLF.',
    source: 'HTML §9.2.5 parsing an event stream',
    link: `${SPEC}#parsing-an-event-stream`,
    hint: 'Split data on /\\r\\n|\\r|\\n/ and prefix each part with "data: ".',
    needs: '--publish <url>',
  },
  {
    id: 'SSE-M07',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'No CR or LF in id, event, retry or comment values (field injection), and no NULL in an id.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Refuse (or strip) CR, LF in event names, ids and comments, and NULL in ids, before writing.',
  },
  {
    id: 'SSE-M08',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'A retry value is ASCII digits only (no spaces inside, sign, decimals or units).',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write retry: followed by an integer number of milliseconds and nothing else.',
  },
  {
    id: 'SSE-F1',
    level: 'MUST',
    area: 'grammar and encoding',
    title: 'Published data round-trips exactly: a leading space, a trailing line break, any Unicode text.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Always write "data: " with the space, and a final empty data: line for a payload ending in a line break.',
    needs: '--publish <url>',
  },
  {
    id: 'SSE-S07',
    level: 'SHOULD',
    area: 'grammar and encoding',
    title: 'No byte order mark, or exactly one at byte 0 (a later one becomes part of a field name).',
    source: 'HTML §9.2.5 parsing an event stream',
    link: `${SPEC}#parsing-an-event-stream`,
    hint: 'Do not write U+FEFF; if you must, write it once as the very first byte.',
  },
  {
    id: 'SSE-S03',
    level: 'SHOULD',
    area: 'grammar and encoding',
    title: 'Heartbeat comments are whole blocks between events, never inside an event.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Write heartbeats as ": ...\\n\\n" and only between complete events.',
  },
  {
    id: 'SSE-M12',
    level: 'MUST',
    area: 'ids and resume',
    title: 'A reconnect with any Last-Event-ID (known, unknown, non-numeric, 255 bytes, non-ASCII) gets 200 and a stream.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Never answer an unusable Last-Event-ID with 4xx/5xx: start the stream and say so in-band.',
  },
  {
    id: 'SSE-S09',
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Ids are unique and increasing within a stream, at most 128 bytes, of CORS-safe ASCII.',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Use ids like <boot epoch>-<sequence>: short, ASCII, increasing, never reused after a restart.',
    needs: 'a stream that sends ids',
  },
  {
    id: 'SSE-S10',
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'Resume is exact: after Last-Event-ID X the first event is the one after X (no duplicate, no gap).',
    source: 'HTML §9.2.4 the Last-Event-ID header',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Keep a replay buffer and send every retained event after X before going live, in one step.',
    needs: 'ids, and --publish or two passive events with ids',
  },
  {
    id: 'SSE-S11',
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'An unknown or expired Last-Event-ID is reported in-band (a named event) rather than resumed silently.',
    source: 'project rule (no silent loss)',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Start such a stream with a named event (e.g. event: reset) whose data says why, and whose id is the current head.',
    needs: 'a stream that sends ids with a number in them',
  },
  {
    id: 'SSE-S08',
    level: 'SHOULD',
    area: 'ids and resume',
    title: 'A retry: hint of at least 1000 ms comes before the first event of each connection.',
    source: 'HTML §9.2.6 interpretation',
    link: `${SPEC}#event-stream-interpretation`,
    hint: 'Write retry: <ms> (jittered per connection) as the first bytes of every stream.',
  },
  {
    id: 'SSE-S01',
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'Headers and a first byte arrive within about a second, even when no event is due.',
    source: 'field practice',
    link: `${SPEC}#authoring-notes`,
    hint: 'Flush the headers with a first write (a retry: hint or a comment) as soon as the stream opens.',
  },
  {
    id: 'SSE-S02',
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'Idle gaps stay under about 15 s (a comment heartbeat), or proxies drop the connection.',
    source: 'HTML §9.2.7 authoring notes',
    link: `${SPEC}#authoring-notes`,
    hint: 'Write a comment line (": heartbeat\\n\\n") whenever the stream has been idle for 15 s.',
    needs: '--observe longer than --heartbeat-max',
  },
  {
    id: 'SSE-S16',
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'A stream that ends, ends cleanly: a chunked body gets its terminating chunk.',
    source: 'RFC 9112 §7.1 chunked transfer coding',
    link: 'https://www.rfc-editor.org/rfc/rfc9112#section-7.1',
    hint: 'End the response (res.end()) instead of destroying the socket.',
    needs: 'a stream that ends while observed',
  },
  {
    id: 'SSE-S18',
    level: 'SHOULD',
    area: 'heartbeat and timing',
    title: 'HEAD on the stream path answers its headers and ends, instead of hanging.',
    source: 'RFC 9110 §9.3.2 HEAD',
    link: 'https://www.rfc-editor.org/rfc/rfc9110#section-9.3.2',
    hint: 'Answer HEAD with the stream headers and end the response at once (Node holds headers until end()).',
  },
  {
    id: 'SSE-R1',
    level: 'SHOULD',
    area: 'hostile input',
    title: 'Hostile Last-Event-ID values (duplicated, control bytes, oversized) never get a 5xx or a hang, and the server lives on.',
    source: 'project rule (robustness)',
    link: `${SPEC}#the-last-event-id-header`,
    hint: 'Parse Last-Event-ID with a strict grammar and a length cap; treat anything else as invalid, not as an error.',
  },
  {
    id: 'SSE-S12',
    level: 'SHOULD',
    area: 'limits',
    title: 'Over capacity the answer makes the client back off and return (200 + retry: + end), not 429/503.',
    source: 'HTML §9.2.2 the EventSource interface',
    link: `${SPEC}#the-eventsource-interface`,
    hint: 'Refuse a stream with 200, a jittered retry: hint and the end of the response.',
    needs: '--capacity <n>',
  },
  {
    id: 'SSE-S13',
    level: 'SHOULD',
    area: 'limits',
    title: "A disconnected client's slot is freed within about one heartbeat.",
    source: 'field practice',
    link: `${SPEC}#authoring-notes`,
    hint: "Release the slot on the response's 'close' event, once.",
    needs: '--capacity <n>',
  },
  {
    id: 'SSE-S14',
    level: 'SHOULD',
    area: 'limits',
    title: 'A reader that stops reading is cut after a bounded amount of queued bytes, not buffered forever.',
    source: 'field practice',
    link: 'https://nodejs.org/docs/latest-v20.x/api/stream.html#writablewritechunk-encoding-callback',
    hint: "Check res.writableLength before each write and destroy the response past a budget; arm a timer when write() returns false.",
    needs: '--publish <url> and --slow-reader',
  },
];

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

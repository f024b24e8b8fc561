import { BrokerUnavailableError, type Broker } from '../history/broker.js';
import type { PublishInput } from '../hub/channel.js';
import { closeIfBodyUnread, readBody } from '../http/body.js';
import { HTTP_ERRORS, isHttpErrorCode, type PublishRefusal } from '../http/errors.js';
import { sendError, sendJson } from '../http/json.js';
import type { SseRequest, SseResponse } from '../http/types.js';
import { isEventRefusal } from '../protocol/errors.js';


const FIELDS = new Set(['event', 'data']);
// fatal: invalid UTF-8 is refused, not turned into U+FFFD, as lone surrogates are. ignoreBOM
// keeps a BOM in the text, where JSON.parse refuses it (RFC 8259 §8.1: JSON text has none).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Validates a `POST /publish` body. Pure: the caller does the I/O.
 *
 * The body is `{"event"?: string, "data": string}`. Ids are the server's to assign, so a body
 * with an `id` is refused rather than silently ignored.
 *
 * @returns the event to publish, or why not
 */
export function parsePublishBody(text: string): PublishInput | PublishRefusal {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { status: 400, code: 'bad_json', message: `The body is not JSON: ${(error as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, code: 'bad_body', message: 'The body must be a JSON object: {"event"?: string, "data": string}.' };
  }
  const record = body as Record<string, unknown>;
  if ('id' in record) return { status: 400, code: 'id_not_allowed', message: 'Ids are assigned by the server; remove "id" from the body.' };
  const unknown = Object.keys(record).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return { status: 400, code: 'unknown_field', message: `Unknown field ${JSON.stringify(unknown)}; allowed: event, data.` };
  if (typeof record['data'] !== 'string') return { status: 400, code: 'bad_data', message: '"data" must be a string.' };
  if (record['event'] !== undefined && typeof record['event'] !== 'string') {
    return { status: 400, code: 'bad_event', message: '"event" must be a string when present.' };
  }
  return { data: record['data'], event: record['event'] as string | undefined };
}

/**
 * `POST /publish`, after its gate: a JSON body publishes one event to every `/feed`
 * subscriber and answers `202 {"id": …}` with the id the broker assigned, once the broker has
 * stored it. Nothing is published unless the whole body is valid; a broker that cannot store
 * events now (Redis down, a failed history file) gets `503` with `Retry-After`.
 *
 * @param limits - bodies over `maxBodyBytes` are refused with `413`, bodies slower than `timeoutMs` with `408`
 * @returns whether an event was published; rejects only when the request itself fails mid-body
 */
export async function handlePublish(
  req: SseRequest,
  res: SseResponse,
  broker: Broker,
  limits: { readonly maxBodyBytes: number; readonly timeoutMs: number },
): Promise<boolean> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  // Requiring JSON keeps cross-origin HTML forms out: they cannot send it without a preflight.
  if (type !== 'application/json') {
    return answer(res, { status: 415, code: 'bad_content_type', message: 'Send the body as Content-Type: application/json.' }, closeIfBodyUnread(req));
  }
  const body = await readBody(req, limits.maxBodyBytes, limits.timeoutMs);
  if (body.kind === 'too-large') {
    return answer(res, { status: 413, code: 'body_too_large', message: `The body is over ${limits.maxBodyBytes} bytes.` }, closeIfBodyUnread(req));
  }
  if (body.kind === 'too-slow') {
    return answer(res, { status: 408, code: 'body_timeout', message: `The body did not arrive within ${limits.timeoutMs} ms.` }, closeIfBodyUnread(req));
  }
  let text: string;
  try {
    text = UTF8.decode(body.bytes);
  } catch {
    return answer(res, { status: 400, code: 'bad_utf8', message: 'The body is not valid UTF-8.' });
  }
  const input = parsePublishBody(text);
  if ('status' in input) return answer(res, input);
  try {
    // #region publish
    // 202 only once the broker has stored the event: never acknowledge what could be lost.
    const { id } = await broker.publish(input);
    sendJson(res, 202, { id });
    // #endregion publish
    return true;
  } catch (error) {
    // Its own code and status, as HTTP_ERRORS lists them; a code it does not list is no event
    // refusal this route can meet, and fails the request like any other surprise.
    if (isEventRefusal(error) && isHttpErrorCode(error.code)) {
      sendError(res, HTTP_ERRORS[error.code].status, error.code, error.message);
      return false;
    }
    if (error instanceof BrokerUnavailableError) {
      sendError(res, 503, error.reason === 'timeout' ? 'broker_timeout' : 'broker_unavailable', error.message, { 'retry-after': '1' });
      return false;
    }
    throw error;
  }
}

/** Sends a refusal, with `headers` (e.g. {@link closeIfBodyUnread}'s). */
function answer(res: SseResponse, refused: PublishRefusal, headers: Readonly<Record<string, string>> = {}): false {
  sendError(res, refused.status, refused.code, refused.message, { ...refused.headers, ...headers });
  return false;
}

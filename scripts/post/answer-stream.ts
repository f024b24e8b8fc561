import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParser, Heartbeat, SseStream, type ParsedEvent, type SourceItem } from 'sse-reference';

/**
 * Produces the events of one answer (a model's tokens, say) as they come. When the client leaves,
 * its iterator is closed (`return()`), so a generator's `finally` runs: cancel the model call there.
 */
export type Answerer = (question: string) => AsyncIterable<SourceItem>;

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON body of at most {@link MAX_BODY_BYTES}; undefined when it is too large or not JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `POST {"question": "…"}` answered as an event stream, one event per item of the answer, ended
 * when the answer is: the way LLM APIs stream a completion. A client that does not accept
 * `text/event-stream` gets the whole answer as one JSON object instead.
 *
 * @param heartbeat - comments on a silent answer, shared by every stream (chapter 6)
 */
export function answerRoute(answer: Answerer, heartbeat = new Heartbeat(15_000)): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const body = await readJson(req);
    const question = (body as { question?: unknown } | undefined)?.question;
    if (typeof question !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"send {\\"question\\": \\"…\\"}"}');
      return;
    }
    if (!/\btext\/event-stream\b/.test(req.headers.accept ?? '')) {
      const parts: string[] = [];
      for await (const item of answer(question)) if (typeof item === 'string') parts.push(item);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: parts.join('') }));
      return;
    }
    // #region answer-stream
    // The body is read to its end first: a request still receiving its body stays under Node's
    // requestTimeout (300 s), which would then cut the stream.
    // A model may think for a minute before its first token: the heartbeat keeps proxies patient.
    const stream = new SseStream(req, res, { heartbeat });
    // Each item is written as it comes, and the next one waits while the socket is full; when the
    // client leaves, the answer's iterator is closed, which stops the model.
    await stream.sendFrom(answer(question));
    // #endregion answer-stream
  };
}

/**
 * Asks `url` a question and hands each event of the streamed answer to `onEvent` as it arrives.
 * No reconnect: a POST is not repeated behind the caller's back.
 *
 * @returns when the server ended the answer
 * @throws an `Error` when the answer is not an event stream; an `AbortError` when `signal` aborts
 */
export async function ask(url: string, question: string, onEvent: (event: ParsedEvent) => void, signal?: AbortSignal): Promise<void> {
  // #region answer-client
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ question }),
    signal: signal ?? null,
  });
  const type = res.headers.get('content-type') ?? '';
  if (res.status !== 200 || !/^text\/event-stream\s*(;|$)/i.test(type)) {
    await res.body?.cancel();
    throw new Error(`not an event stream: ${res.status} ${type}`);
  }
  const parser = createParser({ onEvent });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) parser.feed(read.value);
  parser.end();
  // #endregion answer-client
}

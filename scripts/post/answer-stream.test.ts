import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Heartbeat, type ParsedEvent, type SourceItem } from 'sse-reference';
import { answerRoute, ask } from './answer-stream.js';

describe('an answer streamed over POST (chapter 23)', () => {
  const GAP_MS = 60;
  const produced: number[] = [];
  let stopped = 0;
  let server: Server;
  let url = '';

  /** A stand-in for a model: one word every GAP_MS, then a done event; counts how often it was stopped. */
  async function* model(question: string): AsyncIterable<SourceItem> {
    try {
      for (const word of `you asked: ${question}`.split(' ')) {
        await sleep(GAP_MS);
        produced.push(Date.now());
        yield `${word} `;
      }
      yield { event: 'done', data: { words: produced.length } };
    } finally {
      stopped++;
    }
  }

  before(async () => {
    // Short request timers: the stream must outlive requestTimeout, since its body was read in full.
    server = createServer({ requestTimeout: 1000, headersTimeout: 500, connectionsCheckingInterval: 100 }, answerRoute(model, new Heartbeat(200)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/answers`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('streams each word as it is produced, past the request timeout, and ends with done', async () => {
    produced.length = 0;
    const arrived: { event: ParsedEvent; at: number }[] = [];
    const question = 'what streams over POST, one word at a time, for well over a second, which is longer than the request timeout of this server';
    const started = Date.now();
    await ask(url, question, (event) => arrived.push({ event, at: Date.now() }));
    const words = arrived.filter((a) => a.event.type === 'message');
    assert.equal(words.map((a) => a.event.data).join(''), `you asked: ${question} `);
    assert.equal(arrived.at(-1)?.event.type, 'done');
    // The first word reached the client long before the last one was produced: streamed, not buffered.
    assert.ok((words[0]?.at ?? Infinity) < (produced.at(-1) ?? 0) - 5 * GAP_MS, 'the first word came early');
    assert.ok((produced.at(-1) ?? 0) - started > 1300, 'the answer lasted past requestTimeout');
  });

  it('stops the model when the client aborts', async () => {
    const before = stopped;
    const stop = new AbortController();
    const words: string[] = [];
    const asking = ask(url, 'a question nobody waits for', (event) => {
      words.push(event.data);
      if (words.length === 2) stop.abort();
    }, stop.signal);
    await assert.rejects(asking, { name: 'AbortError' });
    const deadline = Date.now() + 3000;
    while (stopped === before && Date.now() < deadline) await sleep(10);
    assert.equal(stopped, before + 1, "the generator's finally ran");
  });

  it('answers a client that does not accept an event stream with one JSON object, and refuses a bad body', async () => {
    const whole = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"question":"hi"}' });
    assert.equal(whole.status, 200);
    assert.deepEqual(await whole.json(), { answer: 'you asked: hi ' });
    const bad = await fetch(url, { method: 'POST', body: '{"nope":1}' });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });
});

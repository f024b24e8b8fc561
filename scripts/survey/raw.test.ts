import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { firstConnection, resume } from './evidence.js';
import { bodyText, Dechunker, exchange, header, parseHead, requestBytes } from './raw.js';
import { transcript } from './transcript.js';

describe('Dechunker', () => {
  it('de-chunks across any split, through the zero chunk and trailer', () => {
    const wire = Buffer.from('5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n');
    for (let split = 1; split < wire.length; split++) {
      const d = new Dechunker();
      const out = Buffer.concat([d.push(wire.subarray(0, split)), d.push(wire.subarray(split))]).toString();
      assert.equal(out, 'hello, world', `split at ${split}`);
      assert.equal(d.done, true);
    }
  });

  it('throws on a size line that is not hex', () => {
    assert.throws(() => new Dechunker().push(Buffer.from('zz\r\n')), /bad chunk size line/);
  });
});

describe('requestBytes and parseHead', () => {
  it('writes header values byte for byte, and reads a head back', () => {
    const bytes = requestBytes(new URL('http://127.0.0.1:9/sse?x=1'), 'GET', [['Last-Event-ID', Buffer.from([0x31, 0x00, 0x32])]]);
    assert.equal(bytes.toString('latin1'), 'GET /sse?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nLast-Event-ID: 1\x002\r\n\r\n');
    const head = parseHead('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-A: b');
    assert.equal(head?.status, 200);
    assert.equal(header(head, 'content-type'), 'text/event-stream');
    assert.equal(parseHead('SSH-2.0'), undefined);
  });
});

// A tiny SSE server: an event every 60 ms into a history; a resume replays from Last-Event-ID,
// exactly on /exact, from the id itself (the cookbook's `>=`) on /dup, and /plain is not a stream.
let server: Server;
let base: string;
const history: number[] = [];
before(async () => {
  let next = 0;
  const streams = new Set<(id: number) => void>();
  const timer = setInterval(() => {
    history.push(next);
    for (const send of streams) send(next);
    next++;
  }, 60);
  server = createServer((req, res) => {
    if (req.url === '/plain') {
      res.end('hello');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    const send = (id: number): void => void res.write(`id: ${id}\ndata: event ${id}\n\n`);
    const last = req.headers['last-event-id'];
    if (typeof last === 'string') for (const id of history.filter((h) => (req.url === '/dup' ? h >= Number(last) : h > Number(last)))) send(id);
    streams.add(send);
    req.on('close', () => streams.delete(send));
  });
  server.on('close', () => clearInterval(timer));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('exchange', () => {
  it('records the head, the de-chunked body with times, and ends by its duration', async () => {
    const x = await exchange({ url: `${base}/exact`, headers: [['Accept', 'text/event-stream']], durationMs: 400 });
    assert.equal(x.head?.status, 200);
    assert.equal(x.end, 'cut');
    assert.match(bodyText(x), /^retry: 2000\n\nid: \d+\ndata: event \d+\n\n/);
    assert.ok(x.body.every((b, i) => i === 0 || b.atMs >= (x.body[i - 1]?.atMs ?? 0)));
    const text = transcript(x, 200);
    assert.match(text, /^→ {8}GET \/exact HTTP\/1\.1\\r\\n$/m);
    assert.match(text, /^← \+\d+ms +HTTP\/1\.1 200 OK\\r\\n$/m);
    assert.match(text, /more bytes\n {2}\[cut after \d+ ms\]$/);
  });

  it('ends complete on a body with Content-Length, and reports a refused connection', async () => {
    const x = await exchange({ url: `${base}/plain`, durationMs: 2000 });
    assert.equal(x.end, 'complete');
    assert.equal(bodyText(x), 'hello');
    const refused = await exchange({ url: 'http://127.0.0.1:1/', durationMs: 2000 });
    assert.equal(refused.end, 'error');
    assert.equal(refused.error, 'ECONNREFUSED');
  });
});

describe('evidence on a tiny server', () => {
  it('a fresh connection: headers, retry and ids judged the way the rules say', async () => {
    const evidence = await firstConnection(`${base}/exact`);
    const verdicts = Object.fromEntries(evidence.opinions.map((o) => [o.rule, o.verdict]));
    assert.deepEqual(verdicts, {
      'SSE-M01': 'pass',
      'SSE-M02': 'pass',
      'SSE-S06': 'pass',
      'SSE-S01': 'pass',
      'SSE-M09': 'pass',
      'SSE-M03': 'pass',
      'SSE-M05': 'pass',
      'SSE-S09': 'pass',
    });
    assert.equal(evidence.verdict, 'ok');
  });

  it('an exact resume is ok; a resume that repeats X is a duplicate; a text/plain answer fails M12', async () => {
    const [exact, dup, plain] = await Promise.all([resume(`${base}/exact`), resume(`${base}/dup`), resume(`${base}/plain`)]);
    assert.equal(exact.verdict, 'ok', exact.summary);
    assert.equal(dup.verdict, 'defect');
    assert.match(dup.summary, /: duplicate/);
    assert.equal(dup.opinions.find((o) => o.rule === 'SSE-S10')?.verdict, 'fail');
    assert.equal(plain.verdict, 'n/a');
  });
});

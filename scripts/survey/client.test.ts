import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { formatLog, judgeLog, startRelay, type ClientLog } from './client.js';

type Entry = ClientLog['entries'][number];
const ev = (atMs: number, lastEventId: string, data: string, type = 'tick'): Entry => ({ atMs, kind: 'event', text: '', type, data, lastEventId });
const open = (atMs: number): Entry => ({ atMs, kind: 'open', text: 'open' });
const cut = (atMs: number): Entry => ({ atMs, kind: 'cut', text: 'cut' });

describe('judgeLog', () => {
  it('sees a duplicate, a gap, a clean resume, and a client that gave up', () => {
    const before = [open(0), ev(1, '1', '{"tick":1}'), ev(2, '2', '{"tick":2}'), ev(3, '3', '{"tick":3}'), cut(3)];
    assert.equal(judgeLog({ gaveUp: false, entries: [...before, open(9), ev(10, '3', '{"tick":3}'), ev(11, '4', '{"tick":4}')] }).verdict, 'duplicate');
    const gap = judgeLog({ gaveUp: false, entries: [...before, open(9), ev(10, '7', '{"tick":7}'), ev(11, '8', '{"tick":8}')] });
    assert.deepEqual(gap, { verdict: 'gap', why: 'by the counter in the data: 3 before the cut, 7 after it: 3 events lost' });
    assert.equal(judgeLog({ gaveUp: false, entries: [...before, open(9), ev(10, '4', '{"tick":4}')] }).verdict, 'ok');
    const gaveUp = judgeLog({ gaveUp: true, entries: [...before, { atMs: 9, kind: 'error', text: 'error: Invalid content type; readyState 2' }] });
    assert.equal(gaveUp.verdict, 'gave up');
    assert.match(gaveUp.why, /Invalid content type/);
  });

  it('follows ids that step steadily (a shared counter, a clock), and gives n/a on what it cannot follow', () => {
    const clock = [open(0), ev(1, '1000', 'a'), ev(2, '2001', 'b'), ev(3, '3001', 'c'), cut(3), open(9)];
    assert.equal(judgeLog({ gaveUp: false, entries: [...clock, ev(10, '4002', 'd')] }).verdict, 'ok');
    assert.equal(judgeLog({ gaveUp: false, entries: [...clock, ev(10, '7003', 'd')] }).verdict, 'gap');
    assert.equal(judgeLog({ gaveUp: false, entries: [open(0), ev(1, '', 'hello'), ev(2, '', 'hello'), cut(2), open(5), ev(6, '', 'hello')] }).verdict, 'n/a');
    assert.equal(judgeLog({ gaveUp: false, entries: [open(0), ev(1, '1', 'x')] }).verdict, 'n/a');
  });

  it('formats a log one line per entry', () => {
    assert.equal(formatLog({ gaveUp: false, entries: [open(0), ev(12, '1', 'x')] }), '+0ms     open\n+12ms    event tick id="1" data="x"');
  });
});

describe('startRelay', () => {
  it('carries bytes both ways and cuts every connection it carries on demand', async () => {
    const upstream: Socket[] = [];
    const server = createServer((socket) => {
      upstream.push(socket);
      socket.on('data', (data) => socket.write(`echo ${data.toString()}`));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = await startRelay(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sse?x=1`);
    assert.match(relay.url, /^http:\/\/127\.0\.0\.1:\d+\/sse\?x=1$/);
    const { connect } = await import('node:net');
    const client = connect({ host: '127.0.0.1', port: Number(new URL(relay.url).port) });
    const reply = await new Promise<string>((resolve) => {
      client.once('data', (data) => resolve(data.toString()));
      client.write('hi');
    });
    assert.equal(reply, 'echo hi');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    relay.cut();
    await closed;
    await relay.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

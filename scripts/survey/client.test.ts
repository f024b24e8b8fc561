import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { formatLog, judgeEnds, judgeLog, startRelay, type ClientLog } from './client.js';

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

  it('judges no resume on a stream without ids: what a cut costs it is its design, not a resume defect', () => {
    const noIds = [open(0), ev(1, '', 'tick 1'), ev(2, '', 'tick 2'), ev(3, '', 'tick 3'), cut(3), open(9), ev(10, '', 'tick 9')];
    assert.deepEqual(judgeLog({ gaveUp: false, entries: noIds }), { verdict: 'n/a', why: 'the stream carries no ids: a reconnecting client has nothing to resume from' });
  });

  it('formats a log one line per entry', () => {
    assert.equal(formatLog({ gaveUp: false, entries: [open(0), ev(12, '1', 'x')] }), '+0ms     open\n+12ms    event tick id="1" data="x"');
  });
});

describe('judgeEnds', () => {
  it('sees the events lost across each end the server made, and whether the stream carried ids', () => {
    const ends = judgeEnds({ gaveUp: false, entries: [open(0), ev(1, '', 'tick 2'), open(3000), ev(3500, '', 'tick 6'), open(7000), ev(7500, '', 'tick 10')] });
    assert.deepEqual(ends, {
      verdict: 'gap',
      why: 'the server ended the stream 2 times in the watch; its events carried no ids; across the reconnects the counter in the data went 2 then 6, 6 then 10: the events between were lost',
      ends: 2,
      ids: false,
    });
    assert.equal(judgeEnds({ gaveUp: false, entries: [open(0), ev(1, '1', 'tick 1'), open(3000), ev(3001, '2', 'tick 2'), ev(4000, '3', 'tick 3')] }).verdict, 'ok');
  });

  it('gives n/a to a stream the server kept open, one without a counter, and a client that gave up', () => {
    assert.match(judgeEnds({ gaveUp: false, entries: [open(0), ev(1, '', 'tick 1'), ev(2, '', 'tick 2')] }).why, /kept the stream open/);
    assert.equal(judgeEnds({ gaveUp: false, entries: [open(0), ev(1, '', 'hello'), open(9), ev(10, '', 'hello')] }).verdict, 'n/a');
    assert.equal(judgeEnds({ gaveUp: true, entries: [open(0), ev(1, '', 'tick 1')] }).verdict, 'n/a');
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

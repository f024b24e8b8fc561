import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStream } from '../testing/sse-client.js';
import { publish, startServer, feedChannel } from '../testing/harness.js';
import { FileLog, FileLogError } from './file-log.js';

const directory = mkdtempSync(join(tmpdir(), 'sse-file-log-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const newPath = (): string => join(directory, `history-${files++}.log`);
const event = (n: number): Buffer => Buffer.from(`id: e-${n}\ndata: ${n}\n\n`);

function write(path: string, count: number, epoch = 'abcdef012345'): FileLog {
  const log = FileLog.open(path, { epoch });
  for (let seq = 1; seq <= count; seq++) log.append(seq, event(seq));
  log.sync();
  return log;
}

describe('FileLog', () => {
  it('keeps the epoch and every event across a reopen', () => {
    const path = newPath();
    write(path, 3).close();
    const log = FileLog.open(path);
    assert.equal(log.epoch, 'abcdef012345');
    assert.deepEqual(log.recovery, { head: 3, events: [event(1), event(2), event(3)], truncatedBytes: 0 });
    log.append(4, event(4));
    assert.throws(() => log.append(6, event(6)), RangeError);
    log.close();
    assert.equal(FileLog.open(path).head, 4);
  });

  it('cuts a torn last record (short, or with a wrong checksum) and keeps the rest', () => {
    const path = newPath();
    write(path, 3).close();
    const size = statSync(path).size;
    truncateSync(path, size - 5);
    const torn = FileLog.open(path);
    assert.equal(torn.recovery.head, 2);
    assert.equal(torn.recovery.truncatedBytes, event(3).length + 8 + 8 - 5);
    torn.append(3, event(30));
    torn.close();
    const bytes = readFileSync(path);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    // A whole last record with a wrong checksum may have been acknowledged before it went bad:
    // its number stays used, and nothing before it is replayed (a client there must reset).
    const flipped = FileLog.open(path);
    assert.deepEqual(flipped.recovery, { head: 3, events: [], truncatedBytes: event(30).length + 16, cutWholeRecord: true });
    flipped.append(4, event(4));
    flipped.close();
    assert.deepEqual(FileLog.open(path).recovery, { head: 4, events: [event(4)], truncatedBytes: 0 });
  });

  describe('with damage that is not a torn end', () => {
    /** A file of ten records, and where each record starts. */
    function tenRecords(): { path: string; starts: number[] } {
      const path = newPath();
      write(path, 10).close();
      const bytes = readFileSync(path);
      const starts: number[] = [];
      for (let offset = 21; offset < bytes.length; offset += 8 + bytes.readUInt32BE(offset)) starts.push(offset);
      return { path, starts };
    }
    const damage = (path: string, at: number): Buffer => {
      const bytes = readFileSync(path);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      writeFileSync(path, bytes);
      return bytes;
    };

    it('refuses a file with a bad record in the middle, names where, and leaves it untouched', () => {
      const { path, starts } = tenRecords();
      const third = starts[2] as number;
      // One bit of record 3's event bytes: before, records 4–10 were cut and ids 3–10 handed out again.
      const bytes = damage(path, (starts[3] as number) - 1);
      assert.throws(() => FileLog.open(path), (error: unknown) => {
        assert.ok(error instanceof FileLogError);
        assert.match(error.message, new RegExp(`the record at byte ${third} is unreadable, and a whole record \\(event 4\\) follows it`));
        assert.match(error.message, /left untouched\. Move it aside to start a new epoch/);
        return true;
      });
      assert.deepEqual(readFileSync(path), bytes);
    });

    it('refuses a damaged first record, a damaged length field, and a whole record out of order', () => {
      const first = tenRecords();
      damage(first.path, (first.starts[0] as number) + 12);
      assert.throws(() => FileLog.open(first.path), /unreadable, and a whole record \(event 2\) follows it/);
      const length = tenRecords();
      damage(length.path, (length.starts[4] as number) + 2);
      assert.throws(() => FileLog.open(length.path), /unreadable, and a whole record \(event 6\) follows it/);
      const repeated = newPath();
      write(repeated, 3).close();
      const bytes = readFileSync(repeated);
      writeFileSync(repeated, Buffer.concat([bytes, bytes.subarray(21, 21 + 8 + bytes.readUInt32BE(21))]));
      assert.throws(() => FileLog.open(repeated), /holds event 1 where 4 was expected/);
    });

    it('refuses a file whose only record is unreadable: the last number it used is unknown', () => {
      const path = newPath();
      write(path, 1).close();
      damage(path, 21 + 12);
      assert.throws(() => FileLog.open(path), /its only record, at byte 21, is unreadable/);
    });
  });

  it('compacts to the kept events once the file holds twice as many, numbering unchanged', () => {
    const path = newPath();
    const log = FileLog.open(path, { keepEvents: 10 });
    for (let seq = 1; seq <= 25; seq++) {
      log.append(seq, event(seq));
      log.sync();
    }
    log.close();
    assert.ok(statSync(path).size < 20 * (event(25).length + 16), 'the file was compacted');
    const reopened = FileLog.open(path, { keepEvents: 10 });
    assert.equal(reopened.recovery.head, 25);
    assert.deepEqual(reopened.recovery.events.at(0), event(16));
    reopened.close();
  });

  it('never follows a link planted at its temporary path, and keeps the log to its owner (0600)', () => {
    const path = newPath();
    const victim = join(directory, `victim-${files}.txt`);
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, `${path}.tmp`);
    write(path, 3).close();
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.ok(lstatSync(path).isFile());
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(FileLog.open(path).recovery.head, 3);
  });

  it('refuses a file that is not a history file, and leaves it untouched', () => {
    const path = newPath();
    writeFileSync(path, 'hello, world\n');
    assert.throws(() => FileLog.open(path), FileLogError);
    assert.equal(readFileSync(path, 'utf8'), 'hello, world\n');
    assert.throws(() => FileLog.open(newPath(), { epoch: 'nope' }), TypeError);
  });
});

describe('the server with --history-file', () => {
  it('resumes a client after a restart of the server object with nothing lost and the same epoch', async () => {
    const historyFile = newPath();
    const first = await startServer({ historyFile });
    const ids: string[] = [];
    for (const data of ['one', 'two', 'three']) {
      const res = await fetch(`${first.base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
      assert.equal(res.status, 202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const epoch = feedChannel(first.app).epoch;
    await first.app.close();
    const second = await startServer({ historyFile });
    after(() => second.app.close());
    assert.equal(feedChannel(second.app).epoch, epoch);
    assert.match((await (await fetch(`${second.base}/health`)).text()), /^ok/);
    assert.match(await (await fetch(`${second.base}/metrics`)).text(), /^sse_history_up\{store="file"\} 1$/m);
    const stream = await openStream(`${second.base}/feed`, { 'last-event-id': ids[0] as string });
    feedChannel(second.app).publish({ data: 'four' });
    await stream.waitFor((s) => s.events.length === 3);
    stream.close();
    assert.deepEqual(
      stream.events.map((e) => [e.lastEventId, e.data]),
      [
        [ids[1], 'two'],
        [ids[2], 'three'],
        [`${epoch}-4`, 'four'],
      ],
    );
  });

  it('refuses to start on a history file damaged in the middle, rather than hand out used ids again', async () => {
    const historyFile = newPath();
    const first = await startServer({ historyFile });
    for (let n = 1; n <= 10; n++) assert.equal((await publish(first.base, { data: `event ${n}` })).status, 202);
    await first.app.close();
    const bytes = readFileSync(historyFile);
    let offset = 21;
    for (let i = 0; i < 2; i++) offset += 8 + bytes.readUInt32BE(offset);
    const last = offset + 8 + bytes.readUInt32BE(offset) - 1;
    bytes[last] = (bytes[last] ?? 0) ^ 1; // one bit of record 3
    writeFileSync(historyFile, bytes);
    // Before: it started at head 2, cut records 4–10, and the next publish was id …-3 again.
    await assert.rejects(startServer({ historyFile }), FileLogError);
    assert.deepEqual(readFileSync(historyFile), bytes);
  });

  it('after cutting a damaged last record, hands its number out never again and resets a client from before it', async () => {
    const historyFile = newPath();
    write(historyFile, 3).close();
    const bytes = readFileSync(historyFile);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    writeFileSync(historyFile, bytes);
    const server = await startServer({ historyFile });
    after(() => server.app.close());
    assert.match(server.app.broker.describe(), /head 3, cut a damaged last record \(\d+ bytes\): its number 3 stays used/);
    const before = await openStream(`${server.base}/feed`, { 'last-event-id': 'abcdef012345-2' });
    const at = await openStream(`${server.base}/feed`, { 'last-event-id': 'abcdef012345-3' });
    for (const [data, id] of [['four', 'abcdef012345-4'], ['five', 'abcdef012345-5']]) {
      assert.deepEqual((await publish(server.base, { data })).json, { id });
    }
    await before.waitFor((t) => t.events.length === 3);
    await at.waitFor((t) => t.events.length === 2);
    before.close();
    at.close();
    assert.equal(before.events[0]?.type, 'reset');
    assert.equal(JSON.parse(before.events[0]?.data ?? '{}').reason, 'expired');
    assert.deepEqual(at.events.map((e) => e.lastEventId), ['abcdef012345-4', 'abcdef012345-5']);
  });

  it('loses no acknowledged event when the process is killed (SIGKILL) and started again', async () => {
    const historyFile = newPath();
    const server = fileURLToPath(new URL('../server.js', import.meta.url));
    const run = async (): Promise<{ child: ChildProcess; base: string }> => {
      const child = spawn(process.execPath, [server, '--port', '0', '--tick', '0', '--heartbeat', '0', '--publish-local', '--history-file', historyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
      after(() => child.kill('SIGKILL'));
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/[^/]+)\//.exec(out);
          if (match !== null) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`the server exited (${String(code)}): ${out}`)));
      });
      return { child, base };
    };
    const first = await run();
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const res = await fetch(`${first.base}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: `n${n}` }) });
        if (res.status === 202) acknowledged.push(((await res.json()) as { id: string }).id);
      }),
    );
    assert.equal(acknowledged.length, 20);
    await new Promise<void>((resolve) => {
      first.child.once('exit', () => resolve());
      first.child.kill('SIGKILL');
    });
    const second = await run();
    const epoch = (acknowledged[0] as string).split('-')[0] as string;
    const stream = await openStream(`${second.base}/feed`, { 'last-event-id': `${epoch}-0` });
    await stream.waitFor((s) => s.events.length === 20);
    stream.close();
    assert.deepEqual(stream.events.map((e) => e.lastEventId).sort(), [...acknowledged].sort());
    second.child.kill('SIGTERM');
  });
});

describe('FileLog when a compaction fails', () => {
  it('keeps the log as it was, says why, tries again later, and loses nothing', async () => {
    const { mkdirSync, rmdirSync } = await import('node:fs');
    const path = join(directory, 'compaction.log');
    const log = FileLog.open(path, { keepEvents: 2 });
    // A directory where the new file should go: its open fails (EISDIR), as a full disk's write would.
    mkdirSync(`${path}.tmp`);
    for (let seq = 1; seq <= 4; seq++) log.append(seq, Buffer.from(`data: ${seq}\n\n`));
    log.sync();
    assert.match(log.compactionProblem ?? '', /EISDIR|illegal operation on a directory/);
    log.append(5, Buffer.from('data: 5\n\n'));
    log.sync();
    assert.equal(log.problem, undefined);
    rmdirSync(`${path}.tmp`);
    // Retried after another history's worth (2) of events: 4 + 2 = 6 records.
    log.append(6, Buffer.from('data: 6\n\n'));
    log.sync();
    assert.equal(log.compactionProblem, undefined);
    log.append(7, Buffer.from('data: 7\n\n'));
    log.close();
    const reopened = FileLog.open(path, { keepEvents: 2 });
    assert.equal(reopened.head, 7);
    assert.deepEqual(reopened.recovery.events.map(String), ['data: 6\n\n', 'data: 7\n\n']);
    assert.equal(reopened.recovery.truncatedBytes, 0);
    reopened.close();
  });
});

describe('FileLog opened where it cannot be rewritten (a full disk)', () => {
  it('appends to the file it found, its torn tail cut, and says why it did not compact', async () => {
    const { appendFileSync, mkdirSync, rmdirSync } = await import('node:fs');
    const path = join(directory, 'full-at-open.log');
    const first = FileLog.open(path, { keepEvents: 10 });
    for (let seq = 1; seq <= 3; seq++) first.append(seq, Buffer.from(`data: ${seq}\n\n`));
    first.close();
    appendFileSync(path, Buffer.from([0, 0, 0, 99, 1, 2])); // a torn record, as a crash leaves
    mkdirSync(`${path}.tmp`); // the rewrite's new file cannot be made
    const reopened = FileLog.open(path, { keepEvents: 10 });
    assert.equal(reopened.head, 3);
    assert.equal(reopened.recovery.truncatedBytes, 6);
    assert.match(reopened.compactionProblem ?? '', /EISDIR|illegal operation on a directory/);
    reopened.append(4, Buffer.from('data: 4\n\n'));
    reopened.close();
    rmdirSync(`${path}.tmp`);
    const again = FileLog.open(path, { keepEvents: 10 });
    assert.deepEqual(again.recovery.events.map(String), ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n', 'data: 4\n\n']);
    assert.equal(again.recovery.truncatedBytes, 0);
    again.close();
  });
});

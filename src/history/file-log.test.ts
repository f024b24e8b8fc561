import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStream } from '../testing/sse-client.js';
import { startServer, feedChannel } from '../testing/harness.js';
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
    const flipped = FileLog.open(path);
    assert.equal(flipped.recovery.head, 2);
    assert.ok(flipped.recovery.truncatedBytes > 0);
    flipped.close();
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

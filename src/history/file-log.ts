import { closeSync, constants, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { checkEpoch, isEpoch, newEpoch } from '../hub/epoch.js';
import { checkInteger, checkKnownOptions } from '../options/check.js';
import { NumberedHistory } from '../hub/replay-buffer.js';
import { OPTIONS } from '../options/table.js';
import { FileLogError } from '../protocol/errors.js';

export { FileLogError } from '../protocol/errors.js';

/** Options of {@link FileLog.open}. */
export interface FileLogOptions {
  /** Events kept (and loaded on start); older ones are compacted away. @defaultValue 1000 */
  readonly keepEvents?: number;
  /** Bytes kept. @defaultValue 4 MiB */
  readonly keepBytes?: number;
  /** The epoch of a new file. @defaultValue 12 random hex digits */
  readonly epoch?: string;
}

/** What {@link FileLog.open} found. */
export interface Recovery {
  /** The last sequence number used (0: none). */
  readonly head: number;
  /** The retained events, oldest first, ending at `head`. */
  readonly events: readonly Buffer[];
  /** Bytes cut from the end: a record torn by a crash (0 after a clean stop). */
  readonly truncatedBytes: number;
  /**
   * The cut end began with a whole record whose checksum failed. It may have been acknowledged
   * before its bytes went bad, so its number is counted as used (`head` is it, and is never
   * handed out again) and nothing before it is replayed (`events` is empty): a client that holds
   * an earlier id would miss it, so it is told to reset instead.
   */
  readonly cutWholeRecord?: boolean;
}

// #region file-format
// A file is a header line, then records:
//   "SSELOG1 <12 hex epoch>\n"
//   [u32 BE body length][u32 BE CRC-32 of body][body = u32 BE seq high, u32 BE seq low, event bytes]
// A crash can leave the last record torn (short, or with a wrong checksum): it is cut on open.
// A bad record with a whole one after it is damage, not a torn end: the file is refused.
const MAGIC = 'SSELOG1 ';
const HEADER_BYTES = MAGIC.length + 12 + 1;
const RECORD_HEAD = 8;
const SEQ_BYTES = 8;
// #endregion file-format

/**
 * An append-only file of encoded events, so `/feed` keeps its epoch and history across restarts.
 *
 * Durability: {@link FileLog.append} writes each record with a synchronous `write()` (the record
 * is in the kernel before `publish` returns, so a crash of the process loses nothing), and
 * {@link FileLog.sync} runs `fdatasync` once per turn of the event loop that published, before those events reach
 * any subscriber or any `202` is sent: no client ever holds an id that a power cut could take
 * back. On open, a torn last record is cut, and the file is rewritten with only the retained
 * events once it holds twice as many (write to a temporary file, fsync, rename).
 *
 * @example
 * ```ts
 * const log = FileLog.open('/var/lib/sse/feed.log');
 * const channel = new Channel({ epoch: log.epoch, history: log.recovery, log });
 * ```
 */
export class FileLog {
  readonly path: string;
  readonly epoch: string;
  /** What was found on open. */
  readonly recovery: Recovery;
  readonly #history: NumberedHistory<Buffer>;
  readonly #keepEvents: number;
  #fd: number;
  #records: number;
  /** Bytes in the file: where the next record starts, and where a failed one is cut back to. */
  #size = 0;
  #compactAt: number;
  #isDirty = false;
  #problem: string | undefined;
  #compactionProblem: string | undefined;
  #broken: FileLogError | undefined;

  private constructor(path: string, epoch: string, recovery: Recovery, keepEvents: number, keepBytes: number, existing?: ExistingFile) {
    this.path = path;
    this.epoch = epoch;
    this.recovery = recovery;
    this.#keepEvents = keepEvents;
    this.#history = new NumberedHistory<Buffer>({ maxEvents: keepEvents, maxBytes: keepBytes }, recovery.head, recovery.events);
    this.#records = recovery.events.length;
    this.#compactAt = 2 * keepEvents;
    this.#fd = -1;
    try {
      this.#rewrite();
    } catch (error) {
      if (existing === undefined) throw error;
      this.#appendToExisting(existing, error as Error);
    }
  }

  /**
   * Opens (or creates) the log at `path`, recovering from a crash: a torn last record is cut.
   *
   * @throws {@link FileLogError} when the file exists but is not a history file, or holds a
   * damaged record followed by whole ones (cutting there would drop acknowledged events and hand
   * their ids out again); the file is left untouched
   * @throws the I/O error when the file cannot be read or written
   */
  static open(path: string, options: FileLogOptions = {}): FileLog {
    checkKnownOptions(options, { keepEvents: true, keepBytes: true, epoch: true } satisfies Record<keyof FileLogOptions, true>, 'FileLog.open');
    const keepEvents = checkInteger(options.keepEvents ?? OPTIONS.historyEvents.default, 'keepEvents');
    const keepBytes = checkInteger(options.keepBytes ?? OPTIONS.historyBytes.default, 'keepBytes');
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (bytes === undefined || bytes.length === 0) {
      const epoch = checkEpoch(options.epoch ?? newEpoch());
      return new FileLog(path, epoch, { head: 0, events: [], truncatedBytes: 0 }, keepEvents, keepBytes);
    }
    const { epoch, recovery, existing } = readLog(path, bytes, keepEvents);
    return new FileLog(path, epoch, recovery, keepEvents, keepBytes, existing);
  }

  /** The last sequence number written. */
  get head(): number {
    return this.#history.head;
  }

  /** Why the last append failed (e.g. `ENOSPC: no space left on device`), until one succeeds. */
  get problem(): string | undefined {
    return this.#broken?.message ?? this.#problem;
  }

  /** Why the last compaction failed, until one succeeds: the file then grows, nothing is lost. */
  get compactionProblem(): string | undefined {
    return this.#compactionProblem;
  }

  /**
   * Appends one event's record with a synchronous write (see the class note on durability).
   *
   * A write that fails part-way (`ENOSPC` after some bytes) is cut back with `ftruncate`, so the
   * file never holds half a record followed by whole ones (a restart stops reading at the first
   * torn record, and would drop every event after it). The next append simply tries again, so
   * publishing resumes by itself once space returns.
   *
   * @param seq - must be `head + 1`
   * @throws RangeError when `seq` is not the next number; the I/O error when the write fails
   * @throws {@link FileLogError} once a failed write could not be cut back: nothing more is written
   */
  append(seq: number, bytes: Buffer): void {
    if (seq !== this.#history.head + 1) throw new RangeError(`The next record is ${this.#history.head + 1}, got ${seq}.`);
    if (this.#broken !== undefined) throw this.#broken;
    const record = encodeRecord(seq, bytes);
    // #region append-or-cut
    try {
      writeAll(this.#fd, record);
    } catch (error) {
      this.#problem = (error as Error).message;
      this.#cutBack();
      throw error;
    }
    // #endregion append-or-cut
    this.#size += record.length;
    this.#problem = undefined;
    this.#history.append(bytes);
    this.#records++;
    this.#isDirty = true;
  }

  /**
   * Flushes appended records to the disk (`fdatasync`), then compacts when the file is twice the
   * kept history. A compaction that fails (no room for the new file, no descriptor) leaves the
   * log as it was and is tried again after another history's worth of events.
   *
   * @throws the I/O error when `fdatasync` fails: what is on disk is then unknown, and carrying on
   * would acknowledge events that may be gone, so the caller must stop (the server crashes and a
   * restart reads back what the file really holds)
   */
  sync(): void {
    if (!this.#isDirty) return;
    fdatasyncSync(this.#fd);
    this.#isDirty = false;
    if (this.#records < this.#compactAt) return;
    try {
      this.#rewrite();
      this.#compactionProblem = undefined;
      this.#compactAt = 2 * this.#keepEvents;
    } catch (error) {
      this.#compactionProblem = (error as Error).message;
      this.#compactAt = this.#records + this.#keepEvents;
    }
  }

  /** Syncs and closes the file. */
  close(): void {
    if (this.#fd === -1) return;
    this.sync();
    closeSync(this.#fd);
    this.#fd = -1;
  }

  /**
   * Opening rewrites the file; when that fails (a full disk has no room for the new file), the
   * existing file is kept and appended to instead, its torn tail cut with `ftruncate` (which
   * needs no room), so a server can restart on a full disk and serve what it stored.
   */
  #appendToExisting(existing: ExistingFile, cause: Error): void {
    const fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND);
    try {
      ftruncateSync(fd, existing.validBytes);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.#fd = fd;
    this.#size = existing.validBytes;
    this.#records = existing.records;
    this.#compactAt = existing.records + this.#keepEvents;
    this.#compactionProblem = cause.message;
  }

  /** Cuts a partly written record off the end; if even that fails, the log stops taking events. */
  #cutBack(): void {
    try {
      ftruncateSync(this.#fd, this.#size);
    } catch (error) {
      this.#broken = new FileLogError(
        `${this.path} ends in a partly written record that could not be cut (${(error as Error).message}); no more events are written to it. Restart the server: the torn record is cut on open.`,
      );
    }
  }

  /**
   * Writes header and retained records to a new file, fsyncs it, renames it over the log. The new
   * file's descriptor, opened before the rename, becomes the log's: after the rename nothing can
   * fail between the file at `path` and the descriptor appends go to.
   */
  #rewrite(): void {
    const events = this.#history.after(this.#history.oldest - 1);
    const parts: Buffer[] = [Buffer.from(`${MAGIC}${this.epoch}\n`, 'latin1')];
    let seq = this.#history.oldest;
    for (const bytes of events) parts.push(encodeRecord(seq++, bytes));
    const content = Buffer.concat(parts);
    const temporary = `${this.path}.tmp`;
    // Whoever can write the directory could plant a link here to a file of ours: unlink whatever
    // is there (rm never follows a link), then create anew, never following one (O_EXCL, and
    // O_NOFOLLOW), readable by this user only: the file holds every published event.
    // O_APPEND: a record cut back after a failed write is followed by the next at the new end.
    rmSync(temporary, { force: true });
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_APPEND, 0o600);
    try {
      writeAll(fd, content);
      fsyncSync(fd);
      renameSync(temporary, this.path);
    } catch (error) {
      closeSync(fd);
      rmSync(temporary, { force: true });
      throw error;
    }
    if (this.#fd !== -1) closeSync(this.#fd);
    this.#fd = fd;
    this.#size = content.length;
    this.#records = events.length;
    syncDirectory(this.path);
  }
}

/** An existing file's whole records: how many, and the bytes they end at. */
interface ExistingFile {
  readonly records: number;
  readonly validBytes: number;
}

/**
 * Reads a log's bytes up to the first record that is torn or out of order. What lies after it
 * is cut on open only if it is a torn end: nothing whole follows. A whole record there means
 * damage in the middle of the file.
 *
 * @throws {@link FileLogError} on a foreign header, or on damage that is not a torn end
 */
function readLog(path: string, bytes: Buffer, keepEvents: number): { epoch: string; recovery: Recovery; existing: ExistingFile } {
  const header = bytes.toString('latin1', 0, HEADER_BYTES);
  const epoch = header.slice(MAGIC.length, MAGIC.length + 12);
  if (!header.startsWith(MAGIC) || !isEpoch(epoch) || header[HEADER_BYTES - 1] !== '\n') {
    throw new FileLogError(`${path} is not an event history file (it does not start with "${MAGIC}<epoch>"); it was left untouched.`);
  }
  const events: Buffer[] = [];
  let head = 0;
  let records = 0;
  let offset = HEADER_BYTES;
  for (let record = recordAt(bytes, offset); record !== undefined; record = recordAt(bytes, offset)) {
    if (head === 0 ? record.seq < 1 || record.seq > Number.MAX_SAFE_INTEGER : record.seq !== head + 1) break;
    head = record.seq;
    records++;
    events.push(Buffer.from(bytes.subarray(record.start + SEQ_BYTES, record.end)) as Buffer);
    if (events.length > keepEvents) events.shift();
    offset = record.end;
  }
  const existing = { records, validBytes: offset };
  if (offset === bytes.length) return { epoch, recovery: { head, events, truncatedBytes: 0 }, existing };
  const refuse = (what: string): FileLogError =>
    new FileLogError(
      `${path}: ${what}. Cutting the file there could drop acknowledged events and hand their ids out again, so it was left untouched. Move it aside to start a new epoch (every client is told to reset), or restore it from a backup.`,
    );
  const misplaced = recordAt(bytes, offset);
  if (misplaced !== undefined) {
    throw refuse(`the record at byte ${offset} holds event ${misplaced.seq} where ${head === 0 ? 'one from 1 to 2^53 - 1' : head + 1} was expected`);
  }
  const next = findRecord(bytes, offset + 1, head);
  if (next !== undefined) throw refuse(`the record at byte ${offset} is unreadable, and a whole record (event ${next.seq}) follows it at byte ${next.offset}`);
  const length = bytes.length - offset >= RECORD_HEAD ? bytes.readUInt32BE(offset) : 0;
  const isWhole = length >= SEQ_BYTES && offset + RECORD_HEAD + length <= bytes.length;
  const truncatedBytes = bytes.length - offset;
  if (!isWhole) return { epoch, recovery: { head, events, truncatedBytes }, existing };
  // A whole record with a bad checksum may have been synced, acknowledged and delivered before
  // it went bad: its number (the one after head) stays used, and a replay across it would have
  // a hole. As the first record, its number is unknown (a file starts wherever compaction left it).
  if (records === 0) throw refuse(`its only record, at byte ${offset}, is unreadable, and the last event number it used is unknown`);
  return { epoch, recovery: { head: head + 1, events: [], truncatedBytes, cutWholeRecord: true }, existing: { records: 0, validBytes: HEADER_BYTES } };
}

/** The record at `offset` if it is whole and its checksum holds. */
function recordAt(bytes: Buffer, offset: number): { seq: number; start: number; end: number } | undefined {
  if (offset + RECORD_HEAD > bytes.length) return undefined;
  const length = bytes.readUInt32BE(offset);
  const start = offset + RECORD_HEAD;
  const end = start + length;
  if (length < SEQ_BYTES || end > bytes.length) return undefined;
  if (crc32(bytes.subarray(start, end)) !== bytes.readUInt32BE(offset + 4)) return undefined;
  return { seq: bytes.readUInt32BE(start) * 2 ** 32 + bytes.readUInt32BE(start + 4), start, end };
}

/**
 * The first whole record from `from` on that could come after `head`, trying every byte offset
 * (a damaged length field hides where the next record starts). Only offsets whose number could
 * follow `head` within the bytes left are checksummed, so garbage costs little.
 */
function findRecord(bytes: Buffer, from: number, head: number): { offset: number; seq: number } | undefined {
  const smallest = RECORD_HEAD + SEQ_BYTES;
  const highest = head + Math.ceil((bytes.length - from) / smallest);
  for (let offset = from; offset + smallest <= bytes.length; offset++) {
    const seq = bytes.readUInt32BE(offset + RECORD_HEAD) * 2 ** 32 + bytes.readUInt32BE(offset + RECORD_HEAD + 4);
    if (seq <= head || seq > highest) continue;
    const record = recordAt(bytes, offset);
    if (record !== undefined) return { offset, seq };
  }
  return undefined;
}

function encodeRecord(seq: number, bytes: Buffer): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEAD + SEQ_BYTES + bytes.length);
  record.writeUInt32BE(SEQ_BYTES + bytes.length, 0);
  record.writeUInt32BE(Math.floor(seq / 2 ** 32), RECORD_HEAD);
  record.writeUInt32BE(seq >>> 0, RECORD_HEAD + 4);
  bytes.copy(record, RECORD_HEAD + SEQ_BYTES);
  record.writeUInt32BE(crc32(record.subarray(RECORD_HEAD)), 4);
  return record;
}

function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written);
}

/** A rename is durable only once the directory entry is on disk too. */
function syncDirectory(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

import { closeSync, constants, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { checkEpoch, isEpoch, newEpoch } from '../hub/epoch.js';
import { checkInteger, checkKnownOptions } from '../options/check.js';
import { NumberedHistory } from '../hub/numbered-history.js';
import { OPTIONS } from '../options/table.js';

/** The file does not hold a history this version can read: it is left untouched. */
export class FileLogError extends Error {
  readonly code = 'SSE_ERR_HISTORY_FILE';

  constructor(message: string) {
    super(message);
    this.name = 'FileLogError';
  }
}

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
  /** The last stored sequence number (0: none). */
  readonly head: number;
  /** The retained events, oldest first, ending at `head`. */
  readonly events: readonly Buffer[];
  /** Bytes cut from the end: a record torn by a crash (0 after a clean stop). */
  readonly truncatedBytes: number;
}

// #region file-format
// A file is a header line, then records:
//   "SSELOG1 <12 hex epoch>\n"
//   [u32 BE body length][u32 BE CRC-32 of body][body = u32 BE seq high, u32 BE seq low, event bytes]
// A crash can leave the last record torn (short, or with a wrong checksum): it is cut on open.
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
 * {@link FileLog.sync} runs `fdatasync` once per event-loop pass, before that pass's events reach
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
  readonly #history: NumberedHistory;
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
    this.#history = new NumberedHistory({ maxEvents: keepEvents, maxBytes: keepBytes }, recovery.head, recovery.events);
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
   * @throws {@link FileLogError} when the file exists but is not a history file
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
    // O_APPEND: a record cut back after a failed write is followed by the next at the new end.
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND);
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

/** Reads a log's bytes, stopping at the first record that is torn or out of order. */
/** An existing file's whole records: how many, and the bytes they end at. */
interface ExistingFile {
  readonly records: number;
  readonly validBytes: number;
}

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
  while (offset + RECORD_HEAD <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const end = offset + RECORD_HEAD + length;
    if (length < SEQ_BYTES || end > bytes.length) break;
    const body = bytes.subarray(offset + RECORD_HEAD, end);
    if (crc32(body) !== bytes.readUInt32BE(offset + 4)) break;
    const seq = body.readUInt32BE(0) * 2 ** 32 + body.readUInt32BE(4);
    if (head === 0 ? seq < 1 : seq !== head + 1) break;
    head = seq;
    records++;
    events.push(Buffer.from(body.subarray(SEQ_BYTES)) as Buffer);
    if (events.length > keepEvents) events.shift();
    offset = end;
  }
  return { epoch, recovery: { head, events, truncatedBytes: bytes.length - offset }, existing: { records, validBytes: offset } };
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

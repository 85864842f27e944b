import { closeSync, copyFileSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { RegistryEvent } from '../../core/events';
import { fileSystemError, withFileSystemErrors } from '../fileSystemErrors';
import { RegistryError } from '../../core/registryError';
import { fsyncDirectory, removeIfPresent, renameWithRetry, temporaryNameFor } from './atomicFile';

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** One line of the log as stored, before it is parsed. */
export interface RawOpLogLine {
  bytes: Buffer;
  /** Byte offset of its first byte. */
  start: number;
  /** Byte offset just past its newline (or past its last byte, when it has none). */
  end: number;
  /** False for a last line without its newline: a write cut short, or one under way right now. */
  complete: boolean;
}

export interface OpLogLine {
  events: RegistryEvent[];
  /** Byte offset just past this line: where reading resumes. */
  endOffset: number;
}

/**
 * The local op log: one JSON line per mutation (a batch of events written at once), appended and
 * fsync'd before the mutation is acknowledged. It is the durable truth; the database is a
 * snapshot of it. A last line without its newline was cut off by a crash (or is being written by
 * another process right now): it is not part of the log, and the next writer removes it.
 */
export class OpLog {
  constructor(readonly file: string) {}

  /**
   * The file's identity and length from one stat: a log rewritten by sync (renamed into place) is a
   * new inode; no file yet is no inode and length 0.
   */
  fileState(): { inode: number | undefined; size: number } {
    const stats = statSync(this.file, { throwIfNoEntry: false });
    return { inode: stats?.ino, size: stats?.size ?? 0 };
  }

  /** Complete lines after `offset`, read in bounded chunks, whatever the log's size; throws CORRUPT at a line that is not a batch. */
  *linesAfter(offset: number): Generator<OpLogLine> {
    for (const line of this.rawLinesAfter(offset)) {
      if (!line.complete) return;
      yield { events: parseLine(line.bytes.toString('utf8'), line.start, this.file), endOffset: line.end };
    }
  }

  /**
   * Every line after `offset` as bytes, unparsed, the last one possibly without its newline
   * (`complete: false`): for the readers that must get past damage (scan, repair).
   */
  *rawLinesAfter(offset: number): Generator<RawOpLogLine> {
    if (!existsSync(this.file)) return;
    const fd = openSync(this.file, 'r');
    try {
      const end = fstatSync(fd).size;
      let position = offset;
      let pending: Buffer[] = [];
      let pendingStart = offset;
      const chunk = Buffer.allocUnsafe(CHUNK);
      while (position < end) {
        const read = readSync(fd, chunk, 0, Math.min(CHUNK, end - position), position);
        if (read === 0) break;
        let lineStart = 0;
        for (let newline = chunk.indexOf(NEWLINE, 0); newline >= 0 && newline < read; newline = chunk.indexOf(NEWLINE, lineStart)) {
          pending.push(chunk.subarray(lineStart, newline));
          const endOffset = position + newline + 1;
          yield { bytes: Buffer.concat(pending), start: pendingStart, end: endOffset, complete: true };
          pending = [];
          pendingStart = endOffset;
          lineStart = newline + 1;
        }
        if (lineStart < read) pending.push(Buffer.from(chunk.subarray(lineStart, read)));
        position += read;
      }
      if (pending.length > 0) yield { bytes: Buffer.concat(pending), start: pendingStart, end: position, complete: false };
    } finally {
      closeSync(fd);
    }
  }

  /** The batch a raw line holds, or undefined when it holds none (damage). */
  static parse(line: RawOpLogLine): RegistryEvent[] | undefined {
    try {
      return parseLine(line.bytes.toString('utf8'), line.start, '');
    } catch {
      return undefined;
    }
  }

  /** Cuts the log back to `length` bytes (the caller holds the writer lock and has kept what it cuts). */
  truncate(length: number): void {
    withFileSystemErrors(this.file, `cut the op log ${this.file} back to ${length} bytes`, () => {
      const fd = openSync(this.file, 'r+');
      try {
        ftruncateSync(fd, length);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    });
  }

  static encode(events: readonly RegistryEvent[]): Buffer {
    return Buffer.from(`${JSON.stringify(events)}\n`, 'utf8');
  }

  /**
   * Appends one encoded batch durably at `at`, where the caller (holding the writer lock) has read
   * the log up to. A torn line left there by a killed writer is cut off first.
   */
  append(line: Buffer, at: number): void {
    const isNew = !existsSync(this.file);
    const fd = withFileSystemErrors(this.file, `write to the op log ${this.file}`, () => openSync(this.file, isNew ? 'wx+' : 'r+'));
    try {
      const end = completeLength(fd);
      if (end !== at) {
        throw new RegistryError('CONFLICT', `The op log ${this.file} changed while this process held the writer lock (expected ${at} bytes, found ${end}); nothing was written. Try again.`);
      }
      if (end < fstatSync(fd).size) ftruncateSync(fd, end);
      try {
        let written = 0;
        while (written < line.length) written += writeSync(fd, line, written, line.length - written, end + written);
        fsyncSync(fd);
        if (isNew) fsyncDirectory(path.dirname(this.file));
      } catch (error) {
        // A full disk took part of the line: take it back, so the log ends where it did.
        try {
          ftruncateSync(fd, end);
        } catch {
          // then the next writer cuts it, as it cuts a torn line
        }
        throw fileSystemError(error, this.file, `write to the op log ${this.file} (nothing was recorded)`);
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The events of the line that ends exactly at `offset`, or undefined when `offset` is not the end
   * of a line (or the line is too long to look at cheaply).
   */
  lineEndingAt(offset: number): RegistryEvent[] | undefined {
    if (offset <= 0 || !existsSync(this.file)) return undefined;
    const fd = openSync(this.file, 'r');
    try {
      if (fstatSync(fd).size < offset) return undefined;
      const length = Math.min(offset, 1024 * 1024);
      const buffer = Buffer.allocUnsafe(length);
      const read = readSync(fd, buffer, 0, length, offset - length);
      if (read !== length || buffer[length - 1] !== NEWLINE) return undefined;
      const start = buffer.subarray(0, length - 1).lastIndexOf(NEWLINE);
      if (start < 0 && length < offset) return undefined;
      try {
        return parseLine(buffer.subarray(start + 1, length - 1).toString('utf8'), offset, this.file);
      } catch {
        return undefined;
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Replaces everything after `offset` with `lines`: the new log is written beside the old one and
   * renamed over it, so readers see the old log or the new one, never a mix, and a crash at any
   * instant leaves one of the two. The rename gives the log a new identity (inode), which tells
   * other processes that have it open to reload.
   */
  rewriteFrom(offset: number, lines: readonly Buffer[]): void {
    const temporary = temporaryNameFor(this.file);
    try {
      this.writeRewritten(temporary, offset, lines);
    } catch (error) {
      throw fileSystemError(error, this.file, `rewrite the op log ${this.file} (it was left as it was)`);
    } finally {
      removeIfPresent(temporary);
    }
  }

  /** Writes the rewritten log beside the old one and renames it into place. */
  private writeRewritten(temporary: string, offset: number, lines: readonly Buffer[]): void {
    if (existsSync(this.file)) copyFileSync(this.file, temporary);
    const fd = openSync(temporary, existsSync(temporary) ? 'r+' : 'wx+');
    try {
      ftruncateSync(fd, offset);
      let position = offset;
      for (const line of lines) {
        let written = 0;
        while (written < line.length) written += writeSync(fd, line, written, line.length - written, position + written);
        position += line.length;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameWithRetry(temporary, this.file);
    fsyncDirectory(path.dirname(this.file));
  }
}

function parseLine(text: string, offset: number, file: string): RegistryEvent[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.length > 0) return parsed as RegistryEvent[];
  } catch {
    // reported below
  }
  throw new RegistryError(
    'CORRUPT',
    `The op log ${file} is damaged at byte ${offset}: that line is not a batch of events. The registry cannot be replayed past it; restore the file from a backup or the shared store.`,
  );
}

/** Length of the log up to and including its last newline. */
function completeLength(fd: number): number {
  let end = fstatSync(fd).size;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  while (end > 0) {
    const start = Math.max(0, end - buffer.length);
    const read = readSync(fd, buffer, 0, end - start, start);
    const newline = buffer.subarray(0, read).lastIndexOf(NEWLINE);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

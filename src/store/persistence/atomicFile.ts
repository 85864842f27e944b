import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileSystemError, withFileSystemErrors } from '../fileSystemErrors';
import { sha256Hex } from '../../core/sha256';

const TEMPORARY = /^\.tmp-([0-9a-f]{8})-(\d+)-/;
const thisHost = sha256Hex(hostname()).slice(0, 8);

/** A unique temporary name beside `file`, carrying host and pid so that leftovers of dead processes can be recognised. */
export function temporaryNameFor(file: string): string {
  return path.join(path.dirname(file), `.tmp-${thisHost}-${process.pid}-${randomBytes(6).toString('hex')}-${path.basename(file)}`);
}

/** Removes temporary files that processes of this machine left behind when they were killed. */
export function removeDeadTemporaries(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || match[1] !== thisHost || processIsAlive(Number(match[2]))) continue;
    try {
      unlinkSync(path.join(dir, name));
    } catch {
      // someone else cleaned it
    }
  }
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes a rename or a new file in `dir` survive a power cut (no-op where directories can't be opened). */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open directories; its renames are durable by other means.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Renames, retrying briefly: on Windows a virus scanner or indexer holding the file makes renames
 * fail with EPERM/EBUSY/EACCES for a moment, as VS Code's own file service also works around.
 */
export function renameWithRetry(from: string, to: string): void {
  const deadline = Date.now() + 2000;
  for (;;) {
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!['EPERM', 'EBUSY', 'EACCES'].includes(code ?? '') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

/**
 * Creates `file` (which must not exist) with `data`, and fsyncs it. On failure (a full disk, a
 * read-only folder) nothing is left behind, and the error names the file and what to do.
 */
export function writeFileDurably(file: string, data: Uint8Array | string): void {
  writeNewFile(file, data, { durable: true });
}

function writeNewFile(file: string, data: Uint8Array | string, { durable }: { durable: boolean }): void {
  const fd = withFileSystemErrors(file, `create ${file}`, () => openSync(file, 'wx'));
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    if (durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeIfPresent(file);
    throw fileSystemError(error, file, `write ${file}`);
  }
  closeSync(fd);
}

/**
 * Write to a temporary file, fsync, rename over the target: readers see the old or the new file,
 * never a mix. `durable: false` is for caches, which a crash may lose (they are rebuilt) but must
 * not tear: the rename still makes the switch atomic, only the two fsyncs are left out (on a
 * 2-core VM they were two of the seven a registration waited for).
 */
export function writeFileAtomic(file: string, data: Uint8Array | string, { durable = true }: { durable?: boolean } = {}): void {
  const temporary = temporaryNameFor(file);
  writeNewFile(temporary, data, { durable });
  try {
    renameWithRetry(temporary, file);
  } catch (error) {
    removeIfPresent(temporary);
    throw fileSystemError(error, file, `replace ${file}`);
  }
  if (durable) fsyncDirectory(path.dirname(file));
}

/** Deletes what a failed write left; a file already gone (or not deletable either) is left to the next cleanup. */
export function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already, or the folder refuses changes: removeDeadTemporaries gets it later
  }
}

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { makeFolder } from '../fileSystemErrors';
import { sha256Hex } from '../../core/sha256';
import { removeDeadTemporaries, writeFileAtomic } from './atomicFile';
import type { StatCache } from '../statCache';

const NAME = /^(\d{20})-([0-9a-f]{64})\.sqlite$/;
/** Generations kept, so a damaged newest snapshot (or one past damage in the log) leaves an older one to rebuild from. */
const KEEP = 3;

export interface SnapshotFile {
  seq: number;
  sha256: string;
  file: string;
}

/**
 * Database snapshots, named `<last event seq>-<sha256 of the bytes>.sqlite`. The name carries the
 * checksum, so a damaged or half-copied file is recognised before sql.js ever reads it, and the
 * next older snapshot (or the op log alone) rebuilds the registry instead.
 */
export class SnapshotFiles {
  /**
   * With `verified`, a snapshot whose bytes matched its name once is trusted while its stat
   * (size, mtime, ctime, inode) is unchanged, as blobs are: hashing 130 MB on every open was a
   * third of opening a 100k-version registry. Without it (repair) every read is hashed.
   */
  constructor(
    readonly dir: string,
    private readonly verified?: StatCache,
  ) {}

  list(): SnapshotFile[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .map((name) => NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ seq: Number(match[1]), sha256: match[2], file: path.join(this.dir, match[0]) }))
      .sort((a, b) => b.seq - a.seq);
  }

  newestSeq(): number {
    return this.list()[0]?.seq ?? 0;
  }

  /** The newest snapshot whose bytes match its name; damaged ones are reported and skipped. */
  readNewestIntact(onDamaged: (file: string) => void): { seq: number; data: Buffer; hashed: boolean } | undefined {
    for (const snapshot of this.list()) {
      let read: { data: Buffer; sha256: string; hashed: boolean };
      try {
        read = this.readChecked(snapshot);
      } catch (error) {
        // Pruned by another process between listing and reading: not damage, just gone.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      if (read.sha256 === snapshot.sha256) return { seq: snapshot.seq, data: read.data, hashed: read.hashed };
      onDamaged(snapshot.file);
    }
    return undefined;
  }

  private readChecked(snapshot: SnapshotFile): { data: Buffer; sha256: string; hashed: boolean } {
    const fd = openSync(snapshot.file, 'r');
    try {
      const observedAtNs = BigInt(Date.now()) * 1_000_000n;
      const stats = fstatSync(fd, { bigint: true });
      const size = Number(stats.size);
      if (this.verified?.get(snapshot.file, stats) === snapshot.sha256) return { data: readAll(fd, size), sha256: snapshot.sha256, hashed: false };
      const read = readAndHash(fd, size);
      if (read.sha256 === snapshot.sha256) this.verified?.set(snapshot.file, { stats, observedAtNs }, read.sha256);
      return { ...read, hashed: true };
    } finally {
      closeSync(fd);
    }
  }

  write(data: Uint8Array, seq: number): void {
    makeFolder(this.dir, `create the snapshot folder ${this.dir}`);
    removeDeadTemporaries(this.dir);
    const name = `${String(seq).padStart(20, '0')}-${sha256Hex(data)}.sqlite`;
    writeFileAtomic(path.join(this.dir, name), data);
    for (const old of this.list().slice(KEEP)) {
      try {
        unlinkSync(old.file);
      } catch {
        // another process pruned it first
      }
    }
  }
}

/** One pass: each 4 MiB is hashed right after it is read, while it is still in the CPU's cache. */
function readAndHash(fd: number, size: number): { data: Buffer; sha256: string } {
  const hash = createHash('sha256');
  const data = readAll(fd, size, (chunk) => hash.update(chunk));
  return { data, sha256: hash.digest('hex') };
}

function readAll(fd: number, size: number, onChunk?: (chunk: Buffer) => void): Buffer {
  const data = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, data, offset, Math.min(4 * 1024 * 1024, size - offset), offset);
    if (read === 0) break;
    onChunk?.(data.subarray(offset, offset + read));
    offset += read;
  }
  // A file cut short while it was read: what was read is all there is (and will not match its name).
  return offset === size ? data : data.subarray(0, offset);
}

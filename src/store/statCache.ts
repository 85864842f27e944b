import { mkdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './persistence/atomicFile';
import { sha256Hex } from '../core/sha256';
import { hashFile, type HashOptions } from './fileHashing';

interface Entry {
  path: string;
  size: string;
  mtimeNs: string;
  ino: string;
  dev: string;
  sha256: string;
}

/**
 * Remembers the sha256 of files by (path, size, mtime, inode, device), so re-registering or checking
 * an unchanged multi-GB file costs a stat, not a read. Any change of those fields means re-hash.
 * One small file per path: no shared index to rewrite, and concurrent writers cannot clash.
 */
export class StatCache {
  constructor(private readonly dir: string) {}

  get(file: string, stats: BigIntStats): string | undefined {
    const known = this.lookup(file, stats);
    return known?.current ? known.sha256 : undefined;
  }

  /**
   * What the cache last knew of the file: its sha256 then, and whether the file still looks the same
   * (`current`). A stale entry tells which content the file had before it was changed.
   */
  lookup(file: string, stats: BigIntStats): { sha256: string; current: boolean } | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(this.entryFile(file), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    if (!/^[0-9a-f]{64}$/.test(entry.sha256)) return undefined;
    const key = keyOf(file, stats);
    const current = entry.path === key.path && entry.size === key.size && entry.mtimeNs === key.mtimeNs && entry.ino === key.ino && entry.dev === key.dev;
    return { sha256: entry.sha256, current };
  }

  set(file: string, stats: BigIntStats, sha256: string): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.entryFile(file), JSON.stringify({ ...keyOf(file, stats), sha256 }));
  }

  /**
   * The file's sha256, read from the cache when the file is unchanged, else hashed and remembered
   * (unless `remember` is false: a dry run writes nothing).
   */
  async hash(file: string, options: HashOptions & { remember?: boolean } = {}): Promise<{ sha256: string; size: number }> {
    const stats = statSync(file, { bigint: true });
    const cached = this.get(file, stats);
    if (cached) return { sha256: cached, size: Number(stats.size) };
    const result = await hashFile(file, options);
    if (options.remember !== false) this.set(file, stats, result.sha256);
    return result;
  }

  private entryFile(file: string): string {
    return path.join(this.dir, `${sha256Hex(path.resolve(file))}.json`);
  }
}

function keyOf(file: string, stats: BigIntStats): Omit<Entry, 'sha256'> {
  return { path: path.resolve(file), size: String(stats.size), mtimeNs: String(stats.mtimeNs), ino: String(stats.ino), dev: String(stats.dev) };
}

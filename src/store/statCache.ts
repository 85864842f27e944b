import { mkdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './persistence/atomicFile';
import { sha256Hex } from '../core/sha256';
import { hashFile, type HashOptions } from './fileHashing';

interface Entry {
  path: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  dev: string;
  sha256: string;
  /** The file had changed too shortly before it was observed for its timestamps to vouch for its content. */
  racy?: boolean;
}

/** A file's stat taken just before its content was read, and when (wall clock, ns). */
export interface ObservedFile {
  stats: BigIntStats;
  observedAtNs: bigint;
}

/**
 * Timestamps are coarse (a kernel tick on Linux, 2 s on FAT, another machine's clock on a share):
 * a write in the same tick as the observation leaves size, mtime and ctime as they were. A file
 * changed less than this before it was observed is hashed again next time, as git treats a
 * "racily clean" index entry.
 */
const RACY_WINDOW_NS = 2_000_000_000n;

/** Stats a file and notes when, for `StatCache.set` after its content has been read. */
export async function observeFile(file: string): Promise<ObservedFile> {
  const observedAtNs = BigInt(Date.now()) * 1_000_000n;
  return { stats: await stat(file, { bigint: true }), observedAtNs };
}

/** Whether `observed` was taken so soon after the file's last change that a further change may not show in its stat. */
export function changedTooRecently({ stats, observedAtNs }: ObservedFile): boolean {
  const changedAtNs = stats.mtimeNs > stats.ctimeNs ? stats.mtimeNs : stats.ctimeNs;
  return changedAtNs + RACY_WINDOW_NS > observedAtNs;
}

/**
 * Remembers the sha256 of files by (path, size, mtime, ctime, inode, device), so re-registering or
 * checking an unchanged multi-GB file costs a stat, not a read. Any change of those fields means
 * re-hash. ctime matters: `cp -p`, rsync and archive extraction overwrite a file in place with
 * bytes of the same size and put the old mtime back, but cannot set ctime. One small file per
 * path: no shared index to rewrite, and concurrent writers cannot clash.
 */
export class StatCache {
  constructor(private readonly dir: string) {}

  /** The cached sha256 when the file is unchanged since it was hashed and nothing casts doubt on it. */
  get(file: string, stats: BigIntStats): string | undefined {
    const entry = this.read(file);
    return entry && !entry.racy && matches(entry, file, stats) ? entry.sha256 : undefined;
  }

  /**
   * What the cache last knew of the file: its sha256 then, and whether the file still looks the same
   * (`current`). A stale entry tells which content the file had before it was changed.
   */
  lookup(file: string, stats: BigIntStats): { sha256: string; current: boolean } | undefined {
    const entry = this.read(file);
    return entry ? { sha256: entry.sha256, current: matches(entry, file, stats) } : undefined;
  }

  /** Records the hash of the content read after `observed` was taken. */
  set(file: string, observed: ObservedFile, sha256: string): void {
    const { stats } = observed;
    const racy = changedTooRecently(observed);
    try {
      mkdirSync(this.dir, { recursive: true });
      // A cache entry a crash loses costs one hash; it need not wait for the disk.
      writeFileAtomic(this.entryFile(file), JSON.stringify({ ...keyOf(file, stats), sha256, ...(racy ? { racy } : {}) }), { durable: false });
    } catch {
      // Only a shortcut is lost (the file is hashed again next time); a full disk or a read-only
      // cache folder must not fail the work that hashed it.
    }
  }

  /**
   * The file's sha256, read from the cache when the file is unchanged, else hashed and remembered
   * (unless `remember` is false: a dry run writes nothing).
   */
  async hash(file: string, options: HashOptions & { remember?: boolean } = {}): Promise<{ sha256: string; size: number }> {
    const observed = await observeFile(file);
    const cached = this.get(file, observed.stats);
    if (cached) return { sha256: cached, size: Number(observed.stats.size) };
    const result = await hashFile(file, options);
    if (options.remember !== false && sameFile(observed.stats, statSync(file, { bigint: true }))) this.set(file, observed, result.sha256);
    return result;
  }

  private read(file: string): Entry | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.entryFile(file), 'utf8')) as Entry;
      return typeof entry.sha256 === 'string' && /^[0-9a-f]{64}$/.test(entry.sha256) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  private entryFile(file: string): string {
    return path.join(this.dir, `${sha256Hex(path.resolve(file))}.json`);
  }
}

/** True when two stats of one path show the same, unchanged file. */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

function matches(entry: Entry, file: string, stats: BigIntStats): boolean {
  const key = keyOf(file, stats);
  // An entry written before ctime was recorded has none, and so never matches: it is hashed again once.
  return entry.path === key.path && entry.size === key.size && entry.mtimeNs === key.mtimeNs && entry.ctimeNs === key.ctimeNs && entry.ino === key.ino && entry.dev === key.dev;
}

function keyOf(file: string, stats: BigIntStats): Omit<Entry, 'sha256' | 'racy'> {
  return { path: path.resolve(file), size: String(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs), ino: String(stats.ino), dev: String(stats.dev) };
}

import { existsSync, readdirSync, type Dirent, readFileSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, removeDeadTemporaries, renameWithRetry, temporaryNameFor, writeFileDurably } from './persistence/atomicFile';
import { makeFolder, withFileSystemErrors, withFileSystemErrorsAsync } from './fileSystemErrors';
import { RegistryError } from '../core/registryError';
import { SHA256_HEX, sha256Hex } from '../core/sha256';
import { copyAndHash, hashFile, hashWhileCopying, type HashOptions } from './fileHashing';
import { changedTooRecently, observeFile, sameFile, type StatCache } from './statCache';

export interface StoredBlob {
  sha256: string;
  size: number;
}

/**
 * Content-addressed storage: `blobs/sha256/ab/<hash>`. A blob is written to a temporary file and
 * renamed into place only once its hash is known, so a blob file always holds the bytes its name
 * says; an existing blob is never written again (dedup across versions and models).
 */
export class BlobStore {
  readonly root: string;
  private readonly temporaryDir: string;

  constructor(
    registryFolder: string,
    private readonly statCache?: StatCache,
  ) {
    this.root = path.join(registryFolder, 'blobs', 'sha256');
    this.temporaryDir = path.join(registryFolder, 'tmp');
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new RegistryError('CORRUPT', `'${sha256}' is not a sha256 digest.`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** Stores a file, reading it once; unchanged files known to the stat cache are not read at all. */
  async putFile(file: string, options: HashOptions = {}): Promise<StoredBlob> {
    const observed = await observeFile(file);
    const before = observed.stats;
    if (!before.isFile()) throw new RegistryError('INVALID_INPUT', `${file} is not a regular file.`);
    const cached = this.statCache?.get(file, before);
    if (cached && this.reuse(cached)) {
      options.onProgress?.(Number(before.size));
      return { sha256: cached, size: Number(before.size) };
    }

    this.makeTemporaryDir();
    const temporary = temporaryNameFor(path.join(this.temporaryDir, 'blob'));
    try {
      // The kernel copy and the hash each read the source: they saw the same bytes only if the source
      // stayed as it was from before the first read to after the last, which its stat shows. A write
      // in the same timestamp tick as the first stat would not show, so a file changed that recently
      // is copied through this thread instead, which writes exactly the bytes it hashes.
      const copy = changedTooRecently(observed) ? copyAndHash : hashWhileCopying;
      const result = await withFileSystemErrorsAsync(this.temporaryDir, `copy ${file} into the registry (nothing was registered)`, () => copy(file, temporary, options));
      if (!sameFile(before, await stat(file, { bigint: true }))) {
        throw new RegistryError('CONFLICT', `${file} changed while it was being read; register it again once it is no longer being written.`);
      }
      this.moveIntoPlace(temporary, result.sha256);
      this.statCache?.set(file, observed, result.sha256);
      return result;
    } finally {
      if (existsSync(temporary)) unlinkSync(temporary);
    }
  }

  putBytes(bytes: Uint8Array): StoredBlob {
    const sha256 = sha256Hex(bytes);
    if (!this.reuse(sha256)) {
      this.makeTemporaryDir();
      const temporary = temporaryNameFor(path.join(this.temporaryDir, 'blob'));
      writeFileDurably(temporary, bytes);
      this.moveIntoPlace(temporary, sha256);
    }
    return { sha256, size: bytes.length };
  }

  /**
   * Takes a file downloaded into this store's temporary folder as blob `sha256`, after checking that
   * its bytes hash to that (`downloaded`: what the download hashed as it wrote them, so the file is
   * not read again); a file that does not is deleted and reported.
   */
  async adopt(temporary: string, sha256: string, source: string, downloaded: { sha256: string }): Promise<string> {
    try {
      const actual = downloaded.sha256;
      if (actual !== sha256) throw new RegistryError('CORRUPT', `Blob ${sha256} from ${source} is damaged: its bytes hash to ${actual}. It was not used; run 'mreg verify --store'.`);
      this.moveIntoPlace(temporary, sha256);
      return this.pathOf(sha256);
    } finally {
      if (existsSync(temporary)) unlinkSync(temporary);
    }
  }

  /** A fresh temporary name on the blob store's filesystem, for a download to be adopted. */
  temporaryFile(): string {
    this.makeTemporaryDir();
    return temporaryNameFor(path.join(this.temporaryDir, 'download'));
  }

  /** Reads a small blob (a manifest) and checks it is what its name says. */
  readBytes(sha256: string): Buffer {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.pathOf(sha256));
    } catch {
      throw new RegistryError('NOT_FOUND', `Blob ${sha256} is missing from ${this.root}. Run 'mreg verify' to list what else is missing.`);
    }
    if (sha256Hex(bytes) !== sha256) throw new RegistryError('CORRUPT', `Blob ${sha256} is damaged: its content no longer matches its hash. Run 'mreg verify'.`);
    return bytes;
  }

  /** Re-hashes one blob; the name is what it must match. */
  async check(sha256: string, options: HashOptions = {}): Promise<'ok' | 'missing' | 'damaged'> {
    const file = this.pathOf(sha256);
    if (!existsSync(file)) return 'missing';
    const { sha256: actual } = await hashFile(file, options);
    return actual === sha256 ? 'ok' : 'damaged';
  }

  /**
   * Every stored digest with its size. Only regular files named by their full hash in the folder of
   * their first two hex digits are blobs; anything else (`.DS_Store`, an editor backup, a misplaced
   * copy) is a stray that `strays()` lists and nothing here reads, removes or counts.
   */
  *list(): Generator<StoredBlob> {
    for (const entry of this.entries()) if (entry.blob) yield entry.blob;
  }

  /** Paths under the blob folder that are not blobs, for `mreg verify` to report. */
  strays(): string[] {
    const found: string[] = [];
    for (const entry of this.entries()) if (!entry.blob) found.push(entry.path);
    return found;
  }

  private *entries(): Generator<{ path: string; blob?: StoredBlob }> {
    for (const prefix of readdirOrEmpty(this.root)) {
      const folder = path.join(this.root, prefix.name);
      if (!prefix.isDirectory() || !/^[0-9a-f]{2}$/.test(prefix.name)) {
        yield { path: folder };
        continue;
      }
      for (const entry of readdirOrEmpty(folder)) {
        const file = path.join(folder, entry.name);
        if (entry.isFile() && SHA256_HEX.test(entry.name) && entry.name.startsWith(prefix.name)) yield { path: file, blob: { sha256: entry.name, size: statSync(file).size } };
        else yield { path: file };
      }
    }
  }

  /**
   * Removes a blob (garbage collection; the caller holds the writer lock and has checked that no
   * version refers to it). False when it was already gone.
   */
  remove(sha256: string): boolean {
    try {
      unlinkSync(this.pathOf(sha256));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new RegistryError('IO', `Cannot remove blob ${sha256}: ${(error as Error).message}`);
    }
  }

  /** When the blob was last written or reused; undefined when it is not stored. */
  lastUsed(sha256: string): Date | undefined {
    try {
      return statSync(this.pathOf(sha256)).mtime;
    } catch {
      return undefined;
    }
  }

  /**
   * Marks an existing blob as just used, so a garbage collection running meanwhile sees it as new
   * and leaves it for its grace period; false when the blob is not stored.
   */
  private reuse(sha256: string): boolean {
    try {
      const now = new Date();
      utimesSync(this.pathOf(sha256), now, now);
      return true;
    } catch (error) {
      // A blob we may not touch (another user's) is still there to use.
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }

  /** Removes what killed processes of this machine left half-written. */
  removeLeftovers(): void {
    removeDeadTemporaries(this.temporaryDir);
  }

  private moveIntoPlace(temporary: string, sha256: string): void {
    const target = this.pathOf(sha256);
    if (this.reuse(sha256)) return;
    makeFolder(path.dirname(target), `store blob ${sha256}`);
    withFileSystemErrors(target, `store blob ${sha256}`, () => renameWithRetry(temporary, target));
    fsyncDirectory(path.dirname(target));
  }

  private makeTemporaryDir(): void {
    makeFolder(this.temporaryDir, `create the registry's temporary folder ${this.temporaryDir}`);
  }
}

/** A folder's entries in name order; none when it does not exist (yet). */
function readdirOrEmpty(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

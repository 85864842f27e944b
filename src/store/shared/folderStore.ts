import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, removeDeadTemporaries, renameWithRetry, temporaryNameFor, writeFileDurably } from '../persistence/atomicFile';
import { RegistryError } from '../../core/registryError';
import { copyAndHash, resumeCopyAndHash } from '../fileHashing';
import { blobSha256Of, type SharedStore, type StoreObject } from './sharedStore';
import type { UploadJournal, UploadRecord } from './uploadJournal';

/** Temporary files of a folder store live under this key, out of listings of the store's objects. */
const TEMPORARY_DIR_KEY = 'tmp';
const PARTIAL_ID_PREFIX = 'partial-';
/** The keys of the partial copies uploads resume from; store gc removes abandoned ones. */
export const PARTIAL_UPLOAD_PREFIX = `${TEMPORARY_DIR_KEY}/${PARTIAL_ID_PREFIX}`;

/**
 * A store in a folder: local disk, NFS (v3 or later) or SMB share. Every object is written in full
 * to a temporary file first and only then given its name, so a writer killed mid-way leaves at
 * most a temporary file, never a half-written object. Create-only is a hard link, which fails
 * when the name exists — atomic on local filesystems and the classic lock primitive on NFS.
 */
export class FolderStore implements SharedStore {
  readonly description: string;
  private readonly temporaryDir: string;

  constructor(readonly root: string) {
    this.description = `folder ${root}`;
    this.temporaryDir = path.join(root, TEMPORARY_DIR_KEY);
  }

  async createOnly(key: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    const target = this.pathOf(key);
    if (existsSync(target)) return 'exists';
    const temporary = this.newTemporary();
    writeFileDurably(temporary, bytes);
    try {
      this.makeDirectory(path.dirname(target));
      linkSync(temporary, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw this.ioError(`create ${key}`, error);
    } finally {
      unlinkSync(temporary);
    }
    fsyncDirectory(path.dirname(target));
    return 'created';
  }

  async putFile(key: string, file: string, onProgress?: (bytesDone: number) => void, journal?: UploadJournal): Promise<void> {
    if (journal) return this.putFileResumably(key, file, journal, onProgress);
    const target = this.pathOf(key);
    const temporary = this.newTemporary();
    try {
      await copyAndHash(file, temporary, { onProgress });
      this.publish(temporary, target);
    } catch (error) {
      throw this.ioError(`upload ${key}`, error);
    } finally {
      if (existsSync(temporary)) unlinkSync(temporary);
    }
  }

  async abortUpload(record: UploadRecord): Promise<void> {
    rmSync(path.join(this.temporaryDir, record.id), { force: true });
  }

  /**
   * The copy goes to a partial file named in the journal, which stays when the copy is cut off
   * (killed, the share gone): the next attempt hashes what it holds and appends the rest. The
   * blob's name says what the whole must hash to, so a damaged prefix is caught and the copy
   * starts over rather than publishing wrong bytes.
   */
  private async putFileResumably(key: string, file: string, journal: UploadJournal, onProgress?: (bytesDone: number) => void): Promise<void> {
    const target = this.pathOf(key);
    const expected = blobSha256Of(key);
    try {
      const { size } = await stat(file);
      const previous = journal.get(key);
      if (previous && previous.size === size && existsSync(path.join(this.temporaryDir, previous.id))) {
        const partial = path.join(this.temporaryDir, previous.id);
        const { sha256 } = await resumeCopyAndHash(file, partial, { onProgress });
        if (expected === undefined || sha256 === expected) {
          this.publish(partial, target);
          journal.delete(key);
          return;
        }
        unlinkSync(partial);
      } else if (previous) {
        await this.abortUpload(previous);
      }
      this.makeDirectory(this.temporaryDir);
      const record: UploadRecord = { key, size, id: `${PARTIAL_ID_PREFIX}${randomBytes(8).toString('hex')}`, started: new Date().toISOString() };
      journal.set(record);
      const partial = path.join(this.temporaryDir, record.id);
      const { sha256 } = await copyAndHash(file, partial, { onProgress });
      if (expected !== undefined && sha256 !== expected) {
        unlinkSync(partial);
        journal.delete(key);
        throw new RegistryError('CORRUPT', `The local file for ${key} hashes to ${sha256} while it was being uploaded: it changed. Run 'mreg verify'.`);
      }
      this.publish(partial, target);
      journal.delete(key);
    } catch (error) {
      throw this.ioError(`upload ${key}`, error);
    }
  }

  private publish(temporary: string, target: string): void {
    this.makeDirectory(path.dirname(target));
    renameWithRetry(temporary, target);
    fsyncDirectory(path.dirname(target));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.ioError(`read ${key}`, error);
    }
  }

  async getToFile(key: string, file: string, onProgress?: (bytesDone: number) => void): Promise<{ sha256: string; size: number } | undefined> {
    try {
      return await copyAndHash(this.pathOf(key), file, { onProgress });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(file)) return undefined;
      throw this.ioError(`download ${key}`, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.ioError(`look up ${key}`, error);
    }
  }

  async list(prefix: string, startAfter = ''): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    await this.walk(dirKey, keys);
    return keys.filter((key) => key.startsWith(prefix) && key > startAfter).sort();
  }

  async delete(key: string): Promise<void> {
    try {
      unlinkSync(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.ioError(`delete ${key}`, error);
    }
  }

  close(): void {
    // nothing held open
  }

  /** Checks the folder is there (a share that is not mounted looks like an empty folder otherwise). */
  async assertReachable(): Promise<void> {
    try {
      if (!(await stat(this.root)).isDirectory()) throw new Error('not a folder');
    } catch (error) {
      throw new RegistryError('STORE_UNREACHABLE', `The shared store ${this.root} is not reachable (${(error as Error).message}). Check that the disk or share is mounted.`);
    }
    removeDeadTemporaries(this.temporaryDir);
  }

  // ── garbage collection (mreg gc) ───────────────────────────────────────────

  /** A file's mtime is when its upload finished: objects are written to tmp/ and renamed or linked into place. */
  async listObjects(prefix: string): Promise<StoreObject[]> {
    const objects: StoreObject[] = [];
    for (const key of await this.list(prefix)) {
      try {
        const info = await stat(this.pathOf(key));
        objects.push({ key, size: info.size, modified: info.mtime });
      } catch (error) {
        // Removed since it was listed (another gc): it is not there to collect.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.ioError(`look up ${key}`, error);
      }
    }
    return objects;
  }

  private async walk(dirKey: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(path.join(this.root, ...dirKey.split('/').filter(Boolean)), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.ioError(`list ${dirKey}/`, error);
    }
    for (const entry of entries) {
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key !== TEMPORARY_DIR_KEY) await this.walk(key, into);
      } else if (!entry.name.startsWith('.')) {
        into.push(key);
      }
    }
  }

  private pathOf(key: string): string {
    const parts = key.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) throw new RegistryError('INVALID_INPUT', `'${key}' is not a valid store key.`);
    return path.join(this.root, ...parts);
  }

  /**
   * Creates a folder inside the store, never the store itself: a share that went away leaves an
   * empty mount point, and objects written there would be lost to everyone else.
   */
  private makeDirectory(dir: string): void {
    if (!existsSync(this.root)) throw new RegistryError('STORE_UNREACHABLE', `The shared store ${this.root} is not reachable (it is gone). Check that the disk or share is mounted.`);
    mkdirSync(dir, { recursive: true });
  }

  private newTemporary(): string {
    this.makeDirectory(this.temporaryDir);
    return temporaryNameFor(path.join(this.temporaryDir, 'object'));
  }

  private ioError(what: string, error: unknown): RegistryError {
    if (error instanceof RegistryError) return error;
    return new RegistryError('IO', `Could not ${what} in the shared store ${this.root}: ${(error as Error).message}`);
  }
}

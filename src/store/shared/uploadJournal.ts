import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { removeDeadTemporaries, writeFileAtomic } from '../persistence/atomicFile';
import type { RegistryFolder } from '../registryFolder';
import { sha256Hex } from '../../core/sha256';

/**
 * An upload to the shared store that was started and may not have finished: what a later push
 * needs to continue it instead of sending every byte again.
 */
export interface UploadRecord {
  key: string;
  /** Size of the file being uploaded; a record for other bytes is not resumed. */
  size: number;
  /** S3: the multipart upload id. Folder: the name of the partial file in the store's tmp folder. */
  id: string;
  /** S3: bytes per part (the last part may be shorter). */
  partSize?: number;
  /** S3: parts the service acknowledged, with the ETag it returned for each. */
  parts?: { number: number; etag: string }[];
  started: string;
}

/**
 * The uploads in progress from this registry to one store, one small JSON file each under
 * `sync/uploads/` (written atomically after every acknowledged part, so a process killed at any
 * moment leaves a record that is at worst one part behind the store).
 */
export class UploadJournal {
  private readonly dir: string;

  constructor(
    folder: RegistryFolder,
    private readonly store: string,
  ) {
    this.dir = path.join(folder.root, 'sync', 'uploads');
    // A process killed while recording a part leaves a temporary file; the record it replaces stands.
    removeDeadTemporaries(this.dir);
  }

  get(key: string): UploadRecord | undefined {
    const file = this.fileOf(key);
    if (!existsSync(file)) return undefined;
    try {
      const record = JSON.parse(readFileSync(file, 'utf8')) as UploadRecord & { store?: string };
      return record.store === this.store && record.key === key ? record : undefined;
    } catch {
      // A record that cannot be read only costs a fresh upload.
      return undefined;
    }
  }

  set(record: UploadRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.fileOf(record.key), `${JSON.stringify({ store: this.store, ...record })}\n`);
  }

  delete(key: string): void {
    rmSync(this.fileOf(key), { force: true });
  }

  /** The uploads to this store that a later push will continue. */
  list(): UploadRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => /^[0-9a-f]{32}\.json$/.test(name))
      .flatMap((name) => {
        try {
          const record = JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as UploadRecord & { store?: string };
          return record.store === this.store ? [record] : [];
        } catch {
          return [];
        }
      });
  }

  private fileOf(key: string): string {
    return path.join(this.dir, `${sha256Hex(`${this.store}\n${key}`).slice(0, 32)}.json`);
  }
}

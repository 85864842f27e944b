import type { UploadJournal, UploadRecord } from './uploadJournal';

/**
 * Secrets a backend needs beyond what its URI says, as named fields (S3: accessKeyId,
 * secretAccessKey, sessionToken). Each backend declares its fields, so a keeper of secrets (VS Code's
 * SecretStorage) can ask for and hand them over without knowing the backend.
 */
export type StoreCredentials = Readonly<Record<string, string>>;

/** One field of a backend's credentials, as a person is asked for it. */
export interface CredentialField {
  key: string;
  prompt: string;
  optional?: boolean;
}

/**
 * A shared store: the place several registries meet (a folder on a disk or network share, or an
 * S3-compatible bucket prefix). Keys are `/`-separated paths such as `log/00000000000000000042.json`.
 * Everything written is immutable; the one operation the protocol's correctness rests on is
 * `createOnly`, the compare-and-swap that hands each log sequence number to exactly one writer.
 */
export interface SharedStore {
  /** Where the store is, for messages; never contains credentials. */
  readonly description: string;

  /** Creates `key` with `bytes` unless it exists; a reader sees all of the bytes or no object. */
  createOnly(key: string, bytes: Uint8Array): Promise<'created' | 'exists'>;

  /**
   * Uploads a local file to `key` (overwriting is harmless: content-addressed keys hold the same
   * bytes). With a journal, the upload is resumable: what was sent is recorded as it goes, and an
   * upload the journal holds for `key` continues where it stopped.
   */
  putFile(key: string, file: string, onProgress?: (bytesDone: number) => void, journal?: UploadJournal): Promise<void>;

  /** Discards an unfinished upload (its object turned out to exist already); never throws. */
  abortUpload(record: UploadRecord): Promise<void>;

  /** The object's bytes, or undefined when there is none. Only for small objects (batches). */
  get(key: string): Promise<Buffer | undefined>;

  /**
   * Downloads `key` into the new file `file`, streaming, hashing the bytes as they are written and
   * fsyncing the file; what it hashed, or undefined when there is no such object. Callers check the
   * digest against the one they expected without reading the file again.
   */
  getToFile(key: string, file: string, onProgress?: (bytesDone: number) => void): Promise<{ sha256: string; size: number } | undefined>;

  exists(key: string): Promise<boolean>;

  /** Removes `key`; a missing object is not an error (probe objects, and blobs gc collects). */
  delete(key: string): Promise<void>;

  /** Throws an IO RegistryError saying what to check when the store cannot be reached. */
  assertReachable(): Promise<void>;

  /** Releases connections. */
  close(): void;

  /** Keys under `prefix` that sort after `startAfter`, in ascending order. */
  list(prefix: string, startAfter?: string): Promise<string[]>;

  // ── garbage collection (mreg gc) ───────────────────────────────────────────
  // What a store-wide gc needs besides `list` and `delete`: each object's size, for the bytes
  // freed, and when the store wrote it, by the store's own clock (file mtime, S3 LastModified), so
  // a blob uploaded by a push whose batch is not in the log yet is recognisably recent.

  /** Objects under `prefix` with their size and modification time, in ascending key order. */
  listObjects(prefix: string): Promise<StoreObject[]>;
}

/** One object of a store, as a listing describes it. */
export interface StoreObject {
  key: string;
  size: number;
  /** When the store last wrote the object, by its own clock. */
  modified: Date;
}

/** Where a blob lives in a store: the same layout as a registry folder's blob store. */
export function blobKey(sha256: string): string {
  return `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

/** The sha256 a blob key names: what its bytes must hash to. */
export function blobSha256Of(key: string): string | undefined {
  return /^blobs\/sha256\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key)?.[1];
}

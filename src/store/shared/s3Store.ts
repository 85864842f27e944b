import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { RegistryError } from '../../core/registryError';
import type { SharedStore, StoreObject } from './sharedStore';
import type { UploadJournal, UploadRecord } from './uploadJournal';

export interface S3Location {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash ('' for the whole bucket). */
  prefix: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** A profile of the shared AWS config files; credentials otherwise come from the standard chain. */
  profile?: string;
}

/** Keys the person gave Model Registry for one store (VS Code keeps them in its SecretStorage). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StoreOptions {
  /**
   * Credentials to use instead of the standard AWS chain. Held in memory by the SDK client only:
   * never part of the location, the description, errors, logs or anything written to disk.
   */
  credentials?: S3Credentials;
  /** Files larger than this go up in parts of this size; default 64 MiB, or MREG_S3_PART_SIZE bytes. */
  partSize?: number;
}

const DEFAULT_PART_SIZE = 64 * 1024 * 1024;
/** Parts sent at once: enough to fill a link to a distant region, few enough to keep memory small. */
const PARALLEL_PARTS = 4;
/** Tries of a conditional write whose outcome the service left unknown (5xx) and that read back as not written. */
const CREATE_ATTEMPTS = 5;

/**
 * A store in an S3-compatible bucket. Create-only is `PutObject` with `If-None-Match: *`, which the
 * service must honour: SyncService probes that before the first sync with a bucket. Credentials are
 * never part of the location; the SDK's default chain (environment, profile files, SSO, instance
 * roles) supplies them, unless the caller hands some over in memory.
 */
export class S3Store implements SharedStore {
  readonly description: string;
  private readonly client: S3Client;
  private readonly partSize: number;

  constructor(
    private readonly location: S3Location,
    options: S3StoreOptions = {},
  ) {
    // The SDK warns on every run under Node 20 about its own future releases; the SDK here is
    // bundled and pinned, so the warning would only tell mreg users about nothing they can act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.description = `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
    this.partSize = options.partSize ?? (Number(process.env.MREG_S3_PART_SIZE) || DEFAULT_PART_SIZE);
    const { credentials } = options;
    this.client = new S3Client({
      endpoint: location.endpoint,
      region: location.region ?? (location.endpoint ? 'us-east-1' : undefined),
      forcePathStyle: location.forcePathStyle,
      profile: location.profile,
      ...(credentials ? { credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken || undefined } } : {}),
      // Services other than AWS often reject the checksums newer SDKs send by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /**
   * `PutObject` with `If-None-Match: *`. The answer alone does not always say who won: some services
   * (radosgw) answer a loser of a race with HTTP 500 rather than 412, and the SDK retries a 5xx, so
   * a write that succeeded can come back as 412 on the retry. So whenever the answer is not a plain
   * success, the object is read back: our bytes there mean ours won, other bytes that another
   * writer's did; no object after a 5xx means nothing was written, and the write is tried again.
   */
  async createOnly(key: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key), Body: bytes, IfNoneMatch: '*' }));
        return 'created';
      } catch (error) {
        status = httpStatusOf(error);
        // 412: the object exists; 409: a concurrent conditional write to the same key won; 5xx: unknown.
        if (status !== 412 && status !== 409 && !(status !== undefined && status >= 500)) throw this.ioError(`create ${key}`, error);
        if (status >= 500 && attempt >= CREATE_ATTEMPTS) throw this.ioError(`create ${key}`, error);
      }
      const existing = await this.get(key);
      if (existing) return existing.equals(bytes) ? 'created' : 'exists';
      // A 412 for an object gone since (a probe another client removed) still means it was taken.
      if (status === 412 || status === 409) return 'exists';
    }
  }

  async putFile(key: string, file: string, onProgress?: (bytesDone: number) => void, journal?: UploadJournal): Promise<void> {
    // A progress callback that throws (the sync was cancelled) aborts the requests under way; the
    // parts already acknowledged stay recorded for the next attempt.
    const stop = new AbortController();
    let stopped: { error: unknown } | undefined;
    const progress = (done: number) => {
      if (stopped) return;
      try {
        onProgress?.(done);
      } catch (error) {
        stopped = { error };
        stop.abort();
      }
    };
    try {
      const { size } = await stat(file);
      if (size > this.partSize) return await this.putMultipart(key, file, size, progress, journal, stop.signal);
      await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key), Body: countingStream(file, 0, size, progress), ContentLength: size }), {
        abortSignal: stop.signal,
      });
    } catch (error) {
      throw this.ioError(`upload ${key}`, stopped ? stopped.error : error);
    }
  }

  async abortUpload(record: UploadRecord): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.location.bucket, Key: this.keyOf(record.key), UploadId: record.id }));
    } catch {
      // The service forgot the upload, or cannot abort: its lifecycle rules clean it up.
    }
  }

  /**
   * A large file goes up in parts, a few at a time. With a journal, the upload id and every
   * acknowledged part are recorded as they complete, so a push cut off (killed, offline) continues
   * with the missing parts next time instead of sending everything again.
   */
  private async putMultipart(key: string, file: string, size: number, onProgress: (bytesDone: number) => void, journal: UploadJournal | undefined, abortSignal: AbortSignal): Promise<void> {
    const record = await this.resumableUpload(key, size, journal);
    const partSize = record.partSize!;
    const partCount = Math.ceil(size / partSize);
    const lengthOf = (part: number) => Math.min(partSize, size - (part - 1) * partSize);
    const parts = new Map((record.parts ?? []).map((part) => [part.number, part.etag]));
    const inFlight = new Map<number, number>();
    let acknowledged = [...parts.keys()].reduce((sum, part) => sum + lengthOf(part), 0);
    const report = () => onProgress(acknowledged + [...inFlight.values()].reduce((sum, bytes) => sum + bytes, 0));
    report();
    const queue = Array.from({ length: partCount }, (_, index) => index + 1).filter((part) => !parts.has(part));
    /** The first part that failed stops the others from starting new parts; the rest is for the next attempt. */
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (!failure) {
        const number = queue.shift();
        if (number === undefined) return;
        const length = lengthOf(number);
        inFlight.set(number, 0);
        try {
          const body = countingStream(file, (number - 1) * partSize, length, (bytes) => {
            inFlight.set(number, bytes);
            report();
          });
          const response = await this.client.send(
            new UploadPartCommand({ Bucket: this.location.bucket, Key: this.keyOf(key), UploadId: record.id, PartNumber: number, Body: body, ContentLength: length }),
            { abortSignal },
          );
          parts.set(number, response.ETag ?? '');
          acknowledged += length;
          record.parts = [...parts].map(([n, etag]) => ({ number: n, etag })).sort((a, b) => a.number - b.number);
          journal?.set(record);
        } catch (error) {
          failure ??= { error };
        } finally {
          inFlight.delete(number);
        }
        report();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, Math.max(queue.length, 1)) }, worker));
      if (failure) throw failure.error;
      // Never conditional: radosgw ignores If-None-Match on completion, and a blob's key names its
      // content, so a completion that overwrites writes the same bytes.
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.location.bucket,
          Key: this.keyOf(key),
          UploadId: record.id,
          MultipartUpload: { Parts: record.parts!.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
        }),
        { abortSignal },
      );
    } catch (error) {
      // A 5xx leaves the completion's outcome unknown (radosgw answers 500 for an upload aborted
      // meanwhile): the blob's key names its content, so an object there now is the blob, whoever completed it.
      const status = httpStatusOf(error);
      if (!failure && status !== undefined && status >= 500 && (await this.exists(key))) {
        journal?.delete(key);
        return;
      }
      // Without a journal nothing could resume the upload; with one, a forgotten upload starts afresh.
      if (!journal || isNoSuchUpload(error)) {
        journal?.delete(key);
        await this.abortUpload(record);
      }
      throw error;
    }
    journal?.delete(key);
  }

  /** The upload the journal holds for `key`, checked against what the service still has, or a new one. */
  private async resumableUpload(key: string, size: number, journal: UploadJournal | undefined): Promise<UploadRecord> {
    const previous = journal?.get(key);
    if (previous && previous.size === size && previous.partSize) {
      const listed = await this.listParts(previous);
      if (listed !== 'gone') {
        // The service's list is the truth where it can give one; parts of a wrong size are sent again.
        const lengthOf = (part: number) => Math.min(previous.partSize!, size - (part - 1) * previous.partSize!);
        const parts = listed ? listed.filter((part) => part.size === lengthOf(part.number)).map(({ number, etag }) => ({ number, etag })) : (previous.parts ?? []);
        return { ...previous, parts };
      }
    } else if (previous) {
      await this.abortUpload(previous);
    }
    // S3 allows at most 10 000 parts.
    const partSize = Math.max(this.partSize, Math.ceil(size / 10_000));
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
    const record: UploadRecord = { key, size, id: created.UploadId!, partSize, parts: [], started: new Date().toISOString() };
    journal?.set(record);
    return record;
  }

  /** The parts the service holds for an upload; undefined where it cannot list them, 'gone' when it no longer knows the upload. */
  private async listParts(record: UploadRecord): Promise<{ number: number; etag: string; size: number }[] | 'gone' | undefined> {
    const parts: { number: number; etag: string; size: number }[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListPartsCommand({ Bucket: this.location.bucket, Key: this.keyOf(record.key), UploadId: record.id, PartNumberMarker: marker }));
        for (const part of page.Parts ?? []) parts.push({ number: part.PartNumber!, etag: part.ETag ?? '', size: part.Size ?? 0 });
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker);
      return parts;
    } catch (error) {
      // radosgw answers NoSuchKey for an upload it aborted (AWS: NoSuchUpload).
      if (isNoSuchUpload(error) || isNotFound(error)) return 'gone';
      const status = httpStatusOf(error);
      if (status === 405 || status === 501 || (error as Error).name === 'NotImplemented') return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
      return Buffer.from(await response.Body!.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.ioError(`read ${key}`, error);
    }
  }

  async getToFile(key: string, file: string, onProgress?: (bytesDone: number) => void): Promise<{ sha256: string; size: number } | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
      let done = 0;
      const hash = createHash('sha256');
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          done += chunk.length;
          onProgress?.(done);
          callback(null, chunk);
        },
      });
      // flush: fsync before close, so a blob adopted from this file survives a crash whole.
      await pipeline(response.Body as Readable, counter, createWriteStream(file, { flags: 'wx', flush: true }));
      return { sha256: hash.digest('hex'), size: done };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.ioError(`download ${key}`, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw this.ioError(`look up ${key}`, error);
    }
  }

  async list(prefix: string, startAfter = ''): Promise<string[]> {
    const keys: string[] = [];
    const base = this.location.prefix ? `${this.location.prefix}/` : '';
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: base + prefix,
            StartAfter: startAfter && !token ? base + startAfter : undefined,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(base.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.ioError(`list ${prefix}`, error);
    }
    return keys.filter((key) => key > startAfter).sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
    } catch (error) {
      throw this.ioError(`delete ${key}`, error);
    }
  }

  async assertReachable(): Promise<void> {
    await this.list('log/', 'log/~');
  }

  close(): void {
    this.client.destroy();
  }

  // ── garbage collection (mreg gc) ───────────────────────────────────────────

  /** LastModified is the service's clock: when the upload completed (for multipart, when it began). */
  async listObjects(prefix: string): Promise<StoreObject[]> {
    const objects: StoreObject[] = [];
    const base = this.location.prefix ? `${this.location.prefix}/` : '';
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: base + prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
          if (object.Key && object.LastModified) objects.push({ key: object.Key.slice(base.length), size: object.Size ?? 0, modified: object.LastModified });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.ioError(`list ${prefix}`, error);
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private keyOf(key: string): string {
    return this.location.prefix ? `${this.location.prefix}/${key}` : key;
  }

  /** The SDK's message and status only: requests (and so signatures) are never put into errors. */
  private ioError(what: string, error: unknown): RegistryError {
    if (error instanceof RegistryError) return error;
    const status = httpStatusOf(error);
    const name = (error as Error).name;
    const message = (error as Error).message;
    return new RegistryError('IO', `Could not ${what} in the shared store ${this.description}: ${name}${status ? ` (HTTP ${status})` : ''}: ${message}`);
  }
}

function isNoSuchUpload(error: unknown): boolean {
  return (error as Error).name === 'NoSuchUpload';
}

/** `length` bytes of `file` from `start`, read 1 MiB at a time, telling `onProgress` how many went out. */
function countingStream(file: string, start: number, length: number, onProgress: (bytesDone: number) => void): Readable {
  if (length === 0) return Readable.from([]);
  let done = 0;
  return createReadStream(file, { start, end: start + length - 1, highWaterMark: 1024 * 1024 }).pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        done += chunk.length;
        onProgress(done);
        callback(null, chunk);
      },
    }),
  );
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as Error).name;
  const status = httpStatusOf(error);
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RegistryError } from '../core/registryError';
import type { SharedStore, StoreObject } from './sharedStore';

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

/**
 * A store in an S3-compatible bucket. Create-only is `PutObject` with `If-None-Match: *`, which the
 * service must honour: SyncService probes that before the first sync with a bucket. Credentials are
 * never part of the location; the SDK's default chain (environment, profile files, SSO, instance
 * roles) supplies them.
 */
export class S3Store implements SharedStore {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly location: S3Location) {
    // The SDK warns on every run under Node 20 about its own future releases; the SDK here is
    // bundled and pinned, so the warning would only tell mreg users about nothing they can act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.description = `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
    this.client = new S3Client({
      endpoint: location.endpoint,
      region: location.region ?? (location.endpoint ? 'us-east-1' : undefined),
      forcePathStyle: location.forcePathStyle,
      profile: location.profile,
      // Services other than AWS often reject the checksums newer SDKs send by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async createOnly(key: string, bytes: Uint8Array): Promise<'created' | 'exists'> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key), Body: bytes, IfNoneMatch: '*' }));
      return 'created';
    } catch (error) {
      // 412: the object exists; 409: a concurrent conditional write to the same key won.
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return 'exists';
      throw this.ioError(`create ${key}`, error);
    }
  }

  async putFile(key: string, file: string, onProgress?: (bytesDone: number) => void): Promise<void> {
    try {
      const { size } = await stat(file);
      let done = 0;
      const body = createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            done += chunk.length;
            onProgress?.(done);
            callback(null, chunk);
          },
        }),
      );
      await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key), Body: body, ContentLength: size }));
    } catch (error) {
      throw this.ioError(`upload ${key}`, error);
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

  async getToFile(key: string, file: string, onProgress?: (bytesDone: number) => void): Promise<boolean> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
      let done = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          done += chunk.length;
          onProgress?.(done);
          callback(null, chunk);
        },
      });
      await pipeline(response.Body as Readable, counter, createWriteStream(file, { flags: 'wx' }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
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
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (error as Error).name;
    const message = (error as Error).message;
    return new RegistryError('IO', `Could not ${what} in the shared store ${this.description}: ${name}${status ? ` (HTTP ${status})` : ''}: ${message}`);
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as Error).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RegistryFolder } from '../../src/store/registryFolder';
import { FolderStore } from '../../src/store/shared/folderStore';
import type { S3Store } from '../../src/store/shared/s3Store';
import { blobKey, type SharedStore } from '../../src/store/shared/sharedStore';
import { parseStoreUri } from '../../src/store/shared/storeConfig';
import { UploadJournal } from '../../src/store/shared/uploadJournal';
import { S3_CREDENTIALS_ENV, startS3Server, type TestS3Server } from '../support/s3Server';
import { printTable } from './benchTable';

const MiB = 1024 * 1024;

/** A file of `size` MiB (one random MiB repeated) and its blob key. */
function bigFile(dir: string, size: number): { file: string; key: string } {
  const file = path.join(dir, 'big.bin');
  const chunk = randomBytes(MiB);
  const fd = openSync(file, 'w');
  const hash = createHash('sha256');
  for (let index = 0; index < size; index++) {
    writeSync(fd, chunk);
    hash.update(chunk);
  }
  closeSync(fd);
  return { file, key: blobKey(hash.digest('hex')) };
}

interface Upload {
  ms: number;
  /** Bytes this attempt sent (progress at the end minus progress at its first report). */
  sent: number;
}

/** Uploads, calling `atHalf` once half the bytes are done (it may throw, cutting the upload off there). */
async function upload(store: SharedStore, key: string, file: string, journal?: UploadJournal, atHalf?: () => Promise<void> | void): Promise<Upload> {
  let first: number | undefined;
  let last = 0;
  let half: Promise<void> | void | undefined;
  const { size } = statSync(file);
  const started = performance.now();
  try {
    await store.putFile(
      key,
      file,
      (done) => {
        first ??= done;
        last = done;
        if (done >= size / 2 && atHalf && half === undefined) half = atHalf() ?? Promise.resolve();
      },
      journal,
    );
  } catch {
    await half;
  }
  return { ms: performance.now() - started, sent: last - (first ?? 0) };
}

/**
 * Uploading one large file to an S3 service (s3rver on 127.0.0.1, so the service's own disk writes
 * count) and to a folder store: a single PutObject against 64 MiB multipart, and what a resumed
 * upload sends after an interruption half-way.
 */
export async function benchTransfer(sizeMiB: number): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-transfer-'));
  Object.assign(process.env, S3_CREDENTIALS_ENV);
  let server: TestS3Server | undefined;
  const rows: string[][] = [];
  const row = (what: string, result: Upload) =>
    rows.push([what, `${(result.ms / 1000).toFixed(2)} s`, `${(result.sent / MiB / (result.ms / 1000)).toFixed(0)} MiB/s`, `${(result.sent / MiB).toFixed(0)} MiB`]);
  try {
    const { file, key } = bigFile(root, sizeMiB);
    const data = path.join(root, 's3rver');
    server = await startS3Server(data, { conditionalWrites: false });
    const port = Number(new URL(server.endpoint).port);
    const open = async (prefix: string, partSize: number) => (await parseStoreUri(server!.uri(prefix)).open({ partSize })) as S3Store;

    const single = await open('single', sizeMiB * MiB + 1);
    row(`S3, one PutObject (${sizeMiB} MiB)`, await upload(single, key, file));
    single.close();
    const multipart = await open('multipart', 64 * MiB);
    row('S3, multipart, 64 MiB parts, 4 at a time', await upload(multipart, key, file, new UploadJournal(new RegistryFolder(path.join(root, 'r1')), 'multipart')));
    multipart.close();

    const journal = new UploadJournal(new RegistryFolder(path.join(root, 'r2')), 'resume');
    const interrupted = await open('resume', 64 * MiB);
    const cut = await upload(interrupted, key, file, journal, () => server!.kill());
    interrupted.close();
    row('S3, multipart, service gone half-way', cut);
    server = await startS3Server(data, { conditionalWrites: false, port });
    const resumed = await open('resume', 64 * MiB);
    row('S3, multipart, the resumed upload', await upload(resumed, key, file, journal));
    resumed.close();

    const folderRoot = path.join(root, 'folder');
    mkdirSync(folderRoot);
    const folder = new FolderStore(folderRoot);
    row('folder store, whole copy', await upload(folder, key, file, new UploadJournal(new RegistryFolder(path.join(root, 'r3')), 'folder')));
    await folder.delete(key);
    const folderJournal = new UploadJournal(new RegistryFolder(path.join(root, 'r4')), 'folder');
    row(
      'folder store, copy cut off half-way',
      await upload(folder, key, file, folderJournal, () => {
        throw new Error('cut off');
      }),
    );
    row('folder store, the resumed copy (re-hashes the kept half)', await upload(folder, key, file, folderJournal));
  } finally {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  }
  printTable(`Uploading a ${sizeMiB} MiB file to the shared store`, ['upload', 'time', 'rate', 'bytes sent'], rows);
}

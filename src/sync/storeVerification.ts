import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { RegistryError, throwIfCancelled } from '../core/registryError';
import { blobKey, blobSha256Of } from '../store/shared/sharedStore';
import { batchKey, batchSeqOf, decodeBatch, EMPTY_REMOTE, invalidBatchError, LOG_PREFIX, type RemoteHead } from './logBatch';
import { SharedLogState } from './sharedLogState';
import { identityProblem, standingOf } from './storeIdentityCheck';
import { STORE_IDENTITY_KEY } from '../store/shared/storeIdentity';
import type { SyncContext, SyncOptions } from './syncContext';
import type { SyncStateRecord } from './syncState';

export interface StoreVerifyReport {
  batches: number;
  events: number;
  blobsChecked: number;
  blobsTotal: number;
  problems: { kind: 'store' | 'batch' | 'blob'; key: string; message: string }[];
}

/** Checks the whole remote chain and re-hashes remote blobs (all, or a random sample of `sample`). */
export async function verifyStore(sync: SyncContext, options: SyncOptions & { sample?: number } = {}): Promise<StoreVerifyReport> {
  const report: StoreVerifyReport = { batches: 0, events: 0, blobsChecked: 0, blobsTotal: 0, problems: [] };
  // Another store's log, or an empty mount point, is not this registry's store to judge.
  const wrong = identityProblem(sync.store, sync.state.read(sync.storeUri), await standingOf(sync.store));
  if (wrong) {
    report.problems.push({ kind: 'store', key: STORE_IDENTITY_KEY, message: wrong.message });
    return report;
  }
  let head: RemoteHead = EMPTY_REMOTE;
  const policy = sync.registry.policy();
  const rules = SharedLogState.empty();
  /** Blobs the live versions of the log name, by version: each must be in the store (gc removes those of deleted versions). */
  const named = new Map<string, [string, string][]>();
  for (const key of await sync.store.list(LOG_PREFIX)) {
    throwIfCancelled(options.signal);
    if (batchSeqOf(key) !== head.seq + 1) {
      report.problems.push({ kind: 'batch', key, message: `expected ${batchKey(head.seq + 1)} next: batches are missing or misnamed; the chain cannot be checked past here` });
      break;
    }
    const bytes = await sync.store.get(key);
    try {
      const decoded = decodeBatch(bytes ?? Buffer.alloc(0), head, sync.store.description);
      const refused = rules.admitBatch(decoded.events, policy);
      if (refused) throw invalidBatchError(decoded.head.seq, sync.store.description, refused.event, refused.problem);
      head = decoded.head;
      report.batches += 1;
      report.events += decoded.events.length;
      for (const event of decoded.events) {
        const ref = `${event.model}/${String(event.version)}`;
        if (event.type === 'version.registered') named.set(ref, event.payload.manifest.artifacts.map((artifact) => [artifact.sha256, `${ref} ${artifact.path}`]));
        if (event.type === 'version.deleted') named.delete(ref);
      }
    } catch (error) {
      report.problems.push({ kind: 'batch', key, message: (error as Error).message });
      break;
    }
  }
  let blobs = (await sync.store.list('blobs/sha256/')).filter((key) => blobSha256Of(key) !== undefined);
  report.blobsTotal = blobs.length;
  const present = new Set(blobs.map((key) => key.slice(key.lastIndexOf('/') + 1)));
  const missing = new Map<string, string>();
  for (const [sha256, what] of [...named.values()].flat()) if (!present.has(sha256)) missing.set(sha256, what);
  for (const [sha256, what] of missing) report.problems.push({ kind: 'blob', key: blobKey(sha256), message: `missing, yet the log names it (${what})` });
  if (options.sample !== undefined && options.sample < blobs.length) blobs = sample(blobs, options.sample);
  for (const key of blobs) {
    throwIfCancelled(options.signal);
    const sha256 = blobSha256Of(key)!;
    const temporary = sync.registry.blobs.temporaryFile();
    try {
      const downloaded = await sync.store.getToFile(key, temporary);
      if (!downloaded) report.problems.push({ kind: 'blob', key, message: 'listed, but gone when it was read (removed meanwhile?)' });
      else if (downloaded.sha256 !== sha256) report.problems.push({ kind: 'blob', key, message: `its bytes hash to ${downloaded.sha256}` });
    } finally {
      rmSync(temporary, { force: true });
    }
    report.blobsChecked += 1;
    options.onProgress?.(report.blobsChecked, blobs.length, key);
  }
  return report;
}

/** The store must refuse a second create of one object, or two pushes could both win a number. */
export async function verifyCreateOnly(sync: SyncContext, state: SyncStateRecord): Promise<SyncStateRecord> {
  if (state.createOnlyVerified) return state;
  const key = `probes/create-only-${randomBytes(8).toString('hex')}`;
  const first = await sync.store.createOnly(key, Buffer.from('first'));
  const second = await sync.store.createOnly(key, Buffer.from('second'));
  await sync.store.delete(key);
  if (first !== 'created' || second !== 'exists') {
    throw new RegistryError(
      'UNSUPPORTED',
      `The shared store ${sync.store.description} does not honour create-only writes (If-None-Match: *): a second create of the same object was accepted. Syncing through it could silently lose updates, so Model Registry refuses. Use a service with conditional writes (AWS S3, MinIO, Cloudflare R2 …) or a shared folder.`,
    );
  }
  const verified = { ...state, createOnlyVerified: true };
  sync.state.write(verified);
  return verified;
}

function sample<T>(items: T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

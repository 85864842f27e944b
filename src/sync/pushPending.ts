import type { RegistryEvent } from '../core/events';
import { RegistryError, throwIfCancelled } from '../core/registryError';
import { blobKey } from '../store/shared/sharedStore';
import { writeSnapshot } from './bootstrapSnapshots';
import { waitForCollectors } from './collectorMarkers';
import { batchKey, encodeBatch } from './logBatch';
import { pendingLines, type SyncContext, type SyncOptions, type SyncResult } from './syncContext';
import type { SyncStateRecord } from './syncState';

/**
 * Push: uploads the blobs of the pending versions, then creates the next log batch create-only.
 * 'taken' means another client pushed that number first (pull, rebase, retry); 'nothing' that
 * there was nothing to push.
 */
export async function pushPending(sync: SyncContext, state: SyncStateRecord, result: SyncResult, options: SyncOptions): Promise<SyncStateRecord | 'nothing' | 'taken'> {
  const lines = pendingLines(sync, state);
  if (lines.length === 0) return 'nothing';
  const events = lines.flatMap((line) => line.events);
  const blobsCheckedFrom = performance.now();
  await uploadBlobs(sync, events, result, options);
  const { bytes, head } = encodeBatch(state.remote, events);
  if ((await sync.store.createOnly(batchKey(head.seq), bytes)) === 'exists') return 'taken';
  result.pushedBatches += 1;
  result.pushedEvents += events.length;
  result.bytesUp += bytes.length;
  const next: SyncStateRecord = { ...state, remote: head, confirmed: { seq: head.event.seq, hash: head.event.hash, offset: lines[lines.length - 1].endOffset } };
  sync.logState.advance(state, head, events);
  sync.state.write(next);
  // A gc that had not seen the batch may have removed blobs it names: put those back (see collectorMarkers.ts).
  if (await waitForCollectors(sync.store, batchKey(head.seq), performance.now() - blobsCheckedFrom)) await uploadBlobs(sync, events, result, options);
  if (head.seq % sync.snapshotEvery === 0) {
    await writeSnapshot(sync, next);
    result.snapshotWritten = head.seq;
  }
  return next;
}

/** Every artifact of the pending versions goes up before the batch that names it (skipping those there). */
export async function uploadBlobs(sync: SyncContext, events: RegistryEvent[], result: SyncResult, options: SyncOptions): Promise<void> {
  const wanted = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'version.registered') for (const artifact of event.payload.manifest.artifacts) wanted.set(artifact.sha256, artifact.size);
  }
  const missing: [string, number][] = [];
  for (const [sha256, size] of wanted) {
    const key = blobKey(sha256);
    if (!(await sync.store.exists(key))) {
      missing.push([sha256, size]);
      continue;
    }
    // Someone else completed the blob while an upload of ours was cut off: drop our parts.
    const stale = sync.uploads.get(key);
    if (stale) {
      await sync.store.abortUpload(stale);
      sync.uploads.delete(key);
    }
  }
  const total = missing.reduce((sum, [, size]) => sum + size, 0);
  let done = 0;
  for (const [sha256, size] of missing) {
    throwIfCancelled(options.signal);
    // Only bytes that still are what their name says leave this machine.
    const check = await sync.registry.blobs.check(sha256);
    if (check !== 'ok') {
      throw new RegistryError('CORRUPT', `Blob ${sha256} of a pending version is ${check} in this registry, so it cannot be pushed. Run 'mreg verify'.`);
    }
    // Cancelling stops the upload mid-file; what went up is kept for the next sync to continue.
    const progress = (bytes: number) => {
      throwIfCancelled(options.signal);
      options.onProgress?.(done + bytes, total, sha256);
    };
    await sync.store.putFile(blobKey(sha256), sync.registry.blobs.pathOf(sha256), progress, sync.uploads);
    done += size;
    result.uploadedBlobs += 1;
    result.bytesUp += size;
  }
}

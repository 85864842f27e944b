import { randomBytes } from 'node:crypto';
import type { SharedStore, StoreObject } from '../store/shared/sharedStore';

/**
 * The handshake between a gc removing blobs from a shared store and pushes whose new batches name
 * blobs. A gc creates a marker `collectors/<id>` before its last pull, removes blobs only within
 * REMOVAL_WINDOW_MS of creating it, and creates `collectors/<id>.done` when it stops. A push, right
 * after creating its batch, looks for markers written at most a window before it began checking and
 * uploading the batch's blobs, or later:
 * - none: every gc that could still remove blobs created its marker after the batch, so its last
 *   pull sees the batch and keeps the batch's blobs (a gc that ran while the push uploaded — a
 *   blob it skipped as present, or a resumed multipart upload whose LastModified is when the upload
 *   began, can look old and unreferenced then — leaves a marker in that span);
 * - some: the push waits until each is done (or its window has passed), then checks the blobs its
 *   batch names and uploads any that went — it has them all, they are its own.
 * Times are compared by the store's clock only (object modification times), never a client's.
 */
export const COLLECTOR_PREFIX = 'collectors/';
export const REMOVAL_WINDOW_MS = 60_000;
/** S3 LastModified has one-second resolution; some slack on top of that. */
const CLOCK_SLACK_MS = 5_000;
/** Markers are kept this long for pushes that pause between creating a batch and looking. */
const MARKER_LIFETIME_MS = 3_600_000;
const DONE = '.done';

/** Runs `work` with this gc's marker in the store; `work` may remove blobs while `mayRemove()` says so. */
export async function withCollectorMarker<T>(store: SharedStore, storeNow: Date, work: (mayRemove: () => boolean) => Promise<T>): Promise<T> {
  for (const marker of await store.listObjects(COLLECTOR_PREFIX)) {
    if (storeNow.getTime() - marker.modified.getTime() > MARKER_LIFETIME_MS) await store.delete(marker.key);
  }
  const started = performance.now();
  const key = `${COLLECTOR_PREFIX}${randomBytes(8).toString('hex')}`;
  await store.createOnly(key, Buffer.from(JSON.stringify({ started: new Date().toISOString() })));
  try {
    return await work(() => performance.now() - started < REMOVAL_WINDOW_MS);
  } finally {
    await store.createOnly(key + DONE, Buffer.from('done'));
  }
}

/**
 * Called by a push right after creating the batch `batch`, `blobsCheckedForMs` after it began
 * checking and uploading the batch's blobs (a duration on this client's monotonic clock, so no clock
 * comparison between machines): waits while a gc that may not have seen the batch can still remove
 * blobs. True when one could have, so the push must check its blobs.
 */
export async function waitForCollectors(store: SharedStore, batch: string, blobsCheckedForMs = 0): Promise<boolean> {
  let markers = await store.listObjects(COLLECTOR_PREFIX);
  if (markers.length === 0) return false;
  const batchTime = (await store.listObjects(batch))[0]?.modified.getTime();
  if (batchTime === undefined) return true;
  const near = (marker: StoreObject) => !marker.key.endsWith(DONE) && marker.modified.getTime() >= batchTime - blobsCheckedForMs - REMOVAL_WINDOW_MS - CLOCK_SLACK_MS;
  const waiting = markers.filter(near).map((marker) => ({ key: marker.key, until: performance.now() + REMOVAL_WINDOW_MS + CLOCK_SLACK_MS - Math.max(0, batchTime - marker.modified.getTime()) }));
  if (waiting.length === 0) return false;
  let pending = waiting;
  while (pending.length > 0) {
    const done = new Set(markers.filter((marker) => marker.key.endsWith(DONE)).map((marker) => marker.key.slice(0, -DONE.length)));
    pending = pending.filter((marker) => !done.has(marker.key) && marker.until > performance.now());
    if (pending.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    markers = await store.listObjects(COLLECTOR_PREFIX);
  }
  return true;
}

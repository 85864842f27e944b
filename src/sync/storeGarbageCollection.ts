import { randomBytes } from 'node:crypto';
import { formatRef } from '../core/refs';
import type { Registry } from '../registry/registry';
import { isRegistryError, RegistryError, throwIfCancelled } from '../core/registryError';
import type { BlobTally, GcReport } from '../registry/retention/garbageCollection';
import type { RetentionPolicy } from '../registry/retention/retentionPolicy';
import { withCollectorMarker } from './collectorMarkers';
import { PARTIAL_UPLOAD_PREFIX } from '../store/shared/folderStore';
import { blobKey, blobSha256Of } from '../store/shared/sharedStore';
import { openSyncService, type SyncService } from './syncService';

/** What gc did to the shared store's blobs (or, in a dry run, would do). */
export interface StoreGcReport {
  store: string;
  /** Blobs in the store that no live version of the fully pulled log (or pending here) refers to. */
  unreferenced: BlobTally;
  /** Of those, uploaded at least the grace period ago and so removed now; each listed. */
  removed: BlobTally & { blobs: { sha256: string; size: number; uploadedAt: string }[] };
  /** Uploaded within the grace period: perhaps by a push whose batch is not in the log yet. Kept. */
  recent: BlobTally & { removableAfter: string | null };
  /** Removed blobs that a batch pushed during this gc names after all, put back from this registry's copy. */
  restored: string[];
  /** … and those this registry holds no copy of: the client that pushed the batch puts them back on its next sync. */
  unrestored: string[];
  /**
   * Partial copies a folder store keeps for uploads to resume, untouched for the grace period (and
   * at least an hour): left by clients that stopped mid-upload and never came back. Removed (in a
   * dry run: would be); a client that does come back starts its copy over.
   */
  abandonedUploads: BlobTally;
}

export interface GcEverywhereReport extends GcReport {
  /** The shared store's part; undefined for a registry without one. */
  store?: StoreGcReport;
  /** Why the shared store was left alone (it was not reachable); the local gc ran all the same. */
  storeSkipped?: string;
}

export interface GcOptions {
  dryRun?: boolean;
  now?: Date;
  policy?: Partial<RetentionPolicy>;
  signal?: AbortSignal;
}

/**
 * `mreg gc` for a registry that may sync with a shared store. With a store: pull (and, unless a dry
 * run, push) first so retention plans on the merged log; apply retention locally, whose tombstones
 * then travel to everyone by the next sync like any other event; then collect the store's blobs.
 * The local blob cache follows the local rule throughout (Registry.gc): a blob no live version
 * refers to is marked and removed after the grace period, whether or not the store still has it.
 */
export async function gcEverywhere(registry: Registry, options: GcOptions = {}): Promise<GcEverywhereReport> {
  const service = await openSyncService(registry);
  if (!service) return registry.gc(options);
  try {
    try {
      await service.sync({ signal: options.signal, pullOnly: options.dryRun });
    } catch (error) {
      if (!isRegistryError(error, 'IO') && !isRegistryError(error, 'STORE_UNREACHABLE') && !isRegistryError(error, 'WRONG_STORE')) throw error;
      // Offline (or the store not there), retention still applies here; its tombstones are pushed with the next sync.
      return { ...(await registry.gc(options)), storeSkipped: error.message };
    }
    const local = await registry.gc(options);
    if (!options.dryRun && local.deleted.length > 0) await service.sync({ signal: options.signal });
    const deletedNow = options.dryRun ? new Set(local.deleted.map((version) => formatRef(version.model, version.number))) : new Set<string>();
    const store = await collectStoreGarbage(service, { graceHours: local.policy.blobGraceHours, dryRun: options.dryRun, signal: options.signal, except: deletedNow });
    return { ...local, store };
  } finally {
    service.store.close();
  }
}

/**
 * Removes the store's blobs that no live version refers to, once uploaded at least `graceHours`
 * ago by the store's own clock. Why a live version's blob is never removed:
 * - the live set is taken after pulling the whole log (pending versions here count as live), and
 *   again after this gc's marker is in the store, right before removing anything;
 * - a batch created before the marker is in that last pull, so its blobs are kept; a push whose
 *   batch comes later finds the marker, waits for this gc to stop, then uploads any blob of its
 *   batch that went (collectorMarkers.ts, SyncService.restoreCollected);
 * - the grace period keeps blobs of pushes still uploading (blobs go up before their batch) out
 *   of the way altogether, and with them most of the work of the handshake above;
 * - after removing, gc pulls once more and puts back, from its own copy, any removed blob that a
 *   batch pushed in the meantime names.
 */
export async function collectStoreGarbage(
  service: SyncService,
  options: { graceHours: number; dryRun?: boolean; signal?: AbortSignal; except?: ReadonlySet<string> },
): Promise<StoreGcReport> {
  const { store, registry } = service;
  const report: StoreGcReport = {
    store: store.description,
    unreferenced: { count: 0, bytes: 0 },
    removed: { count: 0, bytes: 0, blobs: [] },
    recent: { count: 0, bytes: 0, removableAfter: null },
    restored: [],
    unrestored: [],
    abandonedUploads: { count: 0, bytes: 0 },
  };
  const graceMs = options.graceHours * 3_600_000;
  const storeNow = await storeClock(service);
  await collectAbandonedUploads(service, storeNow.getTime() - Math.max(graceMs, ABANDONED_UPLOAD_MIN_AGE_MS), report.abandonedUploads, options.dryRun);
  let live = registry.liveBlobs(options.except);
  const candidates: { sha256: string; size: number; uploadedAt: Date }[] = [];
  for (const object of await store.listObjects('blobs/sha256/')) {
    const sha256 = blobSha256Of(object.key);
    if (!sha256 || live.has(sha256)) continue;
    report.unreferenced.count += 1;
    report.unreferenced.bytes += object.size;
    const due = object.modified.getTime() + graceMs;
    if (due <= storeNow.getTime()) {
      candidates.push({ sha256, size: object.size, uploadedAt: object.modified });
    } else {
      report.recent.count += 1;
      report.recent.bytes += object.size;
      const after = new Date(due).toISOString();
      if (report.recent.removableAfter === null || after < report.recent.removableAfter) report.recent.removableAfter = after;
    }
  }
  if (options.dryRun || candidates.length === 0) {
    for (const candidate of candidates) tallyRemoved(report, candidate);
    return report;
  }
  await withCollectorMarker(store, storeNow, async (mayRemove) => {
    // Pushes that finish from here on wait for this gc and check their blobs; those before are in this pull.
    await service.sync({ signal: options.signal, pullOnly: true });
    live = registry.liveBlobs();
    const removed: string[] = [];
    for (const candidate of candidates) {
      throwIfCancelled(options.signal);
      if (!mayRemove()) break;
      if (live.has(candidate.sha256)) continue;
      await store.delete(blobKey(candidate.sha256));
      removed.push(candidate.sha256);
      tallyRemoved(report, candidate);
    }
    // Belt and braces: a version pushed meanwhile that names a removed blob gets it back from here if this registry has it.
    if (removed.length === 0) return;
    await service.sync({ signal: options.signal, pullOnly: true });
    live = registry.liveBlobs();
    for (const sha256 of removed.filter((blob) => live.has(blob))) {
      if (registry.blobs.has(sha256)) {
        await store.putFile(blobKey(sha256), registry.blobs.pathOf(sha256));
        report.restored.push(sha256);
      } else {
        report.unrestored.push(sha256);
      }
    }
  });
  return report;
}

/**
 * A partial copy is touched by every write of its upload, but not while a resuming client re-hashes
 * the part it kept (minutes for a large file): even with no grace period, it is left alone that long.
 */
const ABANDONED_UPLOAD_MIN_AGE_MS = 3_600_000;

/**
 * Partial copies are never named by the log, so they need no handshake with pushes: one still being
 * written is younger than the minimum age, and one removed under a client that was only slow costs
 * it a fresh copy, never data.
 */
async function collectAbandonedUploads(service: SyncService, untouchedSince: number, tally: BlobTally, dryRun?: boolean): Promise<void> {
  for (const object of await service.store.listObjects(PARTIAL_UPLOAD_PREFIX)) {
    if (object.modified.getTime() > untouchedSince) continue;
    if (!dryRun) await service.store.delete(object.key);
    tally.count += 1;
    tally.bytes += object.size;
  }
}

function tallyRemoved(report: StoreGcReport, candidate: { sha256: string; size: number; uploadedAt: Date }): void {
  report.removed.count += 1;
  report.removed.bytes += candidate.size;
  report.removed.blobs.push({ sha256: candidate.sha256, size: candidate.size, uploadedAt: candidate.uploadedAt.toISOString() });
}

/**
 * The store's own time, read from an object written now: upload times are the store's, and a
 * client whose clock runs fast must not make a fresh upload look older than the grace period.
 */
async function storeClock(service: SyncService): Promise<Date> {
  const key = `probes/gc-clock-${randomBytes(8).toString('hex')}`;
  await service.store.createOnly(key, Buffer.from('clock'));
  try {
    const [probe] = await service.store.listObjects(key);
    if (probe?.key !== key) throw new RegistryError('IO', `The shared store ${service.store.description} did not list an object just written (${key}), so gc cannot tell how old its blobs are; nothing was removed there. Try again.`);
    return probe.modified;
  } finally {
    await service.store.delete(key);
  }
}

import type { EventDraft } from '../../core/events';
import { formatRef } from '../../core/refs';
import { refusedDeletions } from '../lifecycle/versionDeletion';
import type { RegistryEngine } from '../registryEngine';
import { liveBlobs, marksFileOf, planRetention, sweepBlobs, type GcReport, type RetentionDeletion } from './garbageCollection';
import { checkRetentionPolicy, loadRetentionPolicy, type RetentionPolicy } from './retentionPolicy';

export interface GcOptions {
  dryRun?: boolean;
  now?: Date;
  policy?: Partial<RetentionPolicy>;
}

/**
 * Applies the retention policy (policy.yaml's `retention:`, overridden by `options.policy`):
 * deletes versions with a tombstone event each, then marks blobs no live version refers to and
 * removes those marked at least the grace period ago. A dry run changes nothing.
 */
export async function collectGarbage(engine: RegistryEngine, options: GcOptions = {}): Promise<GcReport> {
  const now = options.now ?? new Date();
  const overrides = Object.fromEntries(Object.entries(options.policy ?? {}).filter(([, value]) => value !== undefined));
  checkRetentionPolicy(overrides, 'the gc options');
  const policy: RetentionPolicy = { ...loadRetentionPolicy(engine.folder.root), ...overrides };
  const marksFile = marksFileOf(engine.folder.root);
  if (options.dryRun) {
    engine.refresh();
    const deleted = allowedDeletions(engine, planRetention(engine.db, policy, now));
    const live = liveBlobs(engine.db, new Set(deleted.map((version) => formatRef(version.model, version.number))));
    return { dryRun: true, policy, deleted, ...sweepBlobs(engine.blobs, live, marksFile, policy, now, true) };
  }
  let deleted: RetentionDeletion[] = [];
  await engine.mutate(() => {
    deleted = allowedDeletions(engine, planRetention(engine.db, policy, now));
    return {
      drafts: deleted.map((version): EventDraft => ({
        type: 'version.deleted',
        model: version.model,
        version: version.number,
        payload: { rule: version.rule, fingerprint: version.fingerprint },
        reason: `retention: ${version.rule}`,
      })),
      result: () => undefined,
    };
  });
  // The shared store has its own gc (src/sync/storeGarbageCollection.ts), run by `mreg gc` after this.
  const blobs = await engine.lock.withLock(() => {
    engine.refresh();
    return sweepBlobs(engine.blobs, liveBlobs(engine.db), marksFile, policy, now, false);
  });
  return { dryRun: false, policy, deleted, ...blobs };
}

/** Retention keeps what the policy's deletion rules keep (deletion.forbidIfEverInProduction), like a person's delete. */
function allowedDeletions(engine: RegistryEngine, planned: RetentionDeletion[]): RetentionDeletion[] {
  if (planned.length === 0) return planned;
  const kept = refusedDeletions(engine, planned);
  return planned.filter((version) => !kept.has(formatRef(version.model, version.number)));
}

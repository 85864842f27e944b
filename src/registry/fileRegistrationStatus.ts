import { statSync } from 'node:fs';
import type { StatCache } from '../store/statCache';
import type { RegistryQueries } from '../core/registryQueries';

/** Where a file on disk stands against the registry, as the editor marks it. */
export interface FileRegistrationStatus {
  /** 'registered': its content is an artifact of these versions; 'changed': it was, and has changed since. */
  state: 'registered' | 'changed';
  versions: { model: string; number: number; path: string }[];
}

/**
 * Answers from the stat cache alone, so marking files costs a stat and a small read, never a hash:
 * a file whose size, mtime or inode moved since it was hashed counts as changed. Files that were
 * never hashed (or whose content belongs to no version) have no status.
 */
export function fileRegistrationStatus(file: string, statCache: StatCache, queries: RegistryQueries): FileRegistrationStatus | undefined {
  let stats;
  try {
    stats = statSync(file, { bigint: true });
  } catch {
    return undefined;
  }
  if (!stats.isFile()) return undefined;
  const known = statCache.lookup(file, stats);
  if (!known) return undefined;
  const versions = queries.versionsWithArtifact(known.sha256);
  if (versions.length === 0) return undefined;
  return { state: known.current ? 'registered' : 'changed', versions };
}

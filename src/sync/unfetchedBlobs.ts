import { isRegistryError, throwIfCancelled } from '../core/registryError';
import type { IntegrityProblem, IntegrityReport } from '../registry/integrityCheck';
import { blobKey } from '../store/shared/sharedStore';
import type { SyncOptions } from './syncContext';
import type { SyncService } from './syncService';

/** `mreg verify` of a registry that syncs: a blob absent here may only not have been fetched yet. */
export interface VerifyReport extends IntegrityReport {
  /** Blobs of versions known from the shared store that the store holds and this registry has not fetched (fetched on first use). */
  notFetched: { sha256: string; owner: string }[];
  /** Blobs `--fetch` downloaded and checked. */
  fetched: number;
  /** Why the store could not be asked about blobs absent here (they stay reported as missing). */
  storeNotAsked?: string;
}

/**
 * Sorts the blobs the local check found absent: one the shared store holds is *not fetched yet*
 * (pulled versions fetch artifacts lazily), or, with `fetch`, downloaded and checked now; one the
 * store does not hold either is *missing*. A store that cannot be asked leaves them all missing.
 */
export async function sortOutAbsentBlobs(service: SyncService, report: IntegrityReport, options: SyncOptions & { fetch?: boolean } = {}): Promise<VerifyReport> {
  const absent = report.problems.filter((problem): problem is IntegrityProblem & { blob: { sha256: string; owner: string } } => problem.kind === 'blob-missing' && problem.blob !== undefined);
  const result: VerifyReport = { ...report, problems: report.problems.filter((problem) => !absent.includes(problem as never)), notFetched: [], fetched: 0 };
  if (absent.length === 0) return result;
  const probe = await service.probe();
  if (!probe.reachable) {
    result.problems.push(...absent);
    result.storeNotAsked = probe.message;
    return result;
  }
  let done = 0;
  for (const problem of absent) {
    throwIfCancelled(options.signal);
    const { sha256, owner } = problem.blob;
    if (!options.fetch) {
      if (await service.store.exists(blobKey(sha256))) result.notFetched.push({ sha256, owner });
      else result.problems.push({ ...problem, message: `Blob ${sha256} (${owner}) is missing here and in the shared store ${service.store.description}.` });
      continue;
    }
    try {
      if (await service.fetchBlob(sha256)) result.fetched += 1;
      else result.problems.push({ ...problem, message: `Blob ${sha256} (${owner}) is missing here and in the shared store ${service.store.description}.` });
    } catch (error) {
      if (!isRegistryError(error, 'CORRUPT')) throw error;
      result.problems.push({ kind: 'blob-damaged', message: `Blob ${sha256} (${owner}): ${error.message}`, blob: { sha256, owner } });
    }
    options.onProgress?.(++done, absent.length, sha256);
  }
  return result;
}

import { formatRef } from '../core/refs';
import { formatBytes } from '../core/textReports';
import { integrityText } from '../registry/registryReports';
import type { RebaseReport } from './rebase';
import type { VerifyReport } from './unfetchedBlobs';
import type { StoreGcReport } from './storeGarbageCollection';
import type { StoreVerifyReport, SyncResult, SyncStatus } from './syncService';

/** Plain-text sync reports for people; `mreg --json` prints the objects themselves. */

export function rebaseText(report: RebaseReport): string[] {
  return [
    ...report.renumbered.map((item) => `Renumbered ${formatRef(item.model, item.from)} → ${formatRef(item.model, item.to)}: another client registered ${formatRef(item.model, item.from)} first.`),
    ...report.merged.map((item) => `${formatRef(item.model, item.from)} was registered elsewhere first as ${formatRef(item.model, item.to)} (same content); that one is kept.`),
    ...report.droppedSemver.map((item) => `Semver ${item.semver} was taken elsewhere first; ${formatRef(item.model, item.number)} keeps no semver label.`),
    ...(report.dropped ?? []).map((item) => `Dropped a pending ${item.type} of ${formatRef(item.model, item.number)}: ${item.why}.`),
  ];
}

export function syncText(result: SyncResult): string {
  const lines = [
    `Synced: pulled ${result.pulledBatches} batch(es) (${result.pulledEvents} events), pushed ${result.pushedBatches} batch(es) (${result.pushedEvents} events, ${result.uploadedBlobs} blob(s)); shared log at batch ${result.remoteSeq}.`,
    `  moved ${formatBytes(result.bytesUp)} up, ${formatBytes(result.bytesDown)} down${result.retries > 0 ? `; ${result.retries} retry(ies) after other clients pushed first` : ''}`,
    ...(result.createdStore
      ? [`Created a new shared store here (id ${result.createdStore}): the location was empty. Were a store expected there (a share not mounted?), this one stays apart from it, and syncs against the real one are refused until this is sorted out.`]
      : []),
    ...(result.bootstrappedFrom ? [`Started from the store's snapshot of batch ${result.bootstrappedFrom}.`] : []),
    ...(result.snapshotWritten ? [`Wrote a snapshot of batch ${result.snapshotWritten} for new clients.`] : []),
    ...rebaseText(result.rebase),
    ...result.warnings.map((warning) => `Warning: ${warning}`),
  ];
  return lines.join('\n');
}

/** What each state means, for people. */
const STATE_TEXT: Record<SyncStatus['state'], string> = {
  local: 'local only',
  synced: 'synced',
  pending: 'changes not yet pushed',
  offline: 'offline: the store did not answer',
  unreachable: 'unreachable: the store is missing or empty (a share not mounted?); nothing is written there',
  'wrong-store': 'wrong store: the location holds another store than this registry syncs with; nothing is written there',
  error: 'sync error',
};

export function statusText(status: SyncStatus & { reachable?: boolean; problem?: string }): string {
  if (!status.store) return `Local only: no shared store is set (mreg store set URI). ${status.pendingOps} local change(s).`;
  const lines = [
    `Store: ${status.store}${status.reachable === undefined ? '' : status.reachable ? ' (reachable)' : ' (not reachable)'}${status.storeId ? `, id ${status.storeId}` : ''}`,
    `State: ${STATE_TEXT[status.state]}`,
    ...(status.problem ? [`Now: ${status.problem}`] : []),
    `Pending: ${status.pendingOps} change(s) not yet pushed${status.pendingVersions.length > 0 ? `; pending versions (numbers may change): ${status.pendingVersions.map((v) => formatRef(v.model, v.number)).join(', ')}` : ''}`,
    `Last sync: ${status.lastSync ?? 'never'}; shared log at batch ${status.remoteSeq}`,
  ];
  if (status.unfinishedUploads.length > 0) {
    const bytes = status.unfinishedUploads.reduce((sum, upload) => sum + upload.size, 0);
    lines.push(`Unfinished uploads: ${status.unfinishedUploads.length} file(s), ${formatBytes(bytes)}; the next sync continues them where they stopped`);
  }
  if (status.lastError) lines.push(`Last error (${status.lastError.time}): ${status.lastError.message}`);
  return lines.join('\n');
}

/** `mreg verify` of a registry that syncs: the local check, then what is not fetched yet. */
export function verifyText(report: VerifyReport): string {
  const lines = [integrityText(report)];
  if (report.fetched > 0) lines.push(`Fetched and checked ${report.fetched} blob(s) of pulled versions from the shared store.`);
  if (report.notFetched.length > 0) {
    lines.push(`Not fetched yet: ${report.notFetched.length} blob(s) of pulled versions, held by the shared store (fetched on first use; 'mreg verify --fetch' downloads and checks them now).`);
  }
  if (report.storeNotAsked) lines.push(`The shared store could not be asked about the blobs absent here: ${report.storeNotAsked}`);
  return lines.join('\n');
}

export function storeVerifyText(report: StoreVerifyReport): string {
  const lines = [
    `Shared log: ${report.batches} batch(es), ${report.events} event(s) checked`,
    `Blobs: ${report.blobsChecked} of ${report.blobsTotal} re-hashed`,
  ];
  if (report.problems.length === 0) lines.push('No problems found.');
  for (const problem of report.problems) lines.push(`PROBLEM ${problem.kind} ${problem.key}: ${problem.message}`);
  return lines.join('\n');
}

/** The shared store's part of `mreg gc`. */
export function storeGcText(report: StoreGcReport, dryRun: boolean, graceHours: number): string {
  const lines = [
    `Shared store ${report.store}: blobs no live version refers to: ${report.unreferenced.count} (${formatBytes(report.unreferenced.bytes)}); ${dryRun ? 'would remove' : 'removed'}: ${report.removed.count} (${formatBytes(report.removed.bytes)})` +
      (report.recent.count > 0 ? `; uploaded within the ${graceHours} h grace period, kept: ${report.recent.count} (${formatBytes(report.recent.bytes)}), removable after ${report.recent.removableAfter}` : ''),
    ...report.removed.blobs.map((blob) => `  ${dryRun ? 'would remove' : 'removed'} ${blob.sha256} (${formatBytes(blob.size)}, uploaded ${blob.uploadedAt})`),
    ...report.restored.map((sha256) => `  put back ${sha256}: a version pushed during this gc refers to it`),
    ...report.unrestored.map((sha256) => `  Warning: ${sha256} was removed while a version pushed during this gc refers to it; the client that pushed it uploads it again on its next sync`),
  ];
  if (report.abandonedUploads.count > 0) {
    lines.push(`  ${dryRun ? 'would remove' : 'removed'} ${report.abandonedUploads.count} abandoned partial upload(s), untouched for the grace period and at least an hour (${formatBytes(report.abandonedUploads.bytes)})`);
  }
  return lines.join('\n');
}

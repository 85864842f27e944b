import { formatBytes, table } from '../../core/textReports';
import type { GcReport } from './garbageCollection';

/** What `mreg gc` did (or, with --dry-run, would do), for people. */
export function gcText(report: GcReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'Would delete' : 'Deleted';
  if (report.deleted.length === 0) {
    const rules = report.policy.keepLast === undefined && report.policy.deleteArchivedAfterDays === undefined;
    lines.push(rules ? 'No retention rules are set (policy.yaml, retention: keepLast / deleteArchivedAfterDays); no versions deleted.' : 'No versions are due for deletion.');
  } else {
    lines.push(`${verb} ${report.deleted.length} version(s):`);
    lines.push(
      table(
        ['  VERSION', 'STAGE', 'CREATED', 'RULE'],
        report.deleted.map((version) => [`  ${version.model}/${version.number}`, version.stage, version.createdAt, version.rule]),
      ),
    );
  }
  const { unreferenced, removed, pending } = report;
  lines.push(
    `Blobs no live version refers to: ${unreferenced.count} (${formatBytes(unreferenced.bytes)}); ${report.dryRun ? 'would remove' : 'removed'} now: ${removed.count} (${formatBytes(removed.bytes)})` +
      (pending.count > 0 ? `; kept for the ${report.policy.blobGraceHours} h grace period: ${pending.count} (${formatBytes(pending.bytes)}), removable after ${pending.removableAfter}` : ''),
  );
  return lines.join('\n');
}

import { formatBytes, indent } from '../core/textReports';
import type { IntegrityReport } from './integrityCheck';
import type { PullResult } from './pullVersion';
import type { RepairReport } from './repair/registryRepair';

export function pullText(result: PullResult): string {
  const written = result.files.filter((file) => file.status === 'written').length;
  return `${result.model}/${result.version} → ${result.to}: ${written} written, ${result.files.length - written} already up to date\n${indent(result.files.map((file) => `${file.status === 'written' ? '+' : '='} ${file.path}`).join('\n'))}`;
}

export function integrityText(report: IntegrityReport): string {
  const summary = `Checked ${report.events} events and ${report.blobs} blobs (${formatBytes(report.bytes)}).`;
  const strays = report.strays.length === 0 ? [] : [`${report.strays.length} file(s) in the blob folder are not blobs; they were left alone (remove them if they are yours to remove):`, ...report.strays.map((stray) => `  - ${stray}`)];
  if (report.problems.length === 0) return [`${summary} No problems found.`, ...strays].join('\n');
  return [summary, `${report.problems.length} problem(s):`, ...report.problems.map((problem) => `  - [${problem.kind}] ${problem.message}`), ...strays].join('\n');
}

export function repairText(report: RepairReport): string {
  if (!report.repaired) return `The op log is sound (intact up to event #${report.intactUpTo}); nothing to repair.`;
  const lines = [
    `Repaired the op log. The damaged file is kept as ${report.keptAs}.`,
    `Kept as it was: events #1–#${report.intactUpTo}.`,
    `Put back after the damage: ${report.rechained} batch(es) re-chained.`,
    `Restored from the snapshot: ${report.restored.length === 0 ? 'nothing' : report.restored.join(', ')}.`,
  ];
  if (report.setAside.length > 0) lines.push(`Snapshots that no longer match, set aside: ${report.setAside.join(', ')}.`);
  if (report.pulled) lines.push(`Pulled from the shared store: ${report.pulled.length === 0 ? 'nothing new' : report.pulled.join(', ')}.`);
  lines.push(report.lost.length === 0 ? 'Nothing is lost.' : `Lost:\n${indent(report.lost.map((item) => `- ${item}`).join('\n'))}`);
  return lines.join('\n');
}

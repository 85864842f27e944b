import { formatBytes, indent } from '../core/textReports';
import type { IntegrityReport } from './integrityCheck';
import type { PullResult } from './pullVersion';

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

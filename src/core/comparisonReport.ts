import { formatBytes, indent, table } from './textReports';
import type { ChangeStatus, ValueComparison, VersionColumns, VersionComparison } from './versionComparison';

const MARK: Record<ChangeStatus, string> = { same: '=', changed: '~', added: '+', removed: '-' };

/** `mreg diff` for people: only what differs, section by section, with a one-line summary first. */
export function comparisonText(comparison: VersionComparison): string {
  const { before, after, summary } = comparison;
  const lines = [
    `${before.ref} → ${after.ref}${comparison.sameFingerprint ? ' (identical manifests)' : ''}`,
    `  metrics: ${summary.metrics.better} better, ${summary.metrics.worse} worse, ${summary.metrics.changed} changed · params: ${summary.params.changed} changed, ${summary.params.added} added, ${summary.params.removed} removed · artifacts: ${summary.artifacts.changed} changed, ${summary.artifacts.added} added, ${summary.artifacts.removed} removed${summary.breakingSignature ? ' · signature: BREAKING' : ''}`,
  ];
  const metrics = comparison.metrics.filter((metric) => metric.status !== 'same');
  if (metrics.length > 0) {
    lines.push('', 'Metrics', indent(table(
      ['', 'NAME', 'BEFORE', 'AFTER', 'DELTA', 'RELATIVE', 'VERDICT'],
      metrics.map((m) => [MARK[m.status], m.name, m.before, m.after, m.delta === null ? '' : signed(m.delta), m.relativeDelta === null ? '' : `${signed(m.relativeDelta * 100, 2)}%`, m.verdict === 'neutral' ? '' : m.verdict]),
    )));
  }
  valueSection(lines, 'Params', comparison.params);
  const artifacts = comparison.artifacts.filter((artifact) => artifact.status !== 'same');
  if (artifacts.length > 0) {
    lines.push('', 'Artifacts', indent(table(
      ['', 'PATH', 'BEFORE', 'AFTER'],
      artifacts.map((a) => [MARK[a.status], a.path, a.before ? `${formatBytes(a.before.size)} ${a.before.sha256.slice(0, 12)}` : '', a.after ? `${formatBytes(a.after.size)} ${a.after.sha256.slice(0, 12)}` : '']),
    )));
  }
  if (comparison.signature.comparison.changes.length > 0) {
    lines.push('', 'Signature', ...comparison.signature.comparison.changes.map((change) => `  ${change.kind === 'breaking' ? 'BREAKING' : 'compatible'}  ${change.message}`));
  }
  const { git } = comparison.lineage;
  if (git.before !== git.after) {
    lines.push('', 'Code', `  commit ${git.before ?? '(none)'} → ${git.after ?? '(none)'}`);
    if (git.commitsBetween) lines.push(`  ${git.commitsBetween.count} commit(s) between`, ...git.commitsBetween.subjects.map((subject) => `    ${subject}`));
  }
  valueSection(lines, 'Git details', git.fields.filter((field) => field.name !== 'commit'));
  const data = comparison.lineage.data.filter((entry) => entry.status !== 'same');
  if (data.length > 0) {
    lines.push('', 'Data', indent(table(['', 'URI', 'BEFORE', 'AFTER'], data.map((d) => [MARK[d.status], d.uri, d.before?.sha256?.slice(0, 12) ?? '', d.after?.sha256?.slice(0, 12) ?? '']))));
  }
  valueSection(lines, 'Environment', comparison.lineage.environment);
  return lines.join('\n');
}

function valueSection(lines: string[], title: string, rows: ValueComparison[]): void {
  const changed = rows.filter((row) => row.status !== 'same');
  if (changed.length === 0) return;
  const shown = (value: unknown, present: boolean) => (present ? JSON.stringify(value) ?? '' : '');
  lines.push('', title, indent(table(['', 'NAME', 'BEFORE', 'AFTER'], changed.map((row) => [MARK[row.status], row.name, shown(row.before, row.status !== 'added'), shown(row.after, row.status !== 'removed')]))));
}

/** A change with its sign, as people write it: +0.02, -3. */
export function signed(value: number, digits?: number): string {
  const text = digits === undefined ? String(Number(value.toPrecision(12))) : value.toFixed(digits);
  return value > 0 ? `+${text}` : text;
}

/**
 * `mreg diff a b c …` for people: one column per version; every metric (the best value by its
 * direction marked `*`), then the params and artifacts that differ between any of them.
 */
export function columnsText(columns: VersionColumns): string {
  const refs = columns.versions.map((version) => version.ref);
  const lines = [`${refs.join(' | ')}`, indent(table(['', ...refs], [
    ['stage', ...columns.versions.map((version) => version.stage)],
    ['semver', ...columns.versions.map((version) => version.semver ?? '')],
    ['created', ...columns.versions.map((version) => version.createdAt)],
  ]))];
  if (columns.metrics.length > 0) {
    lines.push('', 'Metrics (* best by direction)', indent(table(
      ['NAME', 'BETTER', ...refs],
      columns.metrics.map((metric) => [metric.name, metric.direction === 'max' ? 'higher' : metric.direction === 'min' ? 'lower' : '', ...metric.values.map((value, index) => (value === null ? '' : `${value}${metric.best.includes(index) ? ' *' : ''}`))]),
    )));
  }
  const params = columns.params.filter((param) => param.differs);
  if (params.length > 0) {
    lines.push('', 'Params that differ', indent(table(['NAME', ...refs], params.map((param) => [param.name, ...param.values.map((value, index) => (param.present[index] ? JSON.stringify(value) ?? '' : ''))]))));
  }
  const artifacts = columns.artifacts.filter((artifact) => artifact.differs);
  if (artifacts.length > 0) {
    lines.push('', 'Artifacts that differ', indent(table(['PATH', ...refs], artifacts.map((artifact) => [artifact.path, ...artifact.values.map((value) => (value ? `${formatBytes(value.size)} ${value.sha256.slice(0, 12)}` : ''))]))));
  }
  return lines.join('\n');
}

import type { OverviewMetric, OverviewRow, OverviewVersion } from '../src/core/registryOverview';
import { formatBytes } from '../src/core/textReports';
import type { OverviewVersionLine } from '../src/extension/webviews/registryPagesProtocol';
import { el, type Child } from './dom';

/** The overview's columns: what each shows, and the value it sorts by. */
export interface OverviewColumn {
  id: string;
  title: string;
  sortValue: (row: OverviewRow) => number | string;
  cell: (row: OverviewRow, now: number) => Child;
  numeric?: boolean;
}

/** "3 h", "2 d": how long ago, in the largest whole unit. */
export function age(iso: string, now: number): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return 'now';
  const units: [number, string][] = [[60 * 60 * 24 * 365, 'y'], [60 * 60 * 24 * 30, 'mo'], [60 * 60 * 24, 'd'], [60 * 60, 'h'], [60, 'min']];
  for (const [size, unit] of units) if (seconds >= size) return `${Math.floor(seconds / size)} ${unit} ago`;
  return 'now';
}

function versionCell(version: OverviewVersion | null, now: number): Child {
  if (!version) return el('span', { class: 'muted' }, '—');
  return el('span', { attrs: { title: `since ${version.since}` } }, `#${version.number}`, version.semver ? ` v${version.semver.replace(/^v/, '')}` : '', el('span', { class: 'muted' }, ` · ${age(version.since, now)}`));
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** A metric from Production to latest; the change in the colour of its verdict, and in words for those who cannot see colour. */
function metricCell(metric: OverviewMetric): HTMLElement {
  const { production, latest, change, verdict } = metric;
  const values = production !== null && latest !== null && production !== latest ? `${number(production)} → ${number(latest)}` : number((latest ?? production)!);
  const delta = change === null || change === 0 ? '' : ` ${change > 0 ? '+' : '−'}${number(Math.abs(change))}`;
  const title = verdict === 'better' || verdict === 'worse' ? `${metric.name}: Production ${production}, latest ${latest} (${verdict})` : `${metric.name}: Production ${production ?? '—'}, latest ${latest ?? '—'}`;
  return el(
    'span',
    { class: `metric${verdict ? ` verdict-${verdict}` : ''}`, attrs: { title, 'data-metric': metric.name } },
    el('span', { class: 'metric-name' }, metric.name),
    ` ${values}`,
    delta ? el('span', { class: 'delta' }, delta, verdict === 'better' || verdict === 'worse' ? ` ${verdict}` : '') : '',
  );
}

const CHANGE_WORDS: Record<string, string> = {
  'version.registered': 'registered',
  'version.stage_changed': 'stage changed',
  'version.alias_set': 'alias set',
  'version.alias_removed': 'alias removed',
  'version.updated': 'edited',
  'version.deleted': 'deleted',
  'model.created': 'created',
  'model.updated': 'edited',
  'approval.requested': 'approval asked',
  'approval.approved': 'approved',
  'approval.rejected': 'rejected',
};

export const OVERVIEW_COLUMNS: OverviewColumn[] = [
  { id: 'model', title: 'Model', sortValue: (row) => row.model, cell: (row) => row.model },
  { id: 'versions', title: 'Versions', numeric: true, sortValue: (row) => row.versionCount, cell: (row) => String(row.versionCount) },
  { id: 'latest', title: 'Latest', sortValue: (row) => row.latest?.createdAt ?? '', cell: (row, now) => versionCell(row.latest, now) },
  { id: 'production', title: 'Production', sortValue: (row) => row.production?.since ?? '', cell: (row, now) => versionCell(row.production, now) },
  { id: 'staging', title: 'Staging', sortValue: (row) => row.staging?.since ?? '', cell: (row, now) => versionCell(row.staging, now) },
  {
    id: 'metrics',
    title: 'Metrics (Production → latest)',
    sortValue: (row) => row.metrics[0]?.latest ?? row.metrics[0]?.production ?? Number.NEGATIVE_INFINITY,
    cell: (row) => (row.metrics.length === 0 ? el('span', { class: 'muted' }, '—') : el('span', { class: 'metrics' }, ...row.metrics.map(metricCell))),
  },
  { id: 'approvals', title: 'Pending', numeric: true, sortValue: (row) => row.pendingApprovals, cell: (row) => (row.pendingApprovals ? String(row.pendingApprovals) : '') },
  {
    id: 'lastChange',
    title: 'Last change',
    sortValue: (row) => row.lastChange?.time ?? '',
    cell: (row, now) =>
      row.lastChange
        ? el('span', { attrs: { title: `${row.lastChange.type} by ${row.lastChange.actor} at ${row.lastChange.time}` } }, `${CHANGE_WORDS[row.lastChange.type] ?? row.lastChange.type}${row.lastChange.version ? ` #${row.lastChange.version}` : ''} · ${row.lastChange.actor}`, el('span', { class: 'muted' }, ` · ${age(row.lastChange.time, now)}`))
        : '',
  },
  { id: 'storage', title: 'Storage', numeric: true, sortValue: (row) => row.storageBytes, cell: (row) => formatBytes(row.storageBytes) },
];

/** A version under its model: number, label, stage, aliases, who registered it when. */
export function versionLineCells(line: OverviewVersionLine, now: number): Child[] {
  return [
    el('span', { class: 'version-ref' }, `#${line.number}`, line.semver ? ` v${line.semver.replace(/^v/, '')}` : ''),
    line.stage === 'None' ? '' : el('span', { class: `stage stage-${line.stage.toLowerCase()}` }, line.stage),
    line.aliases.map((alias) => `@${alias}`).join(' '),
    el('span', { class: 'muted' }, `${line.createdBy} · ${age(line.createdAt, now)}`),
  ];
}

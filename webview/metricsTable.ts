import type { MetricComparison } from '../src/core/versionComparison';
import { signed } from '../src/core/comparisonReport';
import { el, fillRows } from './dom';

export type MetricColumn = 'name' | 'before' | 'after' | 'delta' | 'relativeDelta';
export interface MetricSort {
  column: MetricColumn;
  descending: boolean;
}

const COLUMNS: { key: MetricColumn; label: string }[] = [
  { key: 'name', label: 'Metric' },
  { key: 'before', label: 'Before' },
  { key: 'after', label: 'After' },
  { key: 'delta', label: 'Change' },
  { key: 'relativeDelta', label: 'Relative' },
];

const VERDICT_MARK = { better: '▲ better', worse: '▼ worse', neutral: '' } as const;

/**
 * Metrics side by side. Headers are buttons (keyboard reachable) that sort by their column; the
 * verdict is spelled out as well as coloured, so it reads the same in high contrast and to screen readers.
 */
export function metricsTable(metrics: MetricComparison[], sort: MetricSort, changedOnly: boolean, onSort: (sort: MetricSort) => void): HTMLTableElement {
  const rows = metrics.filter((metric) => !changedOnly || metric.status !== 'same').sort(comparator(sort));
  const header = el(
    'tr',
    null,
    ...COLUMNS.map(({ key, label }) => {
      const active = sort.column === key;
      const th = el('th', { attrs: { scope: 'col', 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : 'none' } });
      const sortButton = el('button', { class: 'sort', attrs: { type: 'button', 'data-column': key } }, label, active ? (sort.descending ? ' ↓' : ' ↑') : '');
      sortButton.addEventListener('click', () => onSort({ column: key, descending: active ? !sort.descending : key !== 'name' }));
      th.appendChild(sortButton);
      return th;
    }),
    el('th', { attrs: { scope: 'col' } }, 'Verdict'),
  );
  const body = el('tbody', null);
  const element = el('table', { class: 'metrics' }, el('caption', null, `${rows.length} of ${metrics.length} metrics`), el('thead', null, header), body);
  fillRows(element, body, rows, (metric) =>
    el(
      'tr',
      { class: `metric ${metric.status} ${metric.verdict}`, attrs: { 'data-metric': metric.name } },
      el('th', { attrs: { scope: 'row' } }, metric.name),
      el('td', { class: 'number' }, metric.before ?? '—'),
      el('td', { class: 'number' }, metric.after ?? '—'),
      el('td', { class: 'number' }, metric.delta === null ? (metric.status === 'same' ? '' : metric.status) : signed(metric.delta)),
      el('td', { class: 'number' }, metric.relativeDelta === null ? '' : `${signed(metric.relativeDelta * 100, 2)}%`),
      el('td', { class: 'verdict' }, VERDICT_MARK[metric.verdict], metric.direction ? el('span', { class: 'muted' }, ` (${metric.direction === 'max' ? 'higher' : 'lower'} is better)`) : ''),
    ),
  );
  return element;
}

function comparator(sort: MetricSort): (a: MetricComparison, b: MetricComparison) => number {
  const sign = sort.descending ? -1 : 1;
  if (sort.column === 'name') return (a, b) => sign * a.name.localeCompare(b.name);
  const key = sort.column;
  // Missing values sort last whichever the direction.
  return (a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null) return x === y ? a.name.localeCompare(b.name) : x === null ? 1 : -1;
    return sign * (x - y) || a.name.localeCompare(b.name);
  };
}

import type { VersionColumns } from '../src/core/versionComparison';
import { formatBytes } from '../src/core/textReports';
import { timeText } from '../src/core/timeText';
import { el, fillRows, section, shown, table } from './dom';
import type { PageContext } from './pages';
import { checkbox } from './uiComponents';

/**
 * Two to five versions side by side: a column per version, a row per metric, param and artifact.
 * The best value of each metric (by its direction) is marked in words as well as colour; rows that
 * differ between the versions are marked, and *Changed only* keeps just those.
 */
export function renderColumns(columns: VersionColumns, context: PageContext): HTMLElement {
  const { state } = context;
  const refs = columns.versions.map((version) => version.ref);
  const filter = checkbox('Changed only', state.changedOnly, (changedOnly) => context.update({ ...context.state, changedOnly }));
  filter.id = 'changed-only';
  const metrics = columns.metrics.filter((metric) => !state.changedOnly || new Set(metric.values).size > 1);
  const params = columns.params.filter((param) => !state.changedOnly || param.differs);
  const artifacts = columns.artifacts.filter((artifact) => !state.changedOnly || artifact.differs);
  return el(
    'div',
    { class: 'page columns', attrs: { 'data-page': `columns:${refs.join('|')}` } },
    el('h1', null, `${refs.length} versions side by side`),
    table(['', ...refs], [
      ['Stage', ...columns.versions.map((version) => version.stage)],
      ['Semver', ...columns.versions.map((version) => version.semver ?? '')],
      ['Aliases', ...columns.versions.map((version) => version.aliases.map((alias) => `@${alias}`).join(' '))],
      ['Created', ...columns.versions.map((version) => `${timeText(version.createdAt)} by ${version.createdBy}`)],
      ['Description', ...columns.versions.map((version) => version.description ?? '')],
    ], (row) => row, 'values version-columns'),
    el('div', { class: 'filters' }, filter),
    section('Metrics', metrics.length === 0 ? el('p', { class: 'muted' }, columns.metrics.length === 0 ? 'No metrics recorded.' : 'No metric differs.') : metricsColumns(metrics, refs)),
    section(
      'Params',
      params.length === 0
        ? el('p', { class: 'muted' }, columns.params.length === 0 ? 'No params recorded.' : 'No param differs.')
        : table(['Param', ...refs], params, (param) => [param.differs ? el('strong', null, param.name) : param.name, ...param.values.map((value, index) => (param.present[index] ? shown(value) : el('span', { class: 'muted' }, '—')))], 'values params-columns'),
    ),
    section(
      'Artifacts',
      artifacts.length === 0
        ? el('p', { class: 'muted' }, columns.artifacts.length === 0 ? 'No artifacts.' : 'No artifact differs.')
        : table(['Path', ...refs], artifacts, (artifact) => [artifact.differs ? el('strong', null, artifact.path) : artifact.path, ...artifact.values.map((value) => (value ? `${formatBytes(value.size)} · ${value.sha256.slice(0, 12)}` : el('span', { class: 'muted' }, '—')))], 'values artifacts-columns'),
    ),
  );
}

function metricsColumns(metrics: VersionColumns['metrics'], refs: string[]): HTMLTableElement {
  const body = el('tbody', null);
  const element = el(
    'table',
    { class: 'metrics-columns' },
    el('caption', null, 'The best value of each metric with a direction is marked ★ best.'),
    el('thead', null, el('tr', null, el('th', { attrs: { scope: 'col' } }, 'Metric'), ...refs.map((ref) => el('th', { attrs: { scope: 'col' } }, ref)))),
    body,
  );
  fillRows(element, body, metrics, (metric) =>
    el(
      'tr',
      { attrs: { 'data-metric': metric.name } },
      el('th', { attrs: { scope: 'row' } }, metric.name, metric.direction ? el('span', { class: 'muted' }, ` (${metric.direction === 'max' ? 'higher' : 'lower'} is better)`) : ''),
      ...metric.values.map((value, index) =>
        metric.best.includes(index)
          ? el('td', { class: 'number best' }, String(value), el('span', { class: 'best-mark' }, ' ★ best'))
          : el('td', { class: 'number' }, value === null ? '—' : String(value)),
      ),
    ),
  );
  return element;
}

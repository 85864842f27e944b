import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricHistory, MetricSeries, StageMarker } from '../src/core/metricHistory';
import type { Stage } from '../src/core/stage';
import { el, section, table } from './dom';
import { checkbox } from './uiComponents';
import { timeText } from '../src/core/timeText';

/** What the chart page remembers across hiding: which metrics are plotted (null: the first few). */
export interface ChartView {
  metrics: string[] | null;
}

const DEFAULT_METRICS = 3;
const CHART_HEIGHT = 240;
const LABEL_ROWS = 3;
const LABEL_ROW_PX = 18;
/**
 * VS Code's chart colours, in the order series take them. Not charts.orange: its default is the
 * minimap's translucent find highlight (rgba(234, 92, 0, 0.33)), a line hardly seen.
 */
const SERIES_COLOURS = ['--vscode-charts-blue', '--vscode-charts-purple', '--vscode-charts-green', '--vscode-charts-red', '--vscode-charts-yellow'];
/** The marker lines take their labels' colours (styles.css), which are made for text. */
const STAGE_COLOURS: Record<Stage, string> = {
  Production: '--mr-better',
  Staging: '--mr-caution',
  Archived: '--vscode-descriptionForeground',
  None: '--vscode-foreground',
};

/** Charts still drawn on the page, redrawn when the theme changes and resized with the page; one page at a time. */
let live: { charts: uPlot[]; observers: (MutationObserver | ResizeObserver)[] } | undefined;

function disposeLive(): void {
  for (const chart of live?.charts ?? []) chart.destroy();
  for (const observer of live?.observers ?? []) observer.disconnect();
  live = undefined;
}

/**
 * The theme's value of a colour variable, read when drawing: canvas cannot use CSS variables, so
 * the chart is drawn again whenever VS Code changes the theme (it rewrites the variables on <html>).
 */
function themeColour(variable: string): string {
  const style = getComputedStyle(document.documentElement);
  return style.getPropertyValue(variable).trim() || style.getPropertyValue('--vscode-foreground').trim() || getComputedStyle(document.body).color;
}

function chosenMetrics(history: MetricHistory, view: ChartView): string[] {
  const names = new Set(history.metrics.map((metric) => metric.name));
  return view.metrics === null ? history.metrics.slice(0, DEFAULT_METRICS).map((metric) => metric.name) : view.metrics.filter((name) => names.has(name));
}

/**
 * Chosen metrics across all versions of a model, one small chart each (metrics rarely share a
 * scale), with a dashed line and a label at every version whose stage changed. The canvas is
 * decorative for screen readers: the same numbers and stage changes are in the tables below it.
 */
export function renderChart(history: MetricHistory, view: ChartView, save: (view: ChartView) => void): HTMLElement {
  disposeLive();
  let chosen = chosenMetrics(history, view);
  const charts = el('div', { class: 'charts' });
  const values = el('div', null);
  const draw = () => {
    disposeLive();
    const drawn: uPlot[] = [];
    const series = chosen.map((name) => history.metrics.find((metric) => metric.name === name)).filter((metric): metric is MetricSeries => metric !== undefined);
    charts.replaceChildren(
      ...(series.length === 0
        ? [el('p', { class: 'muted' }, history.metrics.length === 0 ? 'No version of this model records metrics.' : 'Choose metrics to plot.')]
        : series.map((metric, index) => {
            const caption = el('figcaption', null, metric.name, metric.direction ? el('span', { class: 'muted' }, ` (${metric.direction === 'max' ? 'higher' : 'lower'} is better)`) : '');
            const single = singleValue(history, metric);
            // One value has no trend: an axis around it would only invent a scale.
            if (single) return el('figure', { class: 'chart single-value', attrs: { 'data-metric': metric.name } }, caption, el('p', null, single));
            const target = el('div', { class: 'chart-canvas', attrs: { 'aria-hidden': 'true' } });
            drawn.push(metricChart(history, metric, SERIES_COLOURS[index % SERIES_COLOURS.length], target, charts.clientWidth));
            return el(
              'figure',
              { class: 'chart', attrs: { 'data-metric': metric.name } },
              caption,
              target,
            );
          })),
    );
    values.replaceChildren(
      series.length === 0
        ? el('p', { class: 'muted' }, 'No metric chosen.')
        : table(['Version', 'Stage', ...series.map((metric) => metric.name)], history.versions.map((version, index) => ({ version, index })), ({ version, index }) => [
            `#${version.number}${version.semver ? ` v${version.semver}` : ''}`,
            version.stage,
            ...series.map((metric) => metric.values[index] ?? '—'),
          ], 'values chart-values'),
    );
    const themeWatch = new MutationObserver(() => {
      if (charts.isConnected) draw();
    });
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    themeWatch.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    const resizeWatch = new ResizeObserver(() => {
      const width = charts.clientWidth;
      if (width > 0) for (const chart of drawn) if (Math.abs(chart.width - width) > 1) chart.setSize({ width, height: CHART_HEIGHT });
    });
    resizeWatch.observe(charts);
    live = { charts: drawn, observers: [themeWatch, resizeWatch] };
  };
  const picker = el(
    'fieldset',
    { class: 'metric-picker' },
    el('legend', null, `Metrics to plot (${history.metrics.length})`),
    ...history.metrics.map((metric) => {
      const box = checkbox(metric.name, chosen.includes(metric.name), (checked) => {
        chosen = checked ? history.metrics.map((m) => m.name).filter((name) => name === metric.name || chosen.includes(name)) : chosen.filter((name) => name !== metric.name);
        save({ metrics: chosen });
        draw();
      });
      box.setAttribute('data-metric-choice', metric.name);
      return box;
    }),
  );
  draw();
  return el(
    'div',
    { class: 'page chart-page', attrs: { 'data-page': `chart:${history.model}` } },
    el('h1', null, `${history.model}: metrics across versions`),
    el('p', { class: 'muted' }, `${history.versions.length} version${history.versions.length === 1 ? '' : 's'}, ${history.metrics.length} metric${history.metrics.length === 1 ? '' : 's'}, stage changed at ${history.markers.length} version${history.markers.length === 1 ? '' : 's'}.`),
    history.metrics.length > 0 ? picker : null,
    charts,
    section(
      'Stage changes',
      history.markers.length === 0
        ? el('p', { class: 'muted' }, 'No version of this model changed stage.')
        : table(['Version', 'From', 'To', 'When', 'By', 'Reason'], history.markers.flatMap((marker) => marker.changes.map((change) => ({ marker, change }))), ({ marker, change }) => [
            `#${marker.version}`,
            change.from,
            `${change.to}${change.rollback ? ' (rollback)' : ''}`,
            timeText(change.time),
            change.actor,
            change.reason ?? '',
          ], 'values stage-changes'),
    ),
    section('Values', values),
  );
}

/** `Only #3 (v1.3.0) records auc: 0.84` when exactly one version records the metric. */
function singleValue(history: MetricHistory, metric: MetricSeries): string | undefined {
  const recorded = metric.values.flatMap((value, index) => (value === null ? [] : [{ value, version: history.versions[index] }]));
  if (recorded.length !== 1) return undefined;
  const [{ value, version }] = recorded;
  const others = history.versions.length - 1;
  return `Only #${version.number}${version.semver ? ` (v${version.semver})` : ''} records ${metric.name}: ${value}${others > 0 ? `; ${others === 1 ? 'the other version does' : `the other ${others} versions do`} not.` : '.'}`;
}

function metricChart(history: MetricHistory, metric: MetricSeries, colourVariable: string, target: HTMLElement, width: number): uPlot {
  const foreground = themeColour('--vscode-charts-foreground');
  const grid = themeColour('--vscode-charts-lines');
  const font = `${getComputedStyle(document.documentElement).getPropertyValue('--vscode-font-size').trim() || '13px'} ${getComputedStyle(document.body).fontFamily}`;
  const colour = themeColour(colourVariable);
  const axis = { stroke: foreground, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const options: uPlot.Options = {
    width: width > 0 ? width : 640,
    height: CHART_HEIGHT,
    // Room above the plot for the stage-change labels, one row per neighbouring marker.
    padding: [8 + Math.min(LABEL_ROWS, history.markers.length) * LABEL_ROW_PX, 16, 0, 0],
    scales: { x: { time: false, range: (_chart, min, max) => [min - 0.5, max + 0.5] } },
    series: [
      { label: 'Version', value: (_chart, value) => (value === null ? '—' : `#${value}`) },
      { label: metric.name, stroke: colour, width: 2, spanGaps: true, points: { show: true, size: 6, fill: colour, stroke: colour } },
    ],
    axes: [
      { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], values: (_chart, splits) => splits.map((split) => (Number.isInteger(split) ? `#${split}` : '')) },
      { ...axis, size: 60 },
    ],
    cursor: { sync: { key: `metrics:${history.model}` } },
    hooks: { draw: [(chart) => drawMarkers(chart, history.markers)] },
  };
  return new uPlot(options, [history.versions.map((version) => version.number), metric.values], target);
}

/**
 * A dashed line per stage-changing version, in the colour of the stage it ended in, and its label
 * as text over the plot (staggered over three rows, so neighbouring versions' labels stay apart).
 */
function drawMarkers(chart: uPlot, markers: readonly StageMarker[]): void {
  const { ctx, bbox } = chart;
  const labels = chart.over.querySelector('.stage-markers') ?? chart.over.appendChild(el('div', { class: 'stage-markers' }));
  labels.replaceChildren();
  ctx.save();
  ctx.lineWidth = Math.max(1, devicePixelRatio);
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  for (const [index, marker] of markers.entries()) {
    const stage = marker.changes[marker.changes.length - 1].to;
    const colour = themeColour(STAGE_COLOURS[stage]);
    // Half a pixel off the grid: a one-pixel line then covers one column of pixels, not two at half strength.
    const x = Math.round(chart.valToPos(marker.version, 'x', true)) + 0.5;
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    const label = el('span', { class: `stage-marker stage-${stage.toLowerCase()} row-${index % LABEL_ROWS}`, attrs: { 'data-version': String(marker.version) } }, marker.label);
    // Through the CSSOM, which the content security policy allows (a style attribute it would not).
    labels.appendChild(label);
    // Kept inside the plot: a label of the last versions would otherwise run off the right edge.
    const room = (labels as HTMLElement).clientWidth;
    label.style.left = `${Math.max(0, Math.min(chart.valToPos(marker.version, 'x'), room - label.offsetWidth))}px`;
  }
  ctx.restore();
}

import { availableParallelism, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { largeComparison, largeHistory, showChart, showComparison } from '../webview/comparisonFixtures';
import { WebviewHarness } from '../webview/webviewHarness';
import { median, printTable, verdict } from './benchTable';

const TARGET_MS = 1000;

/**
 * A comparison of two versions with 10k params and 1k metrics: computing it, and the comparison
 * page's render in headless Chromium (message received → page built and laid out), then sorting
 * and filtering its metrics; then the metrics chart of a model with 1k versions. Medians of three.
 */
export async function benchWebview(params = 10_000, metrics = 1_000): Promise<void> {
  const computeTimes: number[] = [];
  let comparison = largeComparison(params, metrics);
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    comparison = largeComparison(params, metrics);
    computeTimes.push(performance.now() - start);
  }
  const harness = await WebviewHarness.launch();
  try {
    const render: number[] = [];
    const complete: number[] = [];
    const sort: number[] = [];
    const filter: number[] = [];
    for (let run = 0; run < 3; run++) {
      const page = await harness.open('dark');
      const shown = await timed(page, `window.postMessage(${JSON.stringify(showComparison(comparison))}, '*')`, 'table.metrics');
      render.push(shown.first);
      complete.push(shown.all);
      sort.push((await timed(page, `document.querySelector('button[data-column="delta"]').click()`, 'th[aria-sort="descending"] button[data-column="delta"]')).first);
      filter.push((await timed(page, `document.querySelector('#changed-only').click()`, 'caption')).first);
      await page.context().close();
    }
    const chartVersions = 1000;
    const chartMetrics = 50;
    const history = largeHistory(chartVersions, chartMetrics);
    const chart: number[] = [];
    for (let run = 0; run < 3; run++) {
      const page = await harness.open('dark');
      chart.push((await timed(page, `window.postMessage(${JSON.stringify(showChart(history))}, '*')`, 'figure.chart canvas')).all);
      await page.context().close();
    }
    printTable(`Comparison page: ${params} params, ${metrics} metrics (median of 3; target: render under ${TARGET_MS} ms; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`, ['step', 'ms', 'target'], [
      ['build and compare the two versions (core, Node)', median(computeTimes).toFixed(0), ''],
      ['render the page (message → first screen laid out)', median(render).toFixed(0), verdict(median(render) < TARGET_MS)],
      ['… until every row of the long tables is in (drawn in the background)', median(complete).toFixed(0), ''],
      ['sort metrics by change', median(sort).toFixed(0), ''],
      ['show changed only', median(filter).toFixed(0), ''],
    ]);
    printTable(`Metrics chart: ${chartVersions} versions with ${chartMetrics} metrics each, a stage change every tenth (median of 3)`, ['step', 'ms'], [
      ['draw the page: three charts with 100 markers, values table filled', median(chart).toFixed(0)],
    ]);
  } finally {
    await harness.close();
  }
}

/**
 * Runs the action inside the page and waits there for the selector, a forced layout and the next
 * frame: what a person sees first. Then waits until no table is still being filled (`aria-busy`)
 * and laid out again: the whole page. Strings, because the page's policy forbids eval and the test
 * runner's transpiler would add helpers to a serialized function.
 */
export async function timed(page: Page, action: string, selector: string): Promise<{ first: number; all: number }> {
  return page.evaluate(`new Promise((resolve) => {
    const start = performance.now();
    let first = 0;
    ${action};
    const whole = () => {
      if (document.querySelector('[aria-busy="true"]')) return setTimeout(whole, 5);
      void document.body.offsetHeight;
      requestAnimationFrame(() => resolve({ first, all: performance.now() - start }));
    };
    const check = () => {
      if (document.querySelector(${JSON.stringify(selector)}) && document.querySelector('.page')) {
        void document.body.offsetHeight;
        requestAnimationFrame(() => {
          first = performance.now() - start;
          whole();
        });
      } else setTimeout(check, 0);
    };
    check();
  })`) as Promise<{ first: number; all: number }>;
}

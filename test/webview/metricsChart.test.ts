import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { metricHistory } from '../../src/core/metricHistory';
import { stageChanges } from '../../src/core/stageHistory';
import { sampleHistory, showChart, versionDetails } from './comparisonFixtures';
import { THEMES, useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

/** How many pixels of a chart's canvas have about this colour (`#rrggbb`): proof of what was drawn. */
async function pixelsOf(page: Page, metric: string, colour: string, column?: number): Promise<number> {
  const [r, g, b] = [1, 3, 5].map((start) => parseInt(colour.slice(start, start + 2), 16));
  return page.locator(`figure.chart[data-metric="${metric}"] canvas`).evaluate(
    (canvas, { r, g, b, column }) => {
      const element = canvas as HTMLCanvasElement;
      const context = element.getContext('2d');
      if (!context) return -1;
      const { data, width } = context.getImageData(0, 0, element.width, element.height);
      let count = 0;
      for (let index = 0; index < data.length; index += 4) {
        if (column !== undefined && Math.abs(((index / 4) % width) - column) > 1) continue;
        if (Math.abs(data[index] - r) < 24 && Math.abs(data[index + 1] - g) < 24 && Math.abs(data[index + 2] - b) < 24 && data[index + 3] > 200) count++;
      }
      return count;
    },
    { r, g, b, column },
  );
}

describe('the metrics chart in a browser', function () {
  this.timeout(60_000);
  const browser = useWebviewHarness();
  let page: Page;

  const charted = () => page.locator('figure.chart').evaluateAll((figures) => figures.map((figure) => figure.getAttribute('data-metric')));

  it('draws the first metrics across all versions with a labelled marker at each stage change, in the theme\'s colours', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, showChart(sampleHistory()));
    await page.locator('figure.chart canvas').first().waitFor();
    assert.equal(await page.locator('h1').innerText(), 'fraud-detector: metrics across versions');
    assert.deepEqual(await charted(), ['auc', 'latency_ms', 'loss']);
    const auc = page.locator('figure.chart[data-metric="auc"]');
    assert.deepEqual(await auc.locator('.stage-marker').allInnerTexts(), ['#2 → Production → Archived', '#4 → Staging → Production']);
    assert.ok(await auc.locator('.stage-marker.stage-production').isVisible());
    assert.ok((await pixelsOf(page, 'auc', THEMES.dark['charts-blue'])) > 50, 'the auc series is drawn in the theme\'s blue');
    assert.ok((await pixelsOf(page, 'latency_ms', THEMES.dark['charts-purple'])) > 50, 'the second series takes the next chart colour');
    // The marker line of #4 (ended in Production) runs down the plot at #4's x position, in the "better" text colour.
    const x = await auc.locator('.stage-marker[data-version="4"]').evaluate((label) => Math.round(parseFloat((label as HTMLElement).style.left) + (label.parentElement?.parentElement?.offsetLeft ?? 0)));
    assert.ok((await pixelsOf(page, 'auc', THEMES.dark['gitDecoration-addedResourceForeground'], x)) > 20, 'the Production marker is drawn at #4');
    assert.equal(await page.locator('table.stage-changes tbody tr').count(), 4, 'each stage change is listed as text too');
    assert.match(await page.locator('table.chart-values tbody tr').nth(2).innerText(), /#3 v1\.3\.0\s+None\s+0\.84\s+—/);
    assert.deepEqual(browser.harness().errors, []);
    const { violations } = await WebviewHarness.recorded(page);
    assert.deepEqual(violations.filter((violation) => violation.startsWith('script') || !violation.includes('inline')), [], 'nothing but the toolkit\'s inline <style> attempt is blocked');
  });

  it('plots the metrics the person picks, keeps the keyboard on the picker and remembers the choice', async () => {
    page = await browser.open('light');
    await WebviewHarness.send(page, showChart(sampleHistory()));
    await page.locator('figure.chart canvas').first().waitFor();
    await page.locator('[data-metric-choice="loss"]').click();
    assert.deepEqual(await charted(), ['auc', 'latency_ms']);
    await page.locator('[data-metric-choice="latency_ms"]').focus();
    await page.keyboard.press('Space');
    assert.deepEqual(await charted(), ['auc']);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-metric-choice')), 'latency_ms', 'focus stays on the checkbox');
    await page.keyboard.press('Space');
    assert.deepEqual(await charted(), ['auc', 'latency_ms']);
    assert.ok((await pixelsOf(page, 'auc', THEMES.light['charts-blue'])) > 50);
    assert.equal(await page.locator('table.chart-values thead th').count(), 4, 'the values table follows the choice');
    const { state } = await WebviewHarness.recorded(page);
    assert.deepEqual((state as { view: { chartMetrics: string[] } }).view.chartMetrics, ['auc', 'latency_ms']);

    // Reopened from saved state, as after the panel was hidden.
    const saved = state;
    await page.context().close();
    page = await browser.open('light', saved);
    await page.locator('figure.chart canvas').first().waitFor();
    assert.deepEqual(await charted(), ['auc', 'latency_ms']);
  });

  it('draws again in the new colours when the theme changes', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, showChart(sampleHistory()));
    await page.locator('figure.chart canvas').first().waitFor();
    assert.ok((await pixelsOf(page, 'auc', THEMES.dark['charts-blue'])) > 50);
    await page.evaluate((theme) => {
      for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(`--vscode-${name}`, value);
      document.body.classList.replace('vscode-dark', 'vscode-light');
    }, THEMES.light);
    await page.waitForTimeout(200);
    const light = await pixelsOf(page, 'auc', THEMES.light['charts-blue']);
    assert.ok(light > 50, 'redrawn in the light theme\'s blue');
    assert.ok((await pixelsOf(page, 'auc', THEMES.dark['charts-blue'])) < light / 10, 'hardly any dark-theme blue left (only edge pixels of the light one come close)');
  });

  it('keeps the stage labels of the last versions inside the chart', async () => {
    const versions = [0.81, 0.82, 0.83].map((auc, index) => versionDetails(index + 1, { metrics: { auc: { value: auc } } }));
    const moves = (['Staging', 'Production', 'Archived', 'Production'] as const).map((to, index, all) => ({ seq: index + 1, time: '2026-02-01T10:00:00.000Z', actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version: 3, reason: null, details: { from: index === 0 ? 'None' : all[index - 1], to, rollback: index === 3 } }));
    page = await browser.open('dark');
    await WebviewHarness.send(page, showChart(metricHistory('fraud-detector', versions, stageChanges(moves))));
    const label = page.locator('figure.chart[data-metric="auc"] .stage-marker');
    await label.waitFor();
    assert.equal(await label.innerText(), '#3 → Staging → Production → Archived → Production (rollback)');
    const [labelBox, figureBox] = await Promise.all([label.boundingBox(), page.locator('figure.chart[data-metric="auc"]').boundingBox()]);
    assert.ok(labelBox && figureBox && labelBox.x + labelBox.width <= figureBox.x + figureBox.width, `the label ends at ${labelBox!.x + labelBox!.width}, the chart at ${figureBox!.x + figureBox!.width}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'the page does not scroll sideways');
    await WebviewHarness.screenshot(page, 'webview-chart-last-label');
  });

  it('shows a metric only one version records as its value, without an axis', async () => {
    const versions = [versionDetails(1, { metrics: { auc: { value: 0.8 } } }), versionDetails(2, { metrics: { auc: { value: 0.85 }, f1: { value: 0.7 } } }), versionDetails(3, { metrics: { auc: { value: 0.9 } } })];
    page = await browser.open('dark');
    await WebviewHarness.send(page, showChart(metricHistory('fraud-detector', versions, [])));
    await page.locator('figure.chart[data-metric="auc"] canvas').waitFor();
    const f1 = page.locator('figure.chart[data-metric="f1"]');
    assert.equal(await f1.locator('canvas').count(), 0, 'no chart for one value');
    assert.equal(await f1.locator('p').innerText(), 'Only #2 (v1.2.0) records f1: 0.7; the other 2 versions do not.');
  });

  it('renders hostile model, metric and stage-change strings as inert text', async () => {
    const payloads = ['<script>window.__pwned = 1</script>', '"><img src=x onerror="window.__pwned = 2">', 'javascript:window.__pwned = 3'];
    const versions = [1, 2].map((number) => versionDetails(number, { metrics: Object.fromEntries(payloads.map((payload, index) => [payload, { value: number + index }])) }, { model: payloads[1], semver: payloads[0] }));
    const history = metricHistory(payloads[1], versions, stageChanges([{ seq: 1, time: payloads[2], actor: payloads[0], type: 'version.stage_changed', model: payloads[1], version: 2, reason: payloads[1], details: { from: 'None', to: 'Production' } }]));
    page = await browser.open('dark');
    await WebviewHarness.send(page, showChart(history));
    await page.locator('figure.chart canvas').first().waitFor();
    await browser.harness().assertInert(page, payloads);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`draws the chart in the ${theme} theme`, async () => {
      page = await browser.open(theme);
      await WebviewHarness.send(page, showChart(sampleHistory()));
      await page.locator('figure.chart canvas').first().waitFor();
      assert.ok((await pixelsOf(page, 'auc', THEMES[theme]['charts-blue'])) > 50);
      await WebviewHarness.screenshot(page, `webview-chart-${theme}`);
    });
  }
});

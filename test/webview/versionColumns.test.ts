import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { compareColumns } from '../../src/core/versionComparison';
import { sampleColumns, showColumns, versionDetails } from './comparisonFixtures';
import { THEMES, useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

describe('the columns page in a browser', function () {
  this.timeout(60_000);
  const browser = useWebviewHarness();
  let page: Page;

  const cells = (metric: string) => page.locator(`table.metrics-columns tr[data-metric="${metric}"] td`).allInnerTexts();
  const hexToRgb = (hex: string) => `rgb(${[1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)).join(', ')})`;

  it('puts versions in columns and marks the best value of each metric by its direction', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, showColumns(sampleColumns()));
    await page.locator('table.metrics-columns').waitFor();
    assert.equal(await page.locator('h1').innerText(), '3 versions side by side');
    assert.deepEqual(await page.locator('table.metrics-columns thead th').allInnerTexts(), ['Metric', 'fraud-detector/1', 'fraud-detector/2', 'fraud-detector/3']);
    assert.deepEqual(await cells('auc'), ['0.9', '0.92', '0.95 ★ best'], 'higher is better: #3');
    assert.deepEqual(await cells('latency_ms'), ['9 ★ best', '12', '14'], 'lower is better: #1');
    assert.deepEqual(await cells('loss'), ['0.3', '0.3', '0.3'], 'no direction: no best');
    const best = page.locator('table.metrics-columns td.best');
    assert.equal(await best.count(), 2);
    assert.equal(await best.first().evaluate((cell) => getComputedStyle(cell).color), hexToRgb(THEMES.dark['gitDecoration-addedResourceForeground']), 'best in the theme\'s text colour for added files');
    assert.match(await page.locator('table.version-columns tbody tr').first().innerText(), /Stage\s+Archived\s+Production\s+Staging/);
    assert.deepEqual(await page.locator('table.params-columns tbody tr').allInnerTexts(), ['batch\t—\t—\t64', 'epochs\t10\t10\t10', 'lr\t0.01\t0.005\t0.005']);

    await page.locator('#changed-only').click();
    assert.deepEqual(await page.locator('table.metrics-columns tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-metric'))), ['auc', 'latency_ms']);
    assert.deepEqual(await page.locator('table.params-columns tbody th, table.params-columns tbody td:first-child').allInnerTexts(), ['batch', 'lr']);
    assert.equal(await page.locator('table.artifacts-columns tbody tr').count(), 1);
    assert.deepEqual(browser.harness().errors, []);
  });

  it('renders hostile names and values as inert text', async () => {
    const payloads = ['<script>window.__pwned = 1</script>', '"><img src=x onerror="window.__pwned = 2">', 'javascript:window.__pwned = 3'];
    const hostile = (number: number) =>
      versionDetails(number, {
        metrics: { [payloads[0]]: { value: number, direction: 'max' } },
        lineage: { params: { [payloads[1]]: payloads[2], [payloads[2]]: number } },
        artifacts: [{ path: payloads[1], size: number, sha256: String(number).repeat(64), mediaType: payloads[0] }],
      }, { model: payloads[1], description: payloads[0], aliases: [payloads[2]] });
    page = await browser.open('dark');
    await WebviewHarness.send(page, showColumns(compareColumns([hostile(1), hostile(2), hostile(3)])));
    await page.locator('table.metrics-columns').waitFor();
    await browser.harness().assertInert(page, payloads);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`draws the columns in the ${theme} theme`, async () => {
      page = await browser.open(theme);
      await WebviewHarness.send(page, showColumns(sampleColumns()));
      await page.locator('table.metrics-columns td.best').first().waitFor();
      assert.equal(await page.locator('table.metrics-columns td.best').first().evaluate((cell) => getComputedStyle(cell).color), hexToRgb(THEMES[theme]['gitDecoration-addedResourceForeground']));
      await WebviewHarness.screenshot(page, `webview-columns-${theme}`);
    });
  }
});

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { OverviewRow } from '../../src/core/registryOverview';
import { overviewPage, overviewVocabulary } from '../../src/extension/webviews/registryPageAnswers';
import type { Registry } from '../../src/registry/registry';
import { buildOverviewRegistry } from '../support/overviewRegistry';
import { useTempFolders } from '../support/tempFolders';
import { RegistryPageHost } from './registryPageHost';
import { THEMES, useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

const tempFolder = useTempFolders();
const hexToRgb = (hex: string) => `rgb(${[1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)).join(', ')})`;

describe('the overview page in a browser', function () {
  this.timeout(120_000);
  const browser = useWebviewHarness();
  let registry: Registry;
  let page: Page;
  let host: RegistryPageHost;

  before(async () => {
    registry = await buildOverviewRegistry(tempFolder('overview-page'));
  });
  after(async () => registry.close());

  const models = () => page.locator('table.overview tr.model-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-model')));
  const lines = () => page.locator('table.overview tbody tr:not(.spacer)').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));

  async function openOverview(theme: Theme = 'dark', rows?: OverviewRow[]): Promise<void> {
    page = await browser.open(theme);
    host = new RegistryPageHost(page, registry);
    const data = overviewPage(registry);
    await WebviewHarness.send(page, { type: 'show', page: rows ? { ...data, rows } : data });
    await WebviewHarness.send(page, overviewVocabulary(registry));
    await page.locator('table.overview tr.model-row').first().waitFor();
  }

  async function typeFilter(text: string): Promise<void> {
    await page.locator('#overview-filter input').fill(text);
    await host.settle();
  }

  it('lists every model with its stages, metrics by direction, approvals and storage, sorted by any column', async () => {
    await openOverview();
    assert.deepEqual(await models(), ['churn', 'features', 'fraud']);
    const fraud = page.locator('tr.model-row[data-model="fraud"]');
    const cells = await fraud.locator('td').allInnerTexts();
    assert.match(cells[1], /^3$/);
    assert.match(cells[2], /^#3 · now$/, 'latest');
    assert.match(cells[3], /^#2 v1\.1\.0 · now$/, 'Production with its semver and age');
    assert.match(cells[4], /^#3 · now$/, 'Staging');
    assert.match(cells[6], /^1$/, 'one approval pending');
    assert.match(cells[7], /approval asked #3 · alice@example\.com/);
    const auc = fraud.locator('.metric[data-metric="auc"]');
    assert.equal((await auc.innerText()).replace(/\s+/g, ' '), 'auc 0.91 → 0.94 +0.03 better');
    assert.equal(await auc.locator('.delta').evaluate((node) => getComputedStyle(node).color), hexToRgb(THEMES.dark['gitDecoration-addedResourceForeground']), 'higher auc is better, in the text colour for added files');
    const latency = fraud.locator('.metric[data-metric="latency_ms"]');
    assert.equal((await latency.innerText()).replace(/\s+/g, ' '), 'latency_ms 12 → 15 +3 worse');
    assert.equal(await latency.locator('.delta').evaluate((node) => getComputedStyle(node).color), hexToRgb(THEMES.dark['list-errorForeground']), 'higher latency is worse, in the list error colour');

    await page.locator('th button.sort[data-column="storage"]').click();
    assert.deepEqual(await models(), ['churn', 'fraud', 'features'], 'largest first: 3000 B, 53 B, 14 B');
    assert.equal(await page.locator('th[data-column="storage"]').getAttribute('aria-sort'), 'descending');
    await page.locator('th button.sort[data-column="storage"]').click();
    assert.deepEqual(await models(), ['features', 'fraud', 'churn']);
    await page.locator('th button.sort[data-column="production"]').click();
    assert.deepEqual(await models(), ['fraud', 'churn', 'features'], 'the model with a Production version first, the others by name');
    await page.locator('th button.sort[data-column="model"]').click();
    assert.deepEqual(await models(), ['churn', 'features', 'fraud']);
    assert.deepEqual(browser.harness().errors, []);
    const { violations } = await WebviewHarness.recorded(page);
    assert.deepEqual(violations.filter((violation) => violation.startsWith('script') || !violation.includes('inline')), [], "nothing but the toolkit's inline <style> attempt is blocked");
  });

  it('filters with a query (showing the versions it found) or with text, completing as the Models view does', async () => {
    await openOverview();
    await typeFilter("stage = 'Staging'");
    assert.deepEqual(await lines(), ['model:fraud', 'version:fraud/3'], 'the model, opened to the one version found');
    assert.match(await page.locator('#overview-status').innerText(), /^Query: 1 matching version in 1 model \(of 3\)\.$/);
    await typeFilter('metrics.auc >= 0.9');
    assert.deepEqual(await lines(), ['model:fraud', 'version:fraud/3', 'version:fraud/2']);
    await typeFilter('chu');
    assert.deepEqual(await models(), ['churn']);
    assert.match(await page.locator('#overview-status').innerText(), /^Text: 1 model of 3 whose name or description contains “chu”\.$/);
    await typeFilter('');
    assert.deepEqual(await models(), ['churn', 'features', 'fraud']);

    await page.locator('#overview-filter input').fill('metrics.');
    const suggestions = await page.locator('#overview-completions li').allInnerTexts();
    assert.deepEqual(suggestions.map((text) => text.trim()), ['metrics.auc', 'metrics.latency_ms', 'metrics.recall']);
    await page.locator('#overview-filter input').press('ArrowDown');
    await page.locator('#overview-completions li[aria-selected="true"]', { hasText: 'metrics.auc' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.locator('#overview-completions li[aria-selected="true"]', { hasText: 'metrics.latency_ms' }).waitFor();
    await page.keyboard.press('Enter');

    // The toolkit's text field hands a value set from script to its inner <input> on its next DOM
    // update, which a headless page under load can run late: read it once it has.
    const filterInput = page.locator('#overview-filter input');
    for (let tries = 0; tries < 100 && (await filterInput.inputValue()) !== 'metrics.latency_ms '; tries++) await page.waitForTimeout(50);
    assert.equal(await filterInput.inputValue(), 'metrics.latency_ms ');
    assert.ok((await page.locator('#overview-completions li').allInnerTexts()).some((text) => text.trim() === '>='), 'operators come next');
    await page.locator('#overview-filter input').fill("metrics.latency_ms > 14");
    await page.locator('#overview-filter input').press('Enter');
    await host.settle();
    assert.deepEqual(await lines(), ['model:fraud', 'version:fraud/3']);
  });

  it('opens a model to its versions, and sends details, compare, promote and lineage for the selection', async () => {
    await openOverview();
    await page.locator('tr.model-row[data-model="fraud"] button.expand').click();
    await host.settle();
    assert.deepEqual(await lines(), ['model:churn', 'model:features', 'model:fraud', 'version:fraud/3', 'version:fraud/2', 'version:fraud/1']);
    assert.match(await page.locator('tr[data-key="version:fraud/2"]').innerText(), /#2 v1\.1\.0\s+Production\s+@champion\s+alice@example\.com · now/);

    await page.locator('tr[data-key="model:fraud"]').click();
    await page.locator('#overview-compare').click();
    await page.locator('#overview-promote').click();
    await page.locator('#overview-lineage').click();
    await page.locator('tr[data-key="version:fraud/1"]').click();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.locator('#overview-lineage').click();
    await page.locator('tr[data-key="model:churn"]').click();
    assert.equal(await page.locator('#overview-compare').getAttribute('disabled'), '', 'churn has no Production to compare with');
    await page.keyboard.press('ArrowRight');
    await host.settle();
    assert.deepEqual((await lines()).slice(0, 2), ['model:churn', 'version:churn/1'], '→ opens the selected model');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual((await lines()).slice(0, 2), ['model:churn', 'model:features'], '← closes it');
    await host.answer();
    assert.deepEqual(host.commands, [
      { type: 'compareVersions', before: 'fraud/2', after: 'fraud/3' },
      { type: 'promote', ref: 'fraud/3' },
      { type: 'showLineage', subject: 'fraud' },
      { type: 'openVersion', ref: 'fraud/2' },
      { type: 'showLineage', subject: 'fraud/2' },
    ]);
  });

  it('draws only the rows in view of a thousand models, and reaches the last by scrolling', async () => {
    const [template] = overviewPage(registry).rows.filter((row) => row.model === 'fraud');
    const many = Array.from({ length: 1000 }, (_, index) => ({ ...template, model: `model-${String(index).padStart(4, '0')}`, storageBytes: index }));
    await openOverview('dark', many);
    assert.equal(await page.locator('table.overview').getAttribute('aria-rowcount'), '1001');
    const drawn = await page.locator('table.overview tr.model-row').count();
    assert.ok(drawn > 10 && drawn < 80, `${drawn} rows in the document`);
    await page.locator('.virtual-scroll').evaluate((scroller) => (scroller.scrollTop = scroller.scrollHeight));
    await page.locator('tr.model-row[data-model="model-0999"]').waitFor();
    assert.ok((await page.locator('table.overview tr.model-row').count()) < 80);
    await page.locator('th button.sort[data-column="storage"]').click();
    await page.locator('.virtual-scroll').evaluate((scroller) => (scroller.scrollTop = 0));
    await page.locator('tr.model-row[data-model="model-0999"]').waitFor();
    assert.equal((await models())[0], 'model-0999', 'sorted by storage, largest first');
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`draws the overview in the ${theme} theme`, async () => {
      await openOverview(theme);
      await page.locator('tr.model-row[data-model="fraud"] button.expand').click();
      await host.settle();
      await page.locator('tr[data-key="version:fraud/2"]').click();
      await page.locator('#overview-filter input').fill('metrics.a');
      assert.equal(await page.locator('.metric.verdict-better .delta').first().evaluate((node) => getComputedStyle(node).color), hexToRgb(THEMES[theme]['gitDecoration-addedResourceForeground']));
      await WebviewHarness.screenshot(page, `webview-overview-${theme}`);
    });
  }
});

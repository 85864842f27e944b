import assert from 'node:assert/strict';
import type { HostMessage } from '../../src/extension/webviews/protocol';
import { sampleLog } from './auditLogFixtures';
import { useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

describe('the audit log page in a browser', function () {
  this.timeout(120_000);
  const browser = useWebviewHarness();
  const rows = (page: import('playwright-core').Page) => page.locator('table.audit-log tbody tr');

  it('shows each event as a row with when, who, version, what and why, all in view', async () => {
    const page = await browser.open('dark');
    await WebviewHarness.send(page, sampleLog());
    await page.locator('h1', { hasText: 'Audit log' }).waitFor();
    assert.deepEqual(await page.locator('table.audit-log thead th').allInnerTexts(), ['When', 'By', 'Version', 'What', 'Reason']);
    const promotion = (await rows(page).nth(2).locator('td').allInnerTexts()).map((text) => text.trim());
    assert.match(promotion[0], /ago · .*2026/);
    assert.deepEqual(promotion.slice(1), ['ana@example.com', 'fraud-detector/2', 'Moved fraud-detector/2 from Staging to Production', 'auc up two points on the March hold-out set, latency within budget, reviewed with the risk team']);
    assert.equal(await page.locator('p[role="status"]').innerText(), '5 events');
    // Nothing runs off to the right: the page does not scroll sideways and every reason cell is inside the window.
    const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(overflow.scroll <= overflow.client, `the page scrolls sideways: ${overflow.scroll} > ${overflow.client}`);
    for (const box of await rows(page).locator('td:nth-child(5)').evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().right))) assert.ok(box <= 1100);
    await WebviewHarness.screenshot(page, 'webview-audit-log-dark');
  });

  it('filters to the rows containing every word typed, remembers the filter, and says when nothing matches', async () => {
    const page = await browser.open('light');
    await WebviewHarness.send(page, sampleLog());
    await page.locator('#log-filter').fill('fraud production');
    assert.equal(await rows(page).count(), 1);
    assert.match(await rows(page).first().innerText(), /Moved fraud-detector\/2 from Staging to Production/);
    assert.equal(await page.locator('p[role="status"]').innerText(), '1 of 5 events');
    await page.locator('#log-filter').fill('bo@example');
    assert.match(await rows(page).first().innerText(), /Registered churn\/1 as v0\.1\.0/);
    await page.locator('#log-filter').fill('alias_set');
    assert.match(await rows(page).first().innerText(), /Set alias @champion on fraud-detector\/2/);
    const state = (await WebviewHarness.recorded(page)).state as { view: { logFilter: string } };
    assert.equal(state.view.logFilter, 'alias_set');
    await page.locator('#log-filter').fill('nothing-like-this');
    assert.equal(await page.locator('.log-holder').innerText(), 'No event matches the filter.');
    await WebviewHarness.screenshot(page, 'webview-audit-log-light');

    const restored = await browser.open('light', state);
    await WebviewHarness.send(restored, sampleLog());
    await restored.locator('h1').waitFor();
    assert.equal(await restored.locator('#log-filter').inputValue(), 'alias_set');
    assert.equal(await rows(restored).count(), 1);
  });

  it('renders hostile actors, reasons and payloads as inert text', async () => {
    const payloads = ['<script>window.__pwned = 1</script>', '"><img src=x onerror="window.__pwned = 2">', '<a href="javascript:window.__pwned=4">x</a>'];
    const page = await browser.open('dark');
    await WebviewHarness.send(page, { type: 'show', page: { kind: 'log', model: null, events: [{ seq: 1, time: payloads[2], actor: payloads[1], type: payloads[0], model: payloads[2], version: 1, reason: payloads[0], details: { alias: payloads[1] } }] } } satisfies HostMessage);
    await page.locator('table.audit-log').waitFor();
    await browser.harness().assertInert(page, payloads);
  });

  for (const theme of ['light', 'high-contrast'] as Theme[]) {
    it(`draws the log in the ${theme} theme`, async () => {
      const page = await browser.open(theme);
      await WebviewHarness.send(page, sampleLog());
      await page.locator('table.audit-log').waitFor();
      await WebviewHarness.screenshot(page, `webview-audit-log-${theme}-table`);
    });
  }
});

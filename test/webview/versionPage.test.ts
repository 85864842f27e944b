import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { HostMessage } from '../../src/extension/webviews/protocol';
import { largeComparison, sampleComparison, showComparison, versionDetails } from './comparisonFixtures';
import { useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

/**
 * The version pages in headless Chromium: the shipped bundle under the extension's content security
 * policy, driven by the messages the extension sends, with what the page posts back recorded.
 */
/** The toolkit tries one inline <style> the policy blocks (its styles arrive as constructed sheets anyway); scripts must never be blocked or tried. */
function scriptViolations(violations: string[]): string[] {
  return violations.filter((violation) => violation.startsWith('script'));
}

describe('the version pages in a browser', function () {
  this.timeout(60_000);
  const browser = useWebviewHarness();
  let page: Page;

  const metricNames = () => page.locator('table.metrics tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-metric')));

  it('shows a comparison, sorts the metrics, filters to changed ones and colours better and worse', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, showComparison(sampleComparison()));
    await page.locator('h1', { hasText: 'fraud-detector/1 ↔ fraud-detector/2' }).waitFor();
    assert.deepEqual(await metricNames(), ['auc', 'f1', 'latency_ms', 'loss', 'recall']);
    assert.match(await page.locator('tr[data-metric="auc"]').innerText(), /0\.91\s+0\.93\s+\+0\.02\s+\+2\.20%\s+▲ better/);
    assert.match(await page.locator('tr[data-metric="latency_ms"]').innerText(), /▼ worse/);
    const colour = (name: string) => page.locator(`tr[data-metric="${name}"] td.verdict`).evaluate((cell) => getComputedStyle(cell).color);
    assert.equal(await colour('auc'), 'rgb(129, 184, 139)', 'better uses the theme\'s text colour for added files');
    assert.equal(await colour('latency_ms'), 'rgb(248, 128, 112)', 'worse uses the theme\'s text colour for list errors');
    assert.notEqual(await colour('loss'), await colour('auc'), 'unchanged and undirected metrics stay neutral');

    await page.locator('button[data-column="delta"]').click();
    assert.deepEqual(await metricNames(), ['latency_ms', 'auc', 'f1', 'loss', 'recall'], 'largest change first, missing last');
    assert.equal(await page.locator('th:has(button[data-column="delta"])').getAttribute('aria-sort'), 'descending');
    await page.keyboard.press('Enter');
    assert.deepEqual(await metricNames(), ['f1', 'loss', 'auc', 'latency_ms', 'recall'], 'the header keeps focus; Enter reverses the order');

    await page.locator('#changed-only').click();
    assert.deepEqual(await metricNames(), ['auc', 'latency_ms', 'recall']);
    assert.equal(await page.locator('section[aria-labelledby="section-params"] tbody tr').count(), 2, 'epochs is unchanged and hidden');
    const recorded = await WebviewHarness.recorded(page);
    assert.deepEqual(recorded.state && (recorded.state as { view: unknown }).view, { sort: { column: 'delta', descending: false }, changedOnly: true, chartMetrics: null, logFilter: '' });
    assert.deepEqual(scriptViolations(recorded.violations), []);
  });

  it('restores the page and how it was left from saved state, as after the panel was hidden', async () => {
    const view = { sort: { column: 'after', descending: true }, changedOnly: true };
    page = await browser.open('light', { page: { kind: 'comparison', comparison: sampleComparison() }, view });
    assert.deepEqual(await metricNames(), ['latency_ms', 'auc', 'recall']);
    assert.equal(await page.locator('#changed-only').evaluate((box) => (box as HTMLInputElement).checked), true);
  });

  it('draws long tables a screenful first and the rest in the background, and sorts and filters all of them', async () => {
    const comparison = largeComparison(3000, 600);
    page = await browser.open('dark');
    // Counted inside the page as the first render lands (observers run before any later task), so
    // a slow test runner cannot see the background chunks already done.
    await page.evaluate(() => {
      const observer = new MutationObserver(() => {
        const drawn = document.querySelectorAll('section[aria-labelledby="section-params"] tbody tr').length;
        if (drawn === 0) return;
        (window as unknown as { __firstParams: number }).__firstParams = drawn;
        observer.disconnect();
      });
      observer.observe(document.getElementById('root') ?? document.body, { childList: true, subtree: true });
    });
    await WebviewHarness.send(page, showComparison(comparison));
    await page.locator('table.metrics').waitFor();
    const params = page.locator('section[aria-labelledby="section-params"] tbody tr');
    const first = await page.evaluate(() => (window as unknown as { __firstParams?: number }).__firstParams);
    assert.ok(first !== undefined && first > 0 && first < 3000, `the first screen does not wait for every param (it had ${first})`);
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    assert.equal(await params.count(), 3000);
    assert.equal(await page.locator('table.metrics tbody tr').count(), 600);
    // Sorting while the rows are still coming in: the old table stops filling, the new one has every metric once.
    await page.locator('button[data-column="delta"]').click();
    await page.locator('button[data-column="delta"]').click();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    const names = await metricNames();
    assert.equal(names.length, 600);
    assert.equal(new Set(names).size, 600);
    assert.equal(await page.locator('th:has(button[data-column="delta"])').getAttribute('aria-sort'), 'ascending');
    await page.locator('#changed-only').click();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
    const changed = <T extends { status: string }>(rows: T[]) => rows.filter((row) => row.status !== 'same').length;
    assert.equal(await params.count(), changed(comparison.params));
    assert.equal(await page.locator('table.metrics tbody tr').count(), changed(comparison.metrics));
    assert.ok(changed(comparison.params) > 1000 && changed(comparison.params) < 3000);
    assert.deepEqual(browser.harness().errors, []);
  });

  it('posts typed actions for the versions it shows', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, showComparison(sampleComparison()));
    const after = page.locator('.version-card').nth(1);
    await after.locator('vscode-button', { hasText: 'Promote…' }).click();
    await after.locator('vscode-button', { hasText: 'Set Alias…' }).click();
    await after.locator('vscode-button', { hasText: 'Copy URI' }).click();
    await after.locator('vscode-button', { hasText: 'Copy Load Snippet…' }).click();
    await page.locator('vscode-button', { hasText: 'Open Commit' }).first().click();
    await page.locator('vscode-button', { hasText: 'Open in Diff Editor' }).click();
    const { posted } = await WebviewHarness.recorded(page);
    assert.deepEqual(posted, [
      { type: 'ready' },
      { type: 'promote', ref: 'fraud-detector/2' },
      { type: 'setAlias', ref: 'fraud-detector/2' },
      { type: 'copyUri', ref: 'fraud-detector/2' },
      { type: 'copyLoadSnippet', ref: 'fraud-detector/2' },
      { type: 'openCommit', ref: 'fraud-detector/1', commit: 'c0ffee0000000000000000000000000000000001' },
      { type: 'openManifestDiff' },
    ]);

    await WebviewHarness.send(page, { type: 'show', page: { kind: 'details', details: versionDetails(2, {}), uri: 'models:/fraud-detector/2', events: [] } } satisfies HostMessage);
    await page.locator('h1', { hasText: /^fraud-detector\/2$/ }).waitFor();
    await page.locator('vscode-button', { hasText: 'Reveal' }).click();
    assert.deepEqual((await WebviewHarness.recorded(page)).posted.at(-1), { type: 'revealArtifact', ref: 'fraud-detector/2', path: 'model.onnx' });
    await page.locator('vscode-button', { hasText: 'Metrics Chart' }).click();
    assert.deepEqual((await WebviewHarness.recorded(page)).posted.at(-1), { type: 'showChart', ref: 'fraud-detector/2' });
  });

  it('shows security findings, unreadable files and what was read from each file on the details page', async () => {
    const signature = { inputs: [{ name: 'features', elementType: 'float32', shape: [null, 16] }], outputs: [{ name: 'score', elementType: 'float32', shape: [null, 1] }] };
    const details = versionDetails(4, {
      artifacts: [
        { path: 'model.onnx', size: 4096, sha256: 'd'.repeat(64), mediaType: 'application/onnx', inspection: { format: 'onnx', summary: { opsets: 'ai.onnx 17', operators: 'Gemm ×2, Relu ×1' }, parameterCount: 1234567, tensorCount: 4, signature, findings: [] } },
        { path: 'churn.pkl', size: 90, sha256: 'e'.repeat(64), mediaType: 'application/octet-stream', inspection: { format: 'pickle', summary: {}, findings: [{ severity: 'high', code: 'pickle.unsafe-import', message: 'imports posix.system', where: 'offset 2' }] } },
        { path: 'broken.onnx', size: 10, sha256: 'f'.repeat(64), mediaType: 'application/onnx', inspection: { format: 'onnx', summary: {}, error: 'not a readable onnx file: truncated', findings: [] } },
      ],
      signature,
    });
    page = await browser.open('light');
    await WebviewHarness.send(page, { type: 'show', page: { kind: 'details', details, uri: 'models:/fraud-detector/4', events: [] } } satisfies HostMessage);
    await page.locator('h1', { hasText: /^fraud-detector\/4$/ }).waitFor();
    const findings = page.locator('section[aria-labelledby="section-findings"] li');
    assert.deepEqual(await findings.allInnerTexts(), ['HIGH churn.pkl: imports posix.system (at offset 2) [pickle.unsafe-import]', 'broken.onnx: not a readable onnx file: truncated']);
    const headings = await page.locator('section > h2').allInnerTexts();
    assert.ok(headings.indexOf('Findings') < headings.indexOf('Artifacts'), `findings come before the files: ${headings.join(', ')}`);
    const inspection = await page.locator('section[aria-labelledby="section-inspection"]').innerText();
    assert.match(inspection, /model\.onnx\s+Name\s+Value\s+format\s+onnx\s+parameters\s+1,234,567\s+tensors\s+4\s+opsets\s+ai\.onnx 17\s+operators\s+Gemm ×2, Relu ×1/);
    assert.match(inspection, /churn\.pkl[\s\S]*format\s+pickle/);
    assert.match(await page.locator('section[aria-labelledby="section-signature"]').innerText(), /Read from model\.onnx\./);
    await WebviewHarness.screenshot(page, 'webview-details-findings-light');
    for (const theme of ['dark', 'high-contrast'] as Theme[]) {
      const themed = await browser.open(theme);
      await WebviewHarness.send(themed, { type: 'show', page: { kind: 'details', details, uri: 'models:/fraud-detector/4', events: [] } } satisfies HostMessage);
      await themed.locator('section[aria-labelledby="section-findings"]').waitFor();
      await WebviewHarness.screenshot(themed, `webview-details-findings-${theme}`);
    }

    await WebviewHarness.send(page, { type: 'show', page: { kind: 'details', details: versionDetails(2, {}), uri: 'models:/fraud-detector/2', events: [] } } satisfies HostMessage);
    await page.locator('h1', { hasText: /^fraud-detector\/2$/ }).waitFor();
    assert.equal(await page.locator('section[aria-labelledby="section-findings"]').count(), 0, 'no findings, no section');
  });

  it('lists the version\'s events as sentences with readable times, no JSON', async () => {
    page = await browser.open('dark');
    const events = [
      { seq: 2, time: '2026-01-05T10:00:00.000Z', actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version: 2, reason: 'better auc', details: { from: 'Staging', to: 'Production', gates: { passed: true, results: [] } } },
      { seq: 1, time: '2026-01-02T10:00:00.000Z', actor: 'ana@example.com', type: 'version.registered', model: 'fraud-detector', version: 2, reason: null, details: { semver: '1.2.0', fingerprint: 'f'.repeat(64) } },
    ];
    await WebviewHarness.send(page, { type: 'show', page: { kind: 'details', details: versionDetails(2, {}), uri: 'models:/fraud-detector/2', events } } satisfies HostMessage);
    const rows = page.locator('section[aria-labelledby="section-events"] tbody tr');
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    assert.match(texts[0], /ago · .*2026.*\sana@example\.com\s+Moved fraud-detector\/2 from Staging to Production \(gates passed\)\s+better auc/);
    assert.match(texts[1], /Registered fraud-detector\/2 as v1\.2\.0/);
    assert.doesNotMatch(texts.join('\n'), /[{}]|T10:00:00/, 'no JSON and no raw ISO time');
    assert.equal(await rows.first().locator('time').getAttribute('datetime'), '2026-01-05T10:00:00.000Z', 'the exact time stays in the markup');
    assert.doesNotMatch(await page.locator('.page > p.muted').first().innerText(), /T10:00:00/, 'the creation time is readable too');
  });

  it('turns the actions off and says so when the registry can no longer be read', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, showComparison(sampleComparison()));
    await page.locator('vscode-button', { hasText: 'Promote…' }).first().waitFor();
    await WebviewHarness.send(page, { type: 'notice', text: 'The registry at /x could not be opened: locked.' } satisfies HostMessage);
    await page.locator('p.notice').waitFor();
    assert.match(await page.locator('p.notice').innerText(), /could not be opened: locked\. The page shows what was last read; its actions are off/);
    const states = await page.locator('vscode-button').evaluateAll((buttons) => buttons.map((button) => [button.textContent, button.hasAttribute('disabled')]));
    assert.deepEqual(states.filter(([, disabled]) => !disabled).map(([label]) => label), ['Show Raw Manifests'], 'only the button that draws what the page holds stays on');
    const before = (await WebviewHarness.recorded(page)).posted.length;
    for (const label of ['Promote…', 'Set Alias…']) await page.locator('vscode-button', { hasText: label }).first().click({ force: true });
    assert.equal((await WebviewHarness.recorded(page)).posted.length, before, 'nothing is posted');
    await WebviewHarness.screenshot(page, 'webview-registry-failed-dark');

    await WebviewHarness.send(page, showComparison(sampleComparison()));
    await page.waitForTimeout(100);
    assert.equal(await page.locator('vscode-button[disabled]').count(), 0, 'a page read again works again');
  });

  it('says which side has no signature instead of "Unchanged"', async () => {
    const signature = { inputs: [{ name: 'features', elementType: 'float32', shape: [null, 16] }], outputs: [] };
    const { compareVersions } = await import('../../src/core/versionComparison');
    page = await browser.open('dark');
    await WebviewHarness.send(page, showComparison(compareVersions(versionDetails(1, {}), versionDetails(2, { signature }))));
    const text = () => page.locator('section[aria-labelledby="section-signature"] p').innerText();
    assert.equal(await text(), 'Only fraud-detector/2 records a signature; fraud-detector/1 has none, so the two cannot be compared.');
    await WebviewHarness.send(page, showComparison(compareVersions(versionDetails(1, { signature }), versionDetails(2, {}))));
    await page.locator('h1', { hasText: 'fraud-detector/1 ↔ fraud-detector/2' }).waitFor();
    assert.equal(await text(), 'Only fraud-detector/1 records a signature; fraud-detector/2 has none, so the two cannot be compared.');
  });

  it('ignores messages that are not of the expected shape', async () => {
    page = await browser.open('dark');
    for (const message of [null, 'show', { type: 'show' }, { type: 'show', page: { kind: 'comparison', comparison: { before: {} } } }, { type: 'eval', code: 'x' }]) await WebviewHarness.send(page, message);
    await page.waitForTimeout(100);
    assert.equal(await page.locator('#root').innerText(), 'Loading…');
  });

  it('renders a hostile manifest as inert text', async () => {
    const payloads = ['<script>window.__pwned = 1</script>', '"><img src=x onerror="window.__pwned = 2">', 'javascript:window.__pwned = 3', '<a href="javascript:window.__pwned=4">x</a>', '<iframe src="javascript:window.__pwned=5"></iframe>'];
    const hostile = Object.fromEntries(payloads.map((payload, index) => [payload, index]));
    const before = versionDetails(1, {
      metrics: { [payloads[0]]: { value: 1, direction: 'max' }, [payloads[1]]: { value: 2 } },
      lineage: { params: { ...hostile, [payloads[2]]: payloads[1] }, data: [{ uri: payloads[3], kind: 'uri' }], environment: { [payloads[4]]: payloads[0] }, git: { commit: 'c0ffee0000000000000000000000000000000001', branch: payloads[1] } },
      artifacts: [{ path: payloads[1], size: 1, sha256: 'a'.repeat(64), mediaType: payloads[0] }],
      source: { inputs: payloads },
    }, { description: payloads[0], aliases: [], createdBy: payloads[1] });
    const after = versionDetails(2, { metrics: { [payloads[0]]: { value: 3, direction: 'max' } }, lineage: { params: { [payloads[2]]: payloads[0] } }, signature: { inputs: [{ name: payloads[1], elementType: payloads[0], shape: [payloads[2]] }], outputs: [] } }, { description: payloads[3] });
    const { compareVersions } = await import('../../src/core/versionComparison');
    page = await browser.open('dark');
    await WebviewHarness.send(page, showComparison(compareVersions(before, after)));
    await page.locator('h1').waitFor();
    await WebviewHarness.send(page, { type: 'show', page: { kind: 'details', details: before, uri: payloads[2], events: [{ seq: 1, time: payloads[0], actor: payloads[1], type: payloads[3], model: 'x', version: 1, reason: payloads[4], details: { note: payloads[1] } }] } } satisfies HostMessage);
    await page.locator('h1', { hasText: 'fraud-detector/1' }).waitFor();
    await page.waitForTimeout(200);
    const result = await WebviewHarness.injectionTraces(page);
    assert.equal(result.pwned, undefined, 'no injected script ran');
    assert.deepEqual([result.images, result.iframes, result.scripts, result.javascriptLinks, result.handlers], [0, 0, 1, 0, 0]);
    for (const payload of [payloads[0], payloads[1], payloads[2]]) assert.ok(result.text.includes(payload), `shown as text: ${payload}`);
    assert.deepEqual(scriptViolations((await WebviewHarness.recorded(page)).violations), []);
    assert.deepEqual(browser.harness().errors, []);
    await WebviewHarness.screenshot(page, 'webview-hostile-manifest');
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`draws the comparison in the ${theme} theme`, async () => {
      page = await browser.open(theme);
      await WebviewHarness.send(page, showComparison(sampleComparison()));
      await page.locator('table.metrics').waitFor();
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, { light: 'rgb(255, 255, 255)', dark: 'rgb(31, 31, 31)', 'high-contrast': 'rgb(0, 0, 0)' }[theme]);
      await WebviewHarness.screenshot(page, `webview-comparison-${theme}`);
    });
  }
});

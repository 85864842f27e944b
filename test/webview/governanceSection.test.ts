import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { lastRecordedGates } from '../../src/core/governance/recordedGates';
import type { HostMessage } from '../../src/extension/webviews/protocol';
import { Registry } from '../../src/index';
import { useTempFolders, writeFiles } from '../support/tempFolders';
import { useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

const tempFolder = useTempFolders();

/** A version's page as the extension builds it (VersionPanel.pageData), from a real registry with a policy. */
async function detailsPage(registry: Registry, ref: string): Promise<HostMessage> {
  const details = registry.version(ref);
  const events = registry.log({ model: details.model }).filter((event) => event.version === details.number);
  return { type: 'show', page: { kind: 'details', details, uri: `models:/${ref}`, events, governance: { guards: registry.stageGuards(ref), recorded: lastRecordedGates(events) } } };
}

describe('the promotion gates on the version page', function () {
  this.timeout(60_000);
  const browser = useWebviewHarness();
  let page: Page;
  let registry: Registry;

  before(async () => {
    const project = writeFiles(tempFolder('gates-page'), {
      'a.onnx': 'weights one',
      'b.onnx': 'weights two',
      '.modelregistry/policy.yaml': [
        'rules:',
        '  - models: fraud',
        '    stages: Staging',
        '    thresholds: ["auc >= 0.9"]',
        '  - models: fraud',
        '    stages: Production',
        '    approvals: 1',
        '    thresholds: ["auc >= 0.95"]',
        '    allowOverride: true',
        '',
      ].join('\n'),
    });
    registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice' });
    await registry.register({ model: 'fraud', paths: [path.join(project, 'a.onnx')], git: null, metrics: { auc: 0.93 } });
    await registry.register({ model: 'fraud', paths: [path.join(project, 'b.onnx')], git: null, metrics: { auc: 0.8 } });
    await registry.promote('fraud/1', 'Staging', { reason: 'first look' });
  });
  after(() => registry.close());

  it('shows each guarded stage with its rules, the last recorded evaluation, and offers what the policy allows', async () => {
    page = await browser.open('dark');
    await WebviewHarness.send(page, await detailsPage(registry, 'fraud/1'));
    const gates = page.locator('section[aria-labelledby="section-promotion-gates"]');
    await gates.waitFor();
    // In Staging now: Production is the one guarded stage left; None and Archived have no rule.
    assert.deepEqual(await gates.locator('.gate-stage').evaluateAll((blocks) => blocks.map((block) => block.getAttribute('data-stage'))), ['Production']);
    const production = gates.locator('.gate-stage[data-stage="Production"]');
    assert.match(await production.locator('h3').innerText(), /→ Production: 2 of 2 rule\(s\) fail · the policy allows an override/);
    const rows = await production.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0], /fail\s+auc >= 0\.95\s+auc 0\.93 \(needs >= 0\.95\)/);
    assert.match(rows[1], /fail\s+1 approval\(s\) by others than the registrant\s+0 of 1 \(none yet; no open request: mreg request fraud\/1 Production\)/);
    const recorded = gates.locator('.gate-recorded');
    assert.match(await recorded.locator('h3').innerText(), /Recorded when it moved to Staging: every rule passed/);
    assert.match(await recorded.innerText(), /by alice · first look[\s\S]*pass\s+auc >= 0\.9\s+auc 0\.93 \(needs >= 0\.9\)/);
    await WebviewHarness.screenshot(page, 'webview-gates-dark');

    await production.locator('vscode-button', { hasText: 'Request Approval…' }).click();
    await production.locator('vscode-button', { hasText: 'Override…' }).click();
    assert.deepEqual((await WebviewHarness.recorded(page)).posted.slice(-2), [
      { type: 'requestApproval', ref: 'fraud/1', stage: 'Production' },
      { type: 'overridePromotion', ref: 'fraud/1', stage: 'Production' },
    ]);
  });

  it('lists an open request with Approve… and Reject…, and no Request Approval… beside it', async () => {
    const request = await registry.requestApproval('fraud/2', 'Production', { reason: 'try it' });
    page = await browser.open('light');
    await WebviewHarness.send(page, await detailsPage(registry, 'fraud/2'));
    const gates = page.locator('section[aria-labelledby="section-promotion-gates"]');
    await gates.waitFor();
    // In None: both Staging and Production are guarded, in the order of the stages.
    assert.deepEqual(await gates.locator('.gate-stage').evaluateAll((blocks) => blocks.map((block) => block.getAttribute('data-stage'))), ['Staging', 'Production']);
    assert.match(await gates.locator('.gate-stage[data-stage="Staging"] h3').innerText(), /1 of 1 rule\(s\) fail$/, 'the Staging rule allows no override');
    assert.equal(await gates.locator('.gate-stage[data-stage="Staging"] vscode-button').count(), 0, 'nothing to offer where the policy allows no override');
    const production = gates.locator('.gate-stage[data-stage="Production"]');
    assert.match(await production.locator('.approval-request').innerText(), new RegExp(`Request ${request.id}: pending, 0 of 1 approval\\(s\\) · requested by alice: try it`));
    assert.equal(await production.locator('vscode-button', { hasText: 'Request Approval…' }).count(), 0);
    await production.locator('vscode-button', { hasText: 'Approve…' }).click();
    await production.locator('vscode-button', { hasText: 'Reject…' }).click();
    assert.deepEqual((await WebviewHarness.recorded(page)).posted.slice(-2), [
      { type: 'approveRequest', ref: 'fraud/2', request: request.id },
      { type: 'rejectRequest', ref: 'fraud/2', request: request.id },
    ]);
    assert.equal(await gates.locator('.gate-recorded').count(), 0, 'fraud/2 never moved');
    await WebviewHarness.screenshot(page, 'webview-gates-light');
    for (const theme of ['dark', 'high-contrast'] as Theme[]) {
      const themed = await browser.open(theme);
      await WebviewHarness.send(themed, await detailsPage(registry, 'fraud/2'));
      await themed.locator('section[aria-labelledby="section-promotion-gates"]').waitFor();
      await WebviewHarness.screenshot(themed, `webview-gates-request-${theme}`);
    }
    assert.deepEqual(browser.harness().errors, []);
  });

  it('has no section for a version no rule concerns', async () => {
    page = await browser.open('dark');
    const message = (await detailsPage(registry, 'fraud/2')) as { type: 'show'; page: { governance: unknown } };
    message.page.governance = { guards: [], recorded: null };
    await WebviewHarness.send(page, message);
    await page.locator('h1', { hasText: /^fraud\/2$/ }).waitFor();
    assert.equal(await page.locator('section[aria-labelledby="section-promotion-gates"]').count(), 0);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILT_CLI, createSampleWorkspace, registerSampleVersions } from '../support/sampleWorkspace';
import { CodeServer } from './codeServer';
import { VSIX, preparePackagedExtension } from './packagedExtension';
import { ensureWorkbench, type Workbench } from './workbenchInstall';
import { WorkbenchPage } from './workbenchPage';

/**
 * The small things a person meets in the real workbench: numbered steps and a readable summary when
 * registering, the new version revealed, references to copy, reasons and aliases on stage changes,
 * the audit log as a page, weight files not opened as text, events as sentences.
 */
describe('the extension in a real VS Code, in detail', function () {
  this.timeout(20 * 60_000);
  let workbench: Workbench;
  let server: CodeServer;
  let page: WorkbenchPage;
  let workspace: string;
  let home: string;

  before(async () => {
    workbench = ensureWorkbench((line) => console.log(`      ${line}`));
    await preparePackagedExtension();
    workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-polish-')), 'project');
    createSampleWorkspace(workspace);
    registerSampleVersions(workspace);
    // #1 then #2 in Production, so there is something to roll back to; @champion on #2.
    const mreg = (...args: string[]) => execFileSync(process.execPath, [BUILT_CLI, ...args], { cwd: workspace, stdio: 'ignore' });
    mreg('promote', 'fraud-detector/1', 'production', '--reason', 'first release');
    mreg('promote', 'fraud-detector/2', 'production', '--reason', 'better AUC');
    mreg('alias', 'fraud-detector/2', 'champion');
    writeFileSync(path.join(workspace, 'models', 'fraud-v3.onnx'), Buffer.alloc(128 * 1024, 42));
    home = path.join(path.dirname(workspace), 'code-server');
    server = await CodeServer.start({ workbench, home, vsix: VSIX, workspace });
    page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
    await page.waitForRegistryStatus('Registry: local');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await page?.screenshot(`polish-failed-${this.currentTest.title.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
  });

  after(async () => {
    await page?.close();
    await server?.stop();
    if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  const title = () => page.quickInputTitle().innerText();
  /** Expands a tree row unless it is expanded already (a click would collapse it). */
  const expand = async (label: string) => {
    const row = page.row(page.pane('Models'), label);
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  };

  it('starts with Pending Approvals collapsed, leaving the room to the models', async () => {
    await page.openContainer('Model Registry');
    const header = page.pane('Pending Approvals').locator('.pane-header');
    await header.waitFor();
    assert.equal(await header.getAttribute('aria-expanded'), 'false');
    await page.screenshot('polish-1-sidebar');
  });

  it('numbers every registration step, summarises in readable lines, and reveals the new version', async () => {
    await page.openContainer('Explorer');
    const explorer = page.page.locator('.explorer-folders-view');
    await page.row(explorer, 'models').click();
    const file = page.row(explorer, 'fraud-v3.onnx');
    await file.waitFor();
    await page.contextMenu(file, 'Register as Model Version…');
    const titles: string[] = [];
    await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Step 1 of 9: model' }).waitFor();
    titles.push(await title());
    await page.page.locator('.quick-input-widget .monaco-list-row.focused').filter({ hasText: 'fraud-detector' }).waitFor();
    await page.page.keyboard.press('Enter');
    for (const [step, answer] of [['Step 2 of 9: semver', '2.0.0'], ['Step 3 of 9: description', 'retrained on March data']]) {
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: step }).waitFor();
      titles.push(await title());
      await page.answer(step, answer);
    }
    for (const [step, source] of [['Step 4 of 9: where do the params', 'params.json'], ['Step 5 of 9: where do the metrics', 'metrics.json']]) {
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: step }).waitFor();
      titles.push(await title());
      await page.quickPickRow(source).click();
    }
    for (const step of ['Step 6 of 9: training data', 'Step 7 of 9: which metrics are better when higher?', 'Step 8 of 9: which metrics are better when lower?']) {
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: step }).waitFor();
      titles.push(await title());
      await page.page.keyboard.press('Enter');
    }
    const dialog = page.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const summary = await dialog.innerText();
    assert.match(summary, /Step 9 of 9: summary/);
    assert.match(summary, /Model: fraud-detector\n/);
    assert.match(summary, /File: models\/fraud-v3\.onnx \(128\.0 KiB\)/);
    assert.match(summary, /Params: 2 from params\.json/);
    assert.doesNotMatch(summary, / {2,}/, 'no CLI column padding in a proportional font');
    await page.screenshot('polish-2-register-summary');
    assert.deepEqual(titles.map((text) => /Step (\d) of (\d)/.exec(text)?.slice(1).join('/')), ['1/9', '2/9', '3/9', '4/9', '5/9', '6/9', '7/9', '8/9']);
    await page.clickDialogButton('Register');

    // Revealing the version opens the Model Registry view by itself, from the Explorer where the registration started.
    await page.page.waitForFunction(() => document.querySelector('.pane .monaco-list-row[aria-selected="true"]')?.textContent?.includes('#3'), undefined, { timeout: 30_000 });
    await page.screenshot('polish-3-registered-revealed');
  });

  it('offers the stage, the aliases and the pinned names to copy', async () => {
    await page.runCommand('Copy Version URI');
    await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'version of fraud-detector' }).waitFor();
    await page.quickPickRow('#2').click();
    await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Copy a reference to fraud-detector/2' }).waitFor();
    // The list is redrawn from the version step's rows: read it once it holds the references alone.
    const labels = () => page.page.locator('.quick-input-widget .monaco-list-row').evaluateAll((rows) => rows.map((row) => (row.getAttribute('aria-label') ?? '').split(',')[0].trim()));
    const expected = ['fraud-detector@production', 'fraud-detector@champion', 'fraud-detector/2', 'models:/fraud-detector/2'];
    for (let tries = 0; tries < 40 && JSON.stringify(await labels()) !== JSON.stringify(expected); tries++) await page.page.waitForTimeout(250);
    assert.deepEqual(await labels(), expected);
    await page.screenshot('polish-4-copy-reference');
    await page.quickPickRow('fraud-detector@champion').click();
    await page.notification('Copied fraud-detector@champion').waitFor();
    assert.equal(await page.page.evaluate(() => navigator.clipboard.readText()), 'fraud-detector@champion');
  });

  it('says which aliases stay on the version a rollback archives', async () => {
    await page.runCommand('Roll Back Production…');
    await page.quickPickRow('fraud-detector').click();
    const dialog = page.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /fraud-detector@champion still points at fraud-detector\/2 afterwards/);
    await page.screenshot('polish-5-rollback-aliases');
    await page.clickDialogButton('Roll Back');
    await page.answer('Roll back fraud-detector to', 'latency regression in production');
    await page.notification('fraud-detector@champion still points at fraud-detector/2').waitFor();
  });

  it('asks why when archiving, and the audit log page shows it with the rest, filterable', async () => {
    await page.runCommand('Archive Version');
    await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'version of fraud-detector' }).waitFor();
    await page.quickPickRow('#3').click();
    await page.clickDialogButton('Archive');
    await page.answer('Archive fraud-detector/3', 'superseded by a retrain');

    await page.runCommand('Show Audit Log');
    const log = await page.webviewWithHeading('Audit log');
    const archived = log.locator('table.audit-log tbody tr', { hasText: 'Moved fraud-detector/3 from None to Archived' });
    await archived.waitFor();
    assert.match(await archived.innerText(), /superseded by a retrain/);
    await log.locator('#log-filter').fill('rollback');
    await log.locator('p[role="status"]', { hasText: /^2 of \d+ events$/ }).waitFor();
    assert.match(await log.locator('table.audit-log tbody').innerText(), /latency regression in production/);
    await page.screenshot('polish-6-audit-log-light');
  });

  it('opens a weight file as the version page with its inspection, not as text', async () => {
    const models = page.pane('Models');
    await page.openContainer('Model Registry');
    await expand('fraud-detector');
    await expand('#1');
    await expand('Artifacts');
    await page.row(models, 'fraud-v1.onnx').click();
    await page.webviewWithHeading('fraud-detector/1');
    const editors = await page.page.locator('.tabs-container .tab').allInnerTexts();
    assert.ok(!editors.some((tab) => tab.includes('fraud-v1.onnx')), `no text editor on the weight file: ${editors.join(', ')}`);
    await page.screenshot('polish-7-open-artifact');
  });

  it('reads the events of a version as sentences in the tree, and keeps the pages readable in the dark theme', async () => {
    const models = page.pane('Models');
    await page.openContainer('Model Registry');
    await expand('fraud-detector');
    await expand('#3');
    await expand('Events');
    await page.screenshot('polish-8a-events');
    await page.row(models, 'Registered fraud-detector/3').waitFor();
    await page.row(models, 'Moved fraud-detector/3 from None to Archived').waitFor();
    const settingsFile = path.join(home, 'user-data', 'User', 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'workbench.colorTheme': 'Default Dark Modern' }));
    await page.page.reload();
    await page.waitForRegistryStatus('Registry: local');
    await page.page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 30_000 });
    await page.runCommand('Show Audit Log');
    await page.webviewWithHeading('Audit log');
    await page.page.waitForTimeout(500);
    await page.screenshot('polish-8-events-and-log-dark');
  });
});

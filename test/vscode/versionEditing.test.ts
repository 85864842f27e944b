import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILT_CLI, createSampleWorkspace, registerSampleVersions } from '../support/sampleWorkspace';
import { CodeServer } from './codeServer';
import { VSIX, preparePackagedExtension } from './packagedExtension';
import { ensureWorkbench, type Workbench } from './workbenchInstall';
import { WorkbenchPage } from './workbenchPage';

/**
 * Editing and deleting from the Models view of a real VS Code (code-server + headless Chromium),
 * checked afterwards through the built mreg: what the UI did is what the registry holds.
 */
describe('editing and deleting versions in a real VS Code', function () {
  this.timeout(20 * 60_000);
  let workbench: Workbench;
  let server: CodeServer;
  let page: WorkbenchPage;
  let workspace: string;

  const mreg = (...args: string[]) => spawnSync(process.execPath, [BUILT_CLI, ...args], { cwd: workspace, encoding: 'utf8' });
  const show = (ref: string) => JSON.parse(mreg('show', ref, '--json').stdout) as { description: string | null; aliases: string[] };

  before(async () => {
    workbench = ensureWorkbench((line) => console.log(`      ${line}`));
    await preparePackagedExtension();
    workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-edit-')), 'project');
    createSampleWorkspace(workspace);
    registerSampleVersions(workspace);
    execFileSync(process.execPath, [BUILT_CLI, 'alias', 'fraud-detector/2', 'champion'], { cwd: workspace });
    execFileSync(process.execPath, [BUILT_CLI, 'register', 'churn', 'models/fraud-v1.onnx'], { cwd: workspace });
    server = await CodeServer.start({ workbench, home: path.join(path.dirname(workspace), 'code-server'), vsix: VSIX, workspace });
    page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
    await page.waitForRegistryStatus('Registry: local');
    await page.openContainer('Model Registry');
    await page.row(page.pane('Models'), 'fraud-detector').click();
    await page.row(page.pane('Models'), '#1').waitFor();
  });

  after(async () => {
    await page?.close();
    await server?.stop();
    if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  it('edits the description of a version from its context menu, without making a new version', async () => {
    const models = page.pane('Models');
    await page.contextMenu(page.row(models, '#1'), 'Edit Description…');
    await page.answer('Edit the description of fraud-detector/1', 'baseline, trained on the 2025 sample');
    await page.notification('Described fraud-detector/1.').waitFor();
    await page.screenshot('edit-1-description');
    assert.equal(show('fraud-detector/1').description, 'baseline, trained on the 2025 sample');
    assert.equal(JSON.parse(mreg('versions', 'fraud-detector', '--json').stdout).length, 2);
  });

  it('deletes a version after a modal that names it and a reason; the tree drops it and resolving says why', async () => {
    const models = page.pane('Models');
    await page.contextMenu(page.row(models, '#1'), 'Delete Version…');
    const dialog = page.page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: 'Delete fraud-detector/1' }).waitFor();
    assert.match(await dialog.innerText(), /its number is never given again/i);
    await page.screenshot('edit-2a-delete-confirm');
    await page.clickDialogButton('Delete Version');
    await page.answer('Delete Version: fraud-detector/1', 'trained on leaked labels');
    await page.notification('Deleted fraud-detector/1.').waitFor();
    await page.row(models, '#1').waitFor({ state: 'detached' });
    await page.screenshot('edit-2-deleted');
    const resolved = mreg('show', 'fraud-detector/1');
    assert.equal(resolved.status, 1);
    assert.match(resolved.stderr, /fraud-detector\/1 was deleted on .* by .*: trained on leaked labels/);
  });

  it('refuses to delete the Production version before asking anything', async () => {
    await page.runCommand('Model Registry: Delete Version…');
    await page.quickPickRow('fraud-detector').click();
    await page.quickPickRow('#2').click();
    await page.notification('is in Production: a version that serves is never deleted').waitFor();
    assert.equal(await page.page.locator('.monaco-dialog-box').count(), 0);
    await page.screenshot('edit-3-production-refused');
  });

  it('removes an alias from the Aliases section of its version', async () => {
    const models = page.pane('Models');
    await page.row(models, '#2').click();
    await page.row(models, 'Aliases').click();
    await page.contextMenu(page.row(models, 'champion'), 'Remove Alias…');
    await page.page.locator('.monaco-dialog-box').filter({ hasText: 'Remove the alias fraud-detector@champion?' }).waitFor();
    await page.clickDialogButton('Remove Alias');
    await page.notification('Removed fraud-detector@champion').waitFor();
    // The tree follows: the alias row goes, and #2 no longer says @champion.
    await page.row(models, 'champion').waitFor({ state: 'detached' });
    await page.row(models, '#2').filter({ hasNotText: 'champion' }).waitFor();
    await page.screenshot('edit-4-alias-removed');
    assert.deepEqual(show('fraud-detector/2').aliases, []);
  });

  it('copies a load snippet of the chosen kind', async () => {
    const models = page.pane('Models');
    await page.contextMenu(page.row(models, '#2'), 'Copy Load Snippet…');
    await page.quickPickRow('Node.js').waitFor();
    await page.quickPickRow('Python').waitFor();
    await page.screenshot('edit-5-load-snippet-picker');
    await page.quickPickRow('mreg pull').click();
    await page.notification('Copied the mreg pull lines that load fraud-detector/2.').waitFor();
  });

  it('deletes a whole model after a modal that lists its versions', async () => {
    const models = page.pane('Models');
    await page.contextMenu(page.row(models, 'churn'), 'Delete Model…');
    const dialog = page.page.locator('.monaco-dialog-box').filter({ hasText: 'Delete the model churn and all its versions?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Its one version goes with it: #1/);
    await page.clickDialogButton('Delete Model');
    await page.answer('Delete Model: churn', 'registered by mistake');
    await page.notification('Deleted the model churn').waitFor();
    await page.row(models, 'churn').waitFor({ state: 'detached' });
    await page.screenshot('edit-6-model-deleted');
    assert.deepEqual(JSON.parse(mreg('models', '--json').stdout).map((model: { name: string }) => model.name), ['fraud-detector']);
  });
});

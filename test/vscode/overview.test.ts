import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILT_CLI, createSampleWorkspace, registerSampleVersions } from '../support/sampleWorkspace';
import { CodeServer } from './codeServer';
import { VSIX, preparePackagedExtension } from './packagedExtension';
import { ensureWorkbench } from './workbenchInstall';
import { WorkbenchPage } from './workbenchPage';

/**
 * The registry-wide pages in a real VS Code, opened as a person does: the overview from the Models
 * view's title bar, the lineage graph from a version's context menu and from the overview.
 */
describe('the overview and lineage pages in a real VS Code', function () {
  this.timeout(20 * 60_000);
  let server: CodeServer | undefined;
  let page: WorkbenchPage;
  let workspace: string;

  before(async () => {
    const workbench = ensureWorkbench((line) => console.log(`      ${line}`));
    await preparePackagedExtension();
    workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-overview-')), 'project');
    createSampleWorkspace(workspace);
    registerSampleVersions(workspace);
    // A second model trained on the same data: the graph shows the file shared.
    execFileSync(process.execPath, [BUILT_CLI, 'register', 'churn', 'models/fraud-v1.onnx', '--data', 'data/train.csv', '--metric', 'recall=0.7'], { cwd: workspace, stdio: 'ignore' });
    server = await CodeServer.start({ workbench, home: path.join(path.dirname(workspace), 'code-server'), vsix: VSIX, workspace });
    page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
    await page.waitForRegistryStatus('Registry: local');
  });

  after(async () => {
    await page?.close();
    await server?.stop();
    if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  it('opens the overview from the Models view title bar, filters it, and opens a version from it', async () => {
    await page.openContainer('Model Registry');
    const models = page.pane('Models');
    await page.row(models, 'fraud-detector').waitFor();
    await models.locator('.pane-header').hover();
    await models.locator('.pane-header .action-label[aria-label^="Show Registry Overview"]').click();
    const view = await page.webviewWithHeading('Registry Overview');
    assert.deepEqual(await view.locator('tr.model-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-model'))), ['churn', 'fraud-detector']);
    assert.match(await view.locator('tr.model-row[data-model="fraud-detector"]').innerText(), /#2 v1\.1\.0/);
    await page.screenshot('e2e-overview-1-table');

    // Completion knows the registry's words: the vocabulary the extension sends after the rows.
    await view.locator('#overview-filter input').fill('metrics.');
    await view.locator('#overview-completions li', { hasText: 'metrics.recall' }).waitFor();
    await view.locator('#overview-filter input').fill("stage = 'Production'");
    await view.locator('#overview-filter input').press('Enter');
    await view.locator('tr[data-key="version:fraud-detector/2"]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await view.locator('tr.model-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-model'))), ['fraud-detector']);
    await page.screenshot('e2e-overview-2-filtered');

    await view.locator('tr[data-key="version:fraud-detector/2"]').dblclick();
    const details = await page.webviewWithHeading('fraud-detector/2');
    assert.ok(await details.locator('h1', { hasText: 'fraud-detector/2' }).isVisible());
  });

  it('opens the lineage graph of a version from the tree, with the data it shares with another model', async () => {
    await page.openContainer('Model Registry');
    const models = page.pane('Models');
    await page.row(models, 'fraud-detector').click();
    const row = page.row(models, '#2');
    await row.waitFor();
    await page.contextMenu(row, 'Show Lineage');
    const view = await page.webviewWithHeading('Lineage of fraud-detector/2');
    await view.locator('g.node[data-id="version:fraud-detector/2"]').waitFor();
    const shared = view.locator('g.node.node-data.shared');
    assert.equal(await shared.count(), 1, 'data/train.csv trained both models');
    assert.match((await shared.getAttribute('aria-label')) ?? '', /data data\/train\.csv, .*shared by churn, fraud-detector, Production depends on it/);
    assert.equal(await view.locator('g.node[data-id="version:churn/1"]').count(), 1);
    await view.locator('g.node[data-id="version:fraud-detector/2"]').focus();
    await page.page.keyboard.press('ArrowLeft');
    await page.screenshot('e2e-overview-3-lineage');
    // Enter on the data entry starts the graph again from it, in a page of its own.
    await view.locator('g.node.node-data.shared').focus();
    await page.page.keyboard.press('Enter');
    await page.webviewWithHeading('Lineage of data:sha256:');
  });

  it('opens the lineage graph of a data entry from under a version', async () => {
    await page.openContainer('Model Registry');
    const models = page.pane('Models');
    const churn = page.row(models, 'churn');
    await churn.click();
    await page.row(models, '#1').click();
    await page.row(models, 'Data').click();
    await page.contextMenu(page.row(models, 'data/train.csv'), 'Show Lineage');
    const view = await page.webviewWithHeading('Lineage of data:sha256:');
    assert.equal(await view.locator('g.node.root.node-data').getAttribute('aria-label').then((label) => /^data data\/train\.csv/.test(label ?? '')), true);
    assert.equal(await view.locator('g.node[data-id="version:churn/1"]').count(), 1);
    assert.equal(await view.locator('g.node[data-id="version:fraud-detector/2"]').count(), 1);
  });
});

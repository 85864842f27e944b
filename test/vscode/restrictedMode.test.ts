import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mreg } from '../support/mregProcess';
import { createSampleWorkspace, registerSampleVersions } from '../support/sampleWorkspace';
import { CodeServer } from './codeServer';
import { VSIX, preparePackagedExtension } from './packagedExtension';
import { ensureWorkbench } from './workbenchInstall';
import { WorkbenchPage } from './workbenchPage';

/**
 * A workspace the person did not trust: the registry can be browsed, but nothing that runs git or
 * writes happens, and the person is told why and where to change it.
 */
describe('the extension in Restricted Mode', function () {
  this.timeout(20 * 60_000);
  let server: CodeServer | undefined;
  let page: WorkbenchPage | undefined;
  let workspace: string;

  before(async () => {
    const workbench = ensureWorkbench((line) => console.log(`      ${line}`));
    await preparePackagedExtension();
    workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-restricted-')), 'project');
    createSampleWorkspace(workspace);
    registerSampleVersions(workspace);
    server = await CodeServer.start({ workbench, home: path.join(path.dirname(workspace), 'code-server'), vsix: VSIX, workspace, workspaceTrust: true });
    page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
    // A folder nobody has trusted yet opens in Restricted Mode, announced in the status bar.
    await page.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
    await page.waitForRegistryStatus('Registry: local · read-only');
  });

  after(async () => {
    await page?.close();
    await server?.stop();
    if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
  });

  it('shows models and versions', async () => {
    await page!.openContainer('Model Registry');
    const models = page!.pane('Models');
    await page!.row(models, 'fraud-detector').click();
    await page!.row(models, '#2').waitFor();
    await page!.screenshot('restricted-1-browsing');
  });

  it('offers read-only commands and withholds writing ones, changing nothing', async () => {
    const before = mreg(['versions', 'fraud-detector', '--json'], { cwd: workspace }).stdout;
    const p = page!;
    await p.page.keyboard.press('F1');
    await p.quickInput().fill('>Model Registry: ');
    await p.quickPickRow('Model Registry: Show Audit Log').waitFor();
    const offered = await p.page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
    assert.ok(!offered.some((text) => /Promote Version|Register Model Version|Archive Version/.test(text)), `the palette offers writing commands: ${offered.join(' | ')}`);
    await p.page.keyboard.press('Escape');

    await p.row(p.pane('Models'), '#2').click({ button: 'right' });
    const promote = p.page.locator('.monaco-menu .action-item').filter({ hasText: 'Promote Version…' }).first();
    await promote.waitFor();
    assert.ok(await promote.evaluate((element) => element.classList.contains('disabled')), 'Promote Version… is enabled in Restricted Mode');
    await p.screenshot('restricted-2-writing-disabled');
    await p.page.keyboard.press('Escape');
    assert.equal(mreg(['versions', 'fraud-detector', '--json'], { cwd: workspace }).stdout, before);
  });
});

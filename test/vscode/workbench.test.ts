import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILT_CLI, createSampleWorkspace, registerSampleVersions } from '../support/sampleWorkspace';
import { CodeServer } from './codeServer';
import type { IntegrationResults } from './integration/index';
import { INTEGRATION_BUNDLE, VSIX, preparePackagedExtension } from './packagedExtension';
import { ensureWorkbench, type Workbench } from './workbenchInstall';
import { WorkbenchPage } from './workbenchPage';

/**
 * The extension in a real VS Code: code-server serving VS Code's workbench, driven by headless
 * Chromium. The packaged VSIX is what gets installed, so what ships is what is tested. When this
 * layer cannot run (no Chromium, code-server not installable) the tests fail and say why.
 */
describe('the extension in a real VS Code', function () {
  this.timeout(20 * 60_000);
  let workbench: Workbench;

  before(async function () {
    workbench = ensureWorkbench((line) => console.log(`      ${line}`));
    await preparePackagedExtension();
  });

  describe('integration suites inside the extension host', () => {
    let server: CodeServer | undefined;
    let page: WorkbenchPage | undefined;
    let workspace: string;
    after(async () => {
      await page?.close();
      await server?.stop();
      if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
    });

    it('pass: views, commands, decorations and refresh on outside changes', async () => {
      workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-integration-')), 'project');
      createSampleWorkspace(workspace);
      registerSampleVersions(workspace);
      const results = path.join(path.dirname(workspace), 'results.json');
      server = await CodeServer.start({
        workbench,
        home: path.join(path.dirname(workspace), 'code-server'),
        vsix: VSIX,
        workspace,
        env: { MODEL_REGISTRY_TEST_BUNDLE: INTEGRATION_BUNDLE, MODEL_REGISTRY_TEST_RESULTS: results, MODEL_REGISTRY_TEST_CLI: BUILT_CLI },
      });
      // The extension host starts when a browser connects.
      page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
      const deadline = Date.now() + 5 * 60_000;
      while (!existsSync(results)) {
        if (Date.now() > deadline) throw new Error(`The integration suites wrote no results within 5 minutes. code-server said:\n${server.log}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const outcome = JSON.parse(readFileSync(results, 'utf8')) as IntegrationResults & { error?: string };
      assert.equal(outcome.error, undefined, `the integration bundle failed to run: ${outcome.error}`);
      for (const title of outcome.passed) console.log(`      ✔ ${title}`);
      assert.deepEqual(outcome.failed, [], outcome.failed.map((failure) => `${failure.title}\n${failure.error}`).join('\n\n'));
      // MODEL_REGISTRY_TEST_GREP (see integration/index.ts) narrows the run on purpose.
      if (!process.env.MODEL_REGISTRY_TEST_GREP) assert.ok(outcome.passed.length >= 15, `only ${outcome.passed.length} integration tests ran`);
      else assert.ok(outcome.passed.length > 0, `no integration test matches ${process.env.MODEL_REGISTRY_TEST_GREP}`);
    });
  });

  describe('end to end, as a person uses it', () => {
    let server: CodeServer;
    let page: WorkbenchPage;
    let workspace: string;

    before(async () => {
      workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-e2e-')), 'project');
      createSampleWorkspace(workspace);
      registerSampleVersions(workspace);
      writeFileSync(path.join(workspace, 'models', 'fraud-v3.onnx'), Buffer.alloc(128 * 1024, 42));
      server = await CodeServer.start({ workbench, home: path.join(path.dirname(workspace), 'code-server'), vsix: VSIX, workspace });
      page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
      await page.waitForRegistryStatus('Registry: local');
    });

    after(async () => {
      await page?.close();
      await server?.stop();
      if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
    });

    it('opens the Model Registry view and shows models and versions', async () => {
      await page.openContainer('Model Registry');
      const models = page.pane('Models');
      await page.row(models, 'fraud-detector').click();
      await page.row(models, '#2').waitFor();
      await page.row(models, '#1').waitFor();
      assert.match(await page.row(models, '#2').innerText(), /v1\.1\.0.*Production/s);
      await page.screenshot('e2e-1-models-view');
    });

    it('registers a right-clicked .onnx from the Explorer: existing models first, every source asked, its findings in sight', async () => {
      await page.openContainer('Explorer');
      const explorer = page.page.locator('.explorer-folders-view');
      await page.row(explorer, 'models').click();
      const file = page.row(explorer, 'fraud-v3.onnx');
      await file.waitFor();
      await page.contextMenu(file, 'Register as Model Version…');

      // The model step: an empty box, the existing model that matches the file on top, "New model…" last.
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Step 1 of 9: model' }).waitFor();
      assert.equal(await page.quickInput().inputValue(), '', 'the file stem is not pre-filled');
      const rows = page.page.locator('.quick-input-widget .monaco-list-row');
      await rows.filter({ hasText: 'New model…' }).waitFor();
      const labels = await rows.allInnerTexts();
      assert.match(labels[0], /^fraud-detector/, `the best match is on top: ${labels.join(' | ')}`);
      assert.match(labels.at(-1)!, /New model…/, `"New model…" is last: ${labels.join(' | ')}`);
      await page.screenshot('e2e-2a-model-step');
      await page.page.keyboard.press('Enter');

      await page.answer('Step 2 of 9: semver', '2.0.0');
      await page.answer('Step 3 of 9: description', 'registered from the Explorer');
      // One params file and one metrics file in the project: each is offered, with "none" beside it.
      for (const [kind, source] of [['params', 'params.json'], ['metrics', 'metrics.json']] as const) {
        await page.page.locator('.quick-input-widget .quick-input-title', { hasText: `where do the ${kind} come from?` }).waitFor();
        await page.quickPickRow(`No ${kind}`).waitFor();
        if (kind === 'metrics') await page.screenshot('e2e-2b-metrics-source');
        await page.quickPickRow(source).click();
      }
      // The data it was trained on: "No training data" first, here a URI, recorded as given.
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Step 6 of 9: training data' }).waitFor();
      await page.quickPickRow('Enter a URI…').click();
      await page.answer('Step 6 of 9: training data URI', 's3://fraud-data/train-2026-11.parquet');
      // auc's direction comes from the versions before; latency_ms is asked, "lower" ticked by its name.
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Step 7 of 9: which metrics are better when higher?' }).waitFor();
      assert.deepEqual(await page.page.locator('.quick-input-widget .monaco-list-row').allInnerTexts(), ['latency_ms']);
      await page.page.keyboard.press('Enter');
      await page.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Step 8 of 9: which metrics are better when lower?' }).waitFor();
      await page.screenshot('e2e-2c-metric-directions');
      await page.page.keyboard.press('Enter');
      await page.screenshot('e2e-2-register-summary');
      await page.clickDialogButton('Register');

      // fraud-v3.onnx is not ONNX: the registration says so, and offers the findings.
      const warning = page.notification('Registered fraud-detector/3, with a warning');
      await warning.waitFor();
      assert.match(await warning.innerText(), /fraud-v3\.onnx: not a readable onnx file/);
      await page.screenshot('e2e-3a-registered-with-warning');
      await warning.locator('a.monaco-button, .monaco-button').filter({ hasText: 'Show Findings' }).first().click();
      const details = await page.webviewWithHeading('fraud-detector/3');
      assert.match(await details.locator('section[aria-labelledby="section-findings"]').innerText(), /fraud-v3\.onnx: not a readable onnx file/);
      await page.screenshot('e2e-3b-details-findings');

      await page.openContainer('Model Registry');
      await page.row(page.pane('Models'), '#3').waitFor();
      assert.match(await page.row(page.pane('Models'), '#3').innerText(), /v2\.0\.0.*1 warning/s);
      await page.screenshot('e2e-3-registered');
      // Recorded as chosen, and the answer remembered in the workspace's settings for the next registration.
      const shown = JSON.parse(execFileSync(process.execPath, [BUILT_CLI, 'show', 'fraud-detector/3', '--json'], { cwd: workspace, encoding: 'utf8' })) as {
        manifest: { metrics: Record<string, { direction?: string }>; lineage: { data: { uri: string }[] } };
      };
      assert.deepEqual(Object.fromEntries(Object.entries(shown.manifest.metrics).map(([name, metric]) => [name, metric.direction])), { auc: 'max', latency_ms: 'min' });
      assert.deepEqual(shown.manifest.lineage.data.map((entry) => entry.uri), ['s3://fraud-data/train-2026-11.parquet']);
      assert.match(readFileSync(path.join(workspace, '.vscode', 'settings.json'), 'utf8'), /"latency_ms":\s*"min"/);
    });

    it('promotes from the command palette', async () => {
      await page.runCommand('Model Registry: Promote Version…');
      await page.chooseQuickPickRow('#3');
      await page.chooseQuickPickRow('Production');
      await page.clickDialogButton('Promote');
      await page.answer('Promote fraud-detector/3 to Production', 'ready for traffic');
      await page.notification('fraud-detector/3 is now in Production.').waitFor();
      // The tree refreshes on its own shortly after; wait for it rather than for a fixed time.
      const models = page.pane('Models');
      await page.row(models, '#3').filter({ hasText: 'Production' }).waitFor();
      await page.row(models, '#2').filter({ hasText: 'Archived' }).waitFor();
      await page.screenshot('e2e-4-promoted');
    });

    it('opens a comparison of two versions from the tree', async () => {
      await page.openContainer('Model Registry');
      const models = page.pane('Models');
      const row = page.row(models, '#2');
      await row.waitFor();
      await page.contextMenu(row, 'Compare Versions…');
      await page.quickPickRow('#1').click();
      // The page lives in the webview's inner frame.
      const view = page.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await view.locator('h1', { hasText: 'fraud-detector/1 ↔ fraud-detector/2' }).waitFor({ timeout: 60_000 });
      // The rows fill in once the page has its data: wait for the values, then read the row.
      const auc = view.locator('tr[data-metric="auc"]', { hasText: '0.93' });
      await auc.waitFor();
      assert.match(await auc.innerText(), /0\.91\s+0\.93\s+\+0\.02.*better/s);
      await view.locator('button[data-column="delta"]').click();
      await view.locator('th[aria-sort="descending"]').waitFor();
      await page.screenshot('e2e-6-comparison');
    });

    it('opens the metrics chart of a model from the tree, with its stage changes marked, and brings it back after a reload', async () => {
      await page.openContainer('Model Registry');
      await page.contextMenu(page.row(page.pane('Models'), 'fraud-detector'), 'Show Metrics Chart');
      const view = await page.webviewWithHeading('fraud-detector: metrics across versions');
      const auc = view.locator('figure.chart[data-metric="auc"]');
      await auc.locator('canvas').first().waitFor();
      // #3 went to Production from the palette above, which archived #2.
      assert.match(await auc.locator('.stage-marker[data-version="3"]').innerText(), /#3 → Production/);
      assert.match(await auc.locator('.stage-marker[data-version="2"]').innerText(), /Archived/);
      await page.screenshot('e2e-7-metrics-chart');

      // Reloading the window brings the chart back, read again from the registry.
      const reloaded = page.page.waitForEvent('load', { timeout: 60_000 });
      await page.runCommand('Developer: Reload Window');
      await reloaded;
      await page.waitForRegistryStatus('Registry: local');
      const restored = await page.webviewWithHeading('fraud-detector: metrics across versions');
      await restored.locator('figure.chart[data-metric="auc"] .stage-marker[data-version="3"]').waitFor();
      await page.screenshot('e2e-8-chart-after-reload');
    });

    it('puts three versions selected in the tree side by side', async () => {
      await page.openContainer('Model Registry');
      const models = page.pane('Models');
      await page.row(models, '#1').click();
      await page.row(models, '#2').click({ modifiers: ['ControlOrMeta'] });
      await page.row(models, '#3').click({ modifiers: ['ControlOrMeta'] });
      await page.contextMenu(page.row(models, '#3'), 'Compare Selected Versions');
      const view = await page.webviewWithHeading('3 versions side by side');
      assert.deepEqual(await view.locator('table.metrics-columns thead th').allInnerTexts(), ['Metric', 'fraud-detector/1', 'fraud-detector/2', 'fraud-detector/3']);
      assert.match(await view.locator('table.metrics-columns tr[data-metric="auc"] td.best').first().innerText(), /0\.93 ★ best/);
      await page.screenshot('e2e-9-columns');
    });

    it('approves a request through Review, and the last approval needed promotes it', async () => {
      // alice registers and asks; the person at the workbench (someone else) reviews.
      const alice = (...args: string[]) => execFileSync(process.execPath, [BUILT_CLI, ...args], { cwd: workspace, env: { ...process.env, MREG_ACTOR: 'alice@example.com' }, encoding: 'utf8' });
      writeFileSync(path.join(workspace, 'models', 'fraud-v4.onnx'), randomBytes(4096));
      writeFileSync(path.join(workspace, '.modelregistry', 'policy.yaml'), ['rules:', '  - models: fraud-detector', '    stages: Staging', '    approvals: 1', ''].join('\n'));
      alice('register', 'fraud-detector', 'models/fraud-v4.onnx');
      alice('request', 'fraud-detector/4', 'staging', '--reason', 'candidate for shadow traffic');

      await page.runCommand('Model Registry: Review Pending Approvals…');
      await page.quickPickRow('fraud-detector/4 → Staging').click();
      // Review opens the comparison and the candidate's page, and asks beside them, not in a modal dialog over them.
      await page.notification('Review fraud-detector/4 → Staging').locator('.monaco-button', { hasText: 'Approve…' }).click();
      await page.answer('Approve fraud-detector/4 → Staging', 'compared, fine');
      await page.notification('Approved: fraud-detector/4 is now in Staging.').waitFor();
      await page.openContainer('Model Registry');
      await page.row(page.pane('Models'), '#4').filter({ hasText: 'Staging' }).waitFor();
      await page.screenshot('e2e-10-review-approved');
    });

    it('marks the registered file in the Explorer', async () => {
      await page.openContainer('Explorer');
      const row = page.row(page.page.locator('.explorer-folders-view'), 'fraud-v3.onnx');
      await row.waitFor();
      const badge = async () =>
        row.evaluate((element) => Array.from(element.querySelectorAll('*')).map((child) => getComputedStyle(child, '::after').content).join(' '));
      const deadline = Date.now() + 15_000;
      let content = await badge();
      while (!content.includes('◆') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        content = await badge();
      }
      await page.screenshot('e2e-5-decoration');
      assert.ok(content.includes('◆'), `the Explorer row shows no registered mark (pseudo-element content: ${content})`);
    });
  });
  describe('end to end, with a damaged op log', () => {
    let server: CodeServer;
    let page: WorkbenchPage;
    let workspace: string;

    after(async () => {
      await page?.close();
      await server?.stop();
      if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
    });

    it('says the op log is damaged when the window opens again, and Repair Registry… from the palette brings the later version back', async () => {
      workspace = path.join(mkdtempSync(path.join(tmpdir(), 'mr-damage-')), 'project');
      createSampleWorkspace(workspace);
      registerSampleVersions(workspace);
      writeFileSync(path.join(workspace, 'models', 'fraud-v3.onnx'), randomBytes(4096));
      execFileSync(process.execPath, [BUILT_CLI, 'register', 'fraud-detector', 'models/fraud-v3.onnx', '--semver', '2.0.0'], { cwd: workspace, stdio: 'ignore' });
      const home = path.join(path.dirname(workspace), 'code-server');
      server = await CodeServer.start({ workbench, home, vsix: VSIX, workspace });
      page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
      await page.waitForRegistryStatus('Registry: local');
      await page.openContainer('Model Registry');
      await page.row(page.pane('Models'), 'fraud-detector').click();
      await page.row(page.pane('Models'), '#3').waitFor();
      // The damage happens while VS Code is closed: an open registry snapshots what it read when it
      // closes, and that snapshot would cover the damage.
      await page.close();
      await server.stop();

      // The op log holds one line per write: fraud-detector and #1, #2, #2 → Production, #3. Garble the
      // promotion's line in the middle, keeping its length. A small registry takes a snapshot after every
      // write, and the newest would cover the damage; keep only the one taken after #2 (event #3), as a
      // large registry that snapshots every thousand events would have it.
      const registryFolder = path.join(workspace, '.modelregistry');
      const log = path.join(registryFolder, 'oplog.jsonl');
      const bytes = readFileSync(log);
      const lineStarts = [0];
      for (let at = bytes.indexOf(0x0a); at >= 0 && at < bytes.length - 1; at = bytes.indexOf(0x0a, at + 1)) lineStarts.push(at + 1);
      assert.equal(lineStarts.length, 4, 'four writes, four lines');
      assert.match(bytes.subarray(lineStarts[2], lineStarts[3]).toString('utf8'), /"version\.stage_changed"/);
      const damagedAt = lineStarts[2];
      bytes.write('#GARBLED#', damagedAt + 20);
      writeFileSync(log, bytes);
      const snapshots = path.join(registryFolder, 'snapshots');
      for (const name of readdirSync(snapshots)) if (!name.startsWith('00000000000000000003-')) rmSync(path.join(snapshots, name));
      assert.equal(readdirSync(snapshots).length, 1, 'the snapshot after #2 is kept');

      server = await CodeServer.start({ workbench, home, vsix: VSIX, workspace });
      page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
      await page.waitForRegistryStatus('Registry: damaged · read-only');
      const warning = page.notification(`damaged at byte ${damagedAt}`);
      await warning.waitFor({ timeout: 60_000 });
      assert.match(await warning.innerText(), /Versions and changes recorded after event #3 are not shown, and the registry is read-only; run 'mreg repair'/);
      await page.openContainer('Model Registry');
      const damagedModels = page.pane('Models');
      await page.row(damagedModels, 'fraud-detector').waitFor();
      if ((await page.row(damagedModels, '#2').count()) === 0) await page.row(damagedModels, 'fraud-detector').click();
      await page.row(damagedModels, '#2').waitFor();
      assert.equal(await page.row(damagedModels, '#3').count(), 0, '#3 is recorded after the damage and not shown');
      assert.doesNotMatch(await page.row(damagedModels, '#2').innerText(), /Production/);
      await page.screenshot('e2e-damage-1-read-only');

      await page.runCommand('Model Registry: Repair Registry…');
      await page.page.locator('.monaco-dialog-box', { hasText: 'Repair the registry?' }).waitFor();
      await page.screenshot('e2e-damage-2-confirm');
      await page.clickDialogButton('Repair');
      const repaired = page.notification('Registry repaired:');
      await repaired.waitFor({ timeout: 60_000 });
      assert.match(await repaired.innerText(), /1 change re-chained; 1 item could not be recovered/);
      await page.waitForRegistryStatus('Registry: local');
      await page.openContainer('Model Registry');
      await page.row(page.pane('Models'), '#3').filter({ hasText: 'v2.0.0' }).waitFor();
      await page.row(page.pane('Models'), '#2').waitFor();
      await page.row(page.pane('Models'), '#1').waitFor();
      await page.screenshot('e2e-damage-3-repaired');
      const damagedCopies = readdirSync(registryFolder).filter((name) => name.startsWith('oplog.jsonl.damaged-'));
      assert.equal(damagedCopies.length, 1, 'the damaged op log is kept aside');
      assert.ok(readFileSync(path.join(registryFolder, damagedCopies[0])).equals(bytes), 'byte for byte as it was');
      const listed = JSON.parse(execFileSync(process.execPath, [BUILT_CLI, 'versions', 'fraud-detector', '--json'], { cwd: workspace, encoding: 'utf8' })) as { number: number }[];
      assert.deepEqual(listed.map((version) => version.number), [3, 2, 1]);
    });
  });
});

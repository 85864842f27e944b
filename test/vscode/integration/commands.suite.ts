import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelVersion } from '../../../src/core/modelVersion';
import type { IntegrityReport } from '../../../src/registry/integrityCheck';
import type { PullResult } from '../../../src/registry/pullVersion';
import { eventually, host } from './host';

function workspaceRoot(): string {
  return host.vscode.workspace.workspaceFolders![0].uri.fsPath;
}

async function registry() {
  return host.extension.session.get();
}

describe('Model Registry commands', () => {
  it('declares every command in package.json and registers each one', async () => {
    const { vscode } = host;
    const manifest = vscode.extensions.getExtension('model-registry.model-registry')!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((entry) => entry.command).filter((command) => !registered.has(command));
    assert.deepEqual(missing, []);
  });

  it('registers a version through Register Model Version, and the tree shows it', async () => {
    const file = path.join(workspaceRoot(), 'models', 'integration.onnx');
    writeFileSync(file, Buffer.alloc(64 * 1024, 7));
    const version = await host.vscode.commands.executeCommand<ModelVersion>('modelRegistry.registerVersion', { model: 'integration-model', paths: [file], semver: '0.1.0', metrics: { accuracy: 0.8 } });
    assert.equal(version.model, 'integration-model');
    assert.equal(version.number, 1);
    const models = await eventually(async () => {
      const nodes = await host.extension.modelsTree.getChildren();
      const names = nodes.map((node) => String(node.toTreeItem().label));
      assert.ok(names.includes('integration-model'), `tree lists ${names.join(', ')}`);
      return nodes;
    }, 'the new model appears in the tree');
    assert.ok(models.length >= 2);
  });

  it('refuses registering the same recipe twice and changes nothing', async () => {
    const file = path.join(workspaceRoot(), 'models', 'integration.onnx');
    const before = (await registry()).versions('integration-model').length;
    const result = await host.vscode.commands.executeCommand('modelRegistry.registerVersion', { model: 'integration-model', paths: [file], semver: '0.1.0', metrics: { accuracy: 0.8 } });
    assert.equal(result, undefined);
    assert.equal((await registry()).versions('integration-model').length, before);
  });

  it('refuses registering from a dirty working tree when modelRegistry.requireCleanTree is set', async () => {
    const { vscode } = host;
    const file = path.join(workspaceRoot(), 'models', 'dirty.onnx');
    writeFileSync(file, Buffer.alloc(1024, 3));
    const settings = vscode.workspace.getConfiguration('modelRegistry');
    await settings.update('requireCleanTree', true, vscode.ConfigurationTarget.Workspace);
    try {
      const before = (await registry()).counts().versions;
      const refused = await vscode.commands.executeCommand<ModelVersion | undefined>('modelRegistry.registerVersion', { model: 'dirty-model', paths: [file] });
      assert.equal(refused, undefined);
      assert.equal((await registry()).counts().versions, before);
    } finally {
      await settings.update('requireCleanTree', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('promotes to Production, archiving the previous Production version', async () => {
    const { vscode } = host;
    const file = path.join(workspaceRoot(), 'models', 'integration-2.onnx');
    writeFileSync(file, Buffer.alloc(64 * 1024, 9));
    await vscode.commands.executeCommand('modelRegistry.registerVersion', { model: 'integration-model', paths: [file] });
    await vscode.commands.executeCommand('modelRegistry.promoteVersion', 'integration-model/1', undefined, { stage: 'production', reason: 'first' });
    const promoted = await vscode.commands.executeCommand<ModelVersion>('modelRegistry.promoteVersion', 'integration-model/2', undefined, { stage: 'Production' });
    assert.equal(promoted.stage, 'Production');
    assert.equal((await registry()).version('integration-model/1').stage, 'Archived');
  });

  it('rolls Production back one step from the model in the tree, logging the reason', async () => {
    const { vscode } = host;
    const modelNode = (await host.extension.modelsTree.getChildren()).find((node) => node.toTreeItem().label === 'integration-model');
    assert.ok(modelNode, 'the model is in the tree');
    const outcome = await vscode.commands.executeCommand<{ current: ModelVersion; target: ModelVersion }>('modelRegistry.rollbackProduction', modelNode, { reason: 'accuracy dropped' });
    assert.deepEqual([outcome.current.number, outcome.current.stage, outcome.target.number, outcome.target.stage], [2, 'Archived', 1, 'Production']);
    const [latest] = (await registry()).log({ model: 'integration-model', limit: 1 });
    assert.equal(latest.reason, 'rollback from integration-model/2: accuracy dropped');
    // Nothing earlier than #1 was ever in Production: the command says so and changes nothing.
    assert.equal(await vscode.commands.executeCommand('modelRegistry.rollbackProduction', 'integration-model', { reason: 'again' }), undefined);
    assert.equal((await registry()).version('integration-model@production').number, 1);
    await vscode.commands.executeCommand('modelRegistry.promoteVersion', 'integration-model/2', undefined, { stage: 'Production' });
  });

  it('sets an alias and archives several versions at once', async () => {
    const { vscode } = host;
    const aliased = await vscode.commands.executeCommand<ModelVersion>('modelRegistry.setAlias', 'integration-model/2', undefined, 'champion');
    assert.deepEqual(aliased.aliases, ['champion']);
    const archived = await vscode.commands.executeCommand<ModelVersion[]>('modelRegistry.archiveVersion', undefined, ['integration-model/2', 'fraud-detector/1'], { confirm: false });
    assert.deepEqual(archived.map((version) => `${version.model}/${version.number} ${version.stage}`), ['integration-model/2 Archived', 'fraud-detector/1 Archived']);
  });

  it('compares two versions in one page per pair, and keeps the manifests for the diff editor', async () => {
    const { vscode } = host;
    const panels = host.extension.versionPanels;
    await vscode.commands.executeCommand('modelRegistry.compareVersions', undefined, ['fraud-detector/2', 'fraud-detector/1']);
    const panel = panels.panel('comparison:fraud-detector/1|fraud-detector/2');
    assert.ok(panel, `open pages: ${panels.openPanels.map((p) => p.key).join(', ')}`);
    await eventually(() => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      assert.ok(tab instanceof vscode.TabInputWebview && tab.viewType.includes('modelRegistry.version'), `the active tab is ${JSON.stringify(tab)}`);
    }, 'the comparison page becomes the active tab');
    const page = await panel.pageData();
    assert.equal(page.kind, 'comparison');
    if (page.kind !== 'comparison') return;
    assert.deepEqual(page.comparison.metrics.map((m) => [m.name, m.verdict]), [['auc', 'better'], ['latency_ms', 'neutral']]);
    await vscode.commands.executeCommand('modelRegistry.compareVersions', 'fraud-detector/1', ['fraud-detector/1', 'fraud-detector/2']);
    assert.equal(panels.openPanels.filter((p) => p.key === panel.key).length, 1, 'the same pair reuses its page');
    assert.equal(panels.panel(panel.key), panel);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'model-registry', path: '/fraud-detector/2.json' }));
    const shown = JSON.parse(document.getText()) as { version: { number: number }; manifest: { metrics: Record<string, { value: number }> } };
    assert.equal(shown.version.number, 2);
    assert.equal(shown.manifest.metrics.auc.value, 0.93);
    await vscode.commands.executeCommand('modelRegistry.showVersionDetails', 'fraud-detector/2');
    const details = panels.panel('details:fraud-detector/2');
    assert.ok(details);
    const detailsPage = await details.pageData();
    assert.ok(detailsPage.kind === 'details' && detailsPage.events.some((event) => event.type === 'version.stage_changed'), 'the version page lists its events');
    await vscode.commands.executeCommand('modelRegistry.showMetricsChart', 'fraud-detector');
    const chart = panels.panel('chart:fraud-detector');
    assert.ok(chart, `open pages: ${panels.openPanels.map((p) => p.key).join(', ')}`);
    const chartPage = await chart.pageData();
    assert.ok(chartPage.kind === 'chart');
    if (chartPage.kind !== 'chart') return;
    assert.deepEqual(chartPage.history.versions.map((version) => version.number).slice(0, 2), [1, 2]);
    assert.deepEqual(chartPage.history.metrics.find((metric) => metric.name === 'auc')?.values.slice(0, 2), [0.91, 0.93]);
    assert.ok(chartPage.history.markers.some((marker) => marker.version === 2 && marker.changes.some((change) => change.to === 'Production')), 'the promotion of #2 is marked');
    assert.equal(await vscode.commands.executeCommand('modelRegistry.showMetricsChart', 'fraud-detector/1'), 'fraud-detector', 'a version names its model');
    assert.equal(panels.openPanels.filter((p) => p.key === 'chart:fraud-detector').length, 1, 'one chart page per model');
    const columns = await vscode.commands.executeCommand<ModelVersion[]>('modelRegistry.compareSelectedVersions', undefined, ['integration-model/1', 'fraud-detector/2', 'fraud-detector/1']);
    assert.deepEqual(columns.map((version) => `${version.model}/${version.number}`), ['fraud-detector/1', 'fraud-detector/2', 'integration-model/1']);
    const columnsPanel = panels.panel('columns:fraud-detector/1|fraud-detector/2|integration-model/1');
    assert.ok(columnsPanel, `open pages: ${panels.openPanels.map((p) => p.key).join(', ')}`);
    const columnsPage = await columnsPanel.pageData();
    assert.ok(columnsPage.kind === 'columns');
    if (columnsPage.kind !== 'columns') return;
    // integration-model/1 may have taken an auc from the workspace's metrics.json (a tie with fraud-detector/2's 0.93).
    const bestAuc = columnsPage.columns.metrics.find((metric) => metric.name === 'auc')?.best ?? [];
    assert.ok(bestAuc.includes(1) && !bestAuc.includes(0), `the best auc is marked in fraud-detector/2's column: ${JSON.stringify(bestAuc)}`);
    const pair = await vscode.commands.executeCommand<ModelVersion[]>('modelRegistry.compareSelectedVersions', undefined, ['fraud-detector/2', 'fraud-detector/1']);
    assert.deepEqual(pair.map((version) => version.number), [1, 2], 'two selected versions open the comparison page');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await eventually(() => assert.equal(panels.openPanels.length, 0), 'closing the editors closes the pages');

    // As after a window reload: VS Code hands back a panel with the state its page last saved.
    const handedBack = vscode.window.createWebviewPanel('modelRegistry.version', 'restoring', vscode.ViewColumn.Active, {});
    const restored = panels.restore(handedBack, { page: { kind: 'chart', history: { model: 'fraud-detector', versions: [], metrics: [{ name: 'stale', values: [] }], markers: [] } } });
    assert.ok(restored);
    assert.equal(restored.key, 'chart:fraud-detector');
    await restored.ready;
    const fresh = await restored.pageData();
    assert.ok(fresh.kind === 'chart' && fresh.history.metrics.some((metric) => metric.name === 'auc') && !fresh.history.metrics.some((metric) => metric.name === 'stale'), 'read again from the registry');
    const junk = vscode.window.createWebviewPanel('modelRegistry.version', 'junk', vscode.ViewColumn.Active, {});
    let junkClosed = false;
    junk.onDidDispose(() => (junkClosed = true));
    assert.equal(panels.restore(junk, { page: { kind: 'details', details: { model: '../x', number: 1 } } }), undefined);
    assert.ok(junkClosed, 'a page naming no version is closed');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await eventually(() => assert.equal(panels.openPanels.length, 0), 'the restored page closes too');
    // A closed webview leaves the keyboard nowhere; the clipboard needs a focused workbench.
    await vscode.commands.executeCommand('workbench.action.focusSideBar');
  });

  it('copies a version URI that the registry resolves', async () => {
    const uri = await host.vscode.commands.executeCommand<string>('modelRegistry.copyVersionUri', 'fraud-detector@production', undefined, { reference: 'models:/fraud-detector/2' });
    assert.equal(uri, 'models:/fraud-detector/2');
    assert.equal(await host.vscode.env.clipboard.readText(), uri);
    assert.equal((await registry()).version(uri).number, 2);
  });

  it('copies the Python lines that load the version, pinned to its number', async () => {
    const snippet = await host.vscode.commands.executeCommand<string>('modelRegistry.copyLoadSnippet', 'fraud-detector@production', undefined, 'python');
    assert.match(snippet, /^model_dir = mr\.resolve_path\("fraud-detector\/2"\)$/m);
    assert.match(snippet, /"fraud-detector@production"/);
    assert.equal(await host.vscode.env.clipboard.readText(), snippet);
  });

  it('pulls a version into a folder with verified bytes', async () => {
    const destination = mkdtempSync(path.join(tmpdir(), 'pull-'));
    const result = await host.vscode.commands.executeCommand<PullResult>('modelRegistry.pullVersion', 'integration-model/1', undefined, destination);
    assert.deepEqual(result.files.map((file) => file.path), ['integration.onnx']);
    assert.deepEqual(readFileSync(path.join(destination, 'integration.onnx')), Buffer.alloc(64 * 1024, 7));
  });

  it('verifies the registry', async () => {
    const report = await host.vscode.commands.executeCommand<IntegrityReport>('modelRegistry.verifyIntegrity');
    assert.deepEqual(report.problems, []);
    assert.ok(report.events >= 5);
  });

  it('shows the audit log as a page', async () => {
    const panel = await host.vscode.commands.executeCommand<{ key: string; ready: Promise<void>; pageData(): Promise<{ kind: string; events?: { type: string }[] }> }>('modelRegistry.showLog');
    assert.equal(panel.key, 'log:');
    await panel.ready;
    const page = await panel.pageData();
    assert.equal(page.kind, 'log');
    assert.ok(page.events?.some((event) => event.type === 'version.stage_changed'));
    assert.ok(existsSync(workspaceRoot()));
  });
});

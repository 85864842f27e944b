import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelVersion } from '../../../src/core/modelVersion';
import type { SyncResult } from '../../../src/sync/syncService';
import { eventually, host } from './host';

function mreg(args: string[], cwd: string): string {
  const cli = process.env.MODEL_REGISTRY_TEST_CLI;
  assert.ok(cli, 'MODEL_REGISTRY_TEST_CLI names the built mreg');
  return execFileSync(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' });
}

describe('Sync with a shared store', () => {
  const root = () => host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  const store = path.join(mkdtempSync(path.join(tmpdir(), 'mreg-extension-store-')), 'store');
  const configFile = () => path.join(root(), '.modelregistry', 'config.json');

  after(async () => {
    // Back to a local registry for the suites and end-to-end tests that follow.
    const config = JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>;
    delete config.store;
    writeFileSync(configFile(), JSON.stringify(config));
    await host.extension.session.reload();
  });

  it('syncs when the registry opens and after each write; another client sees the version', async () => {
    mreg(['store', 'set', store], root());
    await host.extension.session.reload();
    await eventually(() => assert.equal(host.extension.sync.status()?.state, 'synced'), 'the registry syncs when it opens', 30_000);

    const file = path.join(root(), 'models', 'synced.onnx');
    writeFileSync(file, Buffer.alloc(4096, 3));
    const version = await host.vscode.commands.executeCommand<ModelVersion>('modelRegistry.registerVersion', { model: 'synced-model', paths: [file] });
    await eventually(() => {
      const status = host.extension.sync.status();
      assert.deepEqual([status?.state, status?.pendingOps], ['synced', 0]);
    }, 'the write is pushed by itself', 30_000);

    const other = mkdtempSync(path.join(tmpdir(), 'mreg-other-client-'));
    mreg(['store', 'set', store], other);
    mreg(['sync'], other);
    const seen = JSON.parse(mreg(['versions', 'synced-model', '--json'], other)) as { number: number }[];
    assert.deepEqual(seen.map((v) => v.number), [version.number]);
  });

  it('marks versions pending while the store is unreachable, and Sync pushes them once it is back', async () => {
    const away = `${store}-unmounted`;
    renameSync(store, away);
    let version: ModelVersion;
    try {
      const file = path.join(root(), 'models', 'offline.onnx');
      writeFileSync(file, Buffer.alloc(4096, 4));
      version = await host.vscode.commands.executeCommand<ModelVersion>('modelRegistry.registerVersion', { model: 'synced-model', paths: [file] });
      await eventually(() => assert.equal(host.extension.sync.status()?.state, 'offline'), 'the failed sync reads as offline', 30_000);
      assert.ok(host.extension.sync.pendingVersions().has(`synced-model/${version.number}`));
      await eventually(async () => {
        const model = (await host.extension.modelsTree.getChildren()).find((node) => node.toTreeItem().label === 'synced-model');
        const versions = (await host.extension.modelsTree.getChildren(model)).map((node) => node.toTreeItem());
        const item = versions.find((candidate) => candidate.label === `#${version.number}`);
        assert.match(String(item?.description), /pending sync/);
      }, 'the tree marks the version pending');
    } finally {
      renameSync(away, store);
    }
    const result = await host.vscode.commands.executeCommand<SyncResult>('modelRegistry.syncNow');
    assert.ok(result.pushedEvents >= 1, `pushed ${result.pushedEvents} events`);
    assert.equal(host.extension.sync.status()?.state, 'synced');
    assert.equal(host.extension.sync.pendingVersions().size, 0);
  });
});

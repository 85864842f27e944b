import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ModelVersion } from '../../../src/core/modelVersion';
import type { SyncResult } from '../../../src/sync/syncService';
import { startS3Server, type TestS3Server } from '../../support/s3Server';
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
      await eventually(() => assert.equal(host.extension.sync.status()?.state, 'unreachable'), 'the failed sync reads as store unreachable', 30_000);
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

describe('Shared store credentials kept in VS Code SecretStorage', () => {
  const root = () => host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  const configFile = () => path.join(root(), '.modelregistry', 'config.json');
  let server: TestS3Server;

  before(async () => {
    server = await startS3Server(mkdtempSync(path.join(tmpdir(), 'mreg-extension-s3-')), { conditionalWrites: true });
  });

  after(async () => {
    await host.vscode.commands.executeCommand('modelRegistry.clearStoreCredentials');
    const config = JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>;
    delete config.store;
    writeFileSync(configFile(), JSON.stringify(config));
    await host.extension.session.reload();
    await server.close();
  });

  it('syncs with an S3 store once its credentials are set through the command, and no longer once they are cleared', async () => {
    const uri = server.uri('extension');
    mreg(['store', 'set', uri], root());
    await host.extension.session.reload();
    // s3rver accepts its own keys only, which neither the environment nor any profile here holds.
    await eventually(() => assert.match(String(host.extension.sync.status()?.state), /^(offline|error)$/), 'without credentials the store refuses the sync', 60_000);

    assert.equal(await host.extension.sync.storeUri(), uri);
    assert.equal(await host.extension.storeCredentials.get(uri), undefined, 'no credentials stored yet');
    const result = await host.vscode.commands.executeCommand<SyncResult>('modelRegistry.setStoreCredentials', { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    assert.deepEqual(await host.extension.storeCredentials.get(uri), { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, 'kept in the secret storage');
    assert.ok(result, `the sync after setting the credentials succeeded (last error: ${host.extension.sync.status()?.lastError?.time} ${host.extension.sync.status()?.lastError?.message})`);
    // The sync that the stored secret triggers may have pushed first; either way nothing is left.
    assert.deepEqual([host.extension.sync.status()?.state, host.extension.sync.status()?.pendingOps], ['synced', 0]);
    for (const file of [configFile(), path.join(root(), '.modelregistry', 'sync', 'state.json')]) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /S3RVER/, `${path.basename(file)} holds no credentials`);
    }
    const other = mkdtempSync(path.join(tmpdir(), 'mreg-s3-client-'));
    mreg(['store', 'set', uri], other);
    // Asynchronously: the server answers from this very process.
    await promisify(execFile)(process.execPath, [process.env.MODEL_REGISTRY_TEST_CLI!, 'sync'], {
      cwd: other,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    assert.ok((JSON.parse(mreg(['versions', 'synced-model', '--json'], other)) as unknown[]).length > 0, 'another client sees the versions');

    assert.equal(await host.vscode.commands.executeCommand<boolean>('modelRegistry.clearStoreCredentials'), true);
    assert.equal(await host.extension.storeCredentials.get(uri), undefined, 'gone from the secret storage');
    assert.equal(await host.vscode.commands.executeCommand('modelRegistry.syncNow'), undefined, 'the sync fails and is reported');
    await eventually(() => assert.match(String(host.extension.sync.status()?.state), /^(offline|error)$/), 'without the credentials the store refuses again', 60_000);
  });
});

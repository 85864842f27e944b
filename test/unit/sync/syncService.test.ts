import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { FolderStore } from '../../../src/store/shared/folderStore';
import { SyncService } from '../../../src/sync/syncService';
import { useFolderSyncClients } from '../../support/folderSyncClients';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const { client, closeAfterTest } = useFolderSyncClients(tempFolder);

let counter = 0;
async function register(registry: Registry, project: string, model: string, extra: { semver?: string } = {}) {
  counter += 1;
  const file = path.join(writeFiles(project, { [`w${counter}.bin`]: `weights ${counter}` }), `w${counter}.bin`);
  return registry.register({ model, paths: [file], git: null, ...extra });
}

function stages(registry: Registry, model: string): Record<number, string> {
  return Object.fromEntries(registry.versions(model).map((version) => [version.number, version.stage]));
}

describe('SyncService', () => {
  it('renumbers pending versions after the ones another client pushed first, and says so', async () => {
    const store = tempFolder('store');
    const a = await client(store, 'a');
    const b = await client(store, 'b');
    await register(a.registry, a.project, 'm');
    await a.sync.sync();
    const pending = await register(b.registry, b.project, 'm', { semver: '1.0.0' });
    assert.equal(pending.number, 1);
    assert.deepEqual(b.sync.status().pendingVersions, [{ model: 'm', number: 1 }]);

    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.renumbered, [{ model: 'm', from: 1, to: 2 }]);
    assert.equal(b.registry.version('m@v1.0.0').number, 2);
    assert.equal(b.sync.status().state, 'synced');
    await a.sync.sync();
    assert.deepEqual(
      a.registry.versions('m').map((v) => [v.number, v.id]),
      b.registry.versions('m').map((v) => [v.number, v.id]),
    );
  });

  it('keeps one Production version when a pending promotion meets a promotion pushed first', async () => {
    const store = tempFolder('store');
    const a = await client(store, 'a');
    const b = await client(store, 'b');
    await register(a.registry, a.project, 'm');
    await register(a.registry, a.project, 'm');
    await a.sync.sync();
    await b.sync.sync();
    await a.registry.promote('m/1', 'Production');
    await a.sync.sync();
    await b.registry.promote('m/2', 'Production');
    await b.sync.sync();
    await a.sync.sync();
    assert.deepEqual(stages(b.registry, 'm'), { 1: 'Archived', 2: 'Production' });
    assert.deepEqual(stages(a.registry, 'm'), stages(b.registry, 'm'));
  });

  it('merges a pending version that another client registered first with the same content', async () => {
    const store = tempFolder('store');
    const a = await client(store, 'a');
    const b = await client(store, 'b');
    const same = (project: string) => path.join(writeFiles(project, { 'same.bin': 'identical weights' }), 'same.bin');
    await a.registry.register({ model: 'm', paths: [same(a.project)], git: null, environment: {} });
    await a.sync.sync();
    const twin = await b.registry.register({ model: 'm', paths: [same(b.project)], git: null, environment: {} });
    await b.registry.setAlias(`m/${twin.number}`, 'champion');
    assert.equal(twin.fingerprint, a.registry.version('m/1').fingerprint, 'the same version, registered twice');
    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.merged, [{ model: 'm', from: 1, to: 1 }]);
    assert.equal(b.registry.versions('m').length, 1);
    assert.equal(b.registry.version('m@champion').number, 1);
  });

  it('keeps pending changes across restarts and pushes them later', async () => {
    const store = tempFolder('store');
    const a = await client(store, 'a');
    await register(a.registry, a.project, 'm');
    await a.registry.close();
    const reopened = await Registry.open({ folder: path.join(a.project, '.modelregistry') });
    closeAfterTest(reopened);
    const sync = new SyncService(reopened, new FolderStore(store), store);
    assert.equal(sync.status().state, 'pending');
    assert.equal((await sync.sync()).pushedEvents, 2);
    assert.equal(sync.status().state, 'synced');
  });

  it('tells another open registry of the same folder to reload when sync rewrites the log', async () => {
    const store = tempFolder('store');
    const a = await client(store, 'a');
    const b = await client(store, 'b');
    await register(a.registry, a.project, 'm');
    await a.sync.sync();
    await register(b.registry, b.project, 'm');
    const beside = await Registry.open({ folder: path.join(b.project, '.modelregistry') });
    closeAfterTest(beside);
    assert.deepEqual(beside.versions('m').map((v) => v.createdBy), ['b@example.com']);
    await b.sync.sync();
    assert.deepEqual(beside.versions('m').map((v) => [v.number, v.createdBy]), [
      [2, 'b@example.com'],
      [1, 'a@example.com'],
    ]);
  });

  it('reports the store unreachable when its folder is not there', async () => {
    const a = await client(path.join(tempFolder('gone'), 'not-mounted'), 'a');
    await register(a.registry, a.project, 'm');
    await assert.rejects(a.sync.sync(), /not reachable/);
    assert.equal(a.sync.status().state, 'unreachable');
    assert.equal(a.sync.status().pendingOps, 1);
  });

  it('catches a client up on 1000 batches pushed while it was offline, and then pushes what it did offline', async function () {
    this.timeout(600_000);
    const store = tempFolder('store');
    const a = await client(store, 'a');
    const b = await client(store, 'b');
    await register(a.registry, a.project, 'm');
    await a.sync.sync();
    await b.sync.sync();
    const offline = await register(b.registry, b.project, 'm', { semver: '9.0.0' });
    for (let edit = 1; edit <= 1000; edit++) {
      await a.registry.updateVersion('m/1', { description: `edit ${edit}` });
      assert.equal((await a.sync.sync()).pushedBatches, 1);
    }
    assert.equal(offline.number, 2);

    const result = await b.sync.sync();
    assert.equal(result.bootstrappedFrom, undefined);
    assert.equal(result.pulledBatches, 1000);
    assert.equal(result.pulledEvents, 1000);
    assert.equal(result.pushedBatches, 1);
    assert.equal(b.registry.version('m/1').description, 'edit 1000');
    await a.sync.sync();
    assert.equal(a.registry.version('m@v9.0.0').number, 2);
    assert.deepEqual(a.registry.log({ limit: 5 }), b.registry.log({ limit: 5 }));
  });

  it('starts a new client from the newest snapshot plus the batches after it', async () => {
    const store = tempFolder('store');
    const a = await client(store, 'a');
    const writer = new SyncService(a.registry, new FolderStore(store), store, { snapshotEvery: 2 });
    const written: (number | undefined)[] = [];
    for (let round = 0; round < 5; round++) {
      await register(a.registry, a.project, 'm');
      written.push((await writer.sync()).snapshotWritten);
    }
    assert.deepEqual(written, [undefined, 2, undefined, 4, undefined]);

    const c = await client(store, 'c');
    const first = await c.sync.sync();
    assert.equal(first.bootstrappedFrom, 4);
    assert.equal(first.pulledBatches, 1);
    assert.deepEqual(
      c.registry.versions('m').map((v) => [v.number, v.id]),
      a.registry.versions('m').map((v) => [v.number, v.id]),
    );
    assert.deepEqual(c.registry.log({ limit: 1 }), a.registry.log({ limit: 1 }));

    // A snapshot edited in the store is passed over, never applied.
    const snapshot = path.join(store, 'snapshots', readdirSync(path.join(store, 'snapshots')).sort().at(-1)!);
    writeFileSync(snapshot, readFileSync(snapshot, 'utf8').replace('a@example.com', 'x@example.com'));
    const d = await client(store, 'd');
    const fallback = await d.sync.sync();
    assert.equal(fallback.bootstrappedFrom, 2);
    assert.match(fallback.warnings[0], /snapshots\/00000000000000000004\.jsonl .* is damaged/);
    assert.equal(d.registry.versions('m').length, 5);
  });
});

/** Two clients sharing m/1..3, every one pushed and pulled. */
async function sharedThree(): Promise<{ a: Awaited<ReturnType<typeof client>>; b: Awaited<ReturnType<typeof client>> }> {
  const store = tempFolder('store');
  const a = await client(store, 'a');
  const b = await client(store, 'b');
  for (const content of ['one', 'two', 'three']) {
    const file = path.join(writeFiles(a.project, { [`${content}.bin`]: content }), `${content}.bin`);
    await a.registry.register({ model: 'm', paths: [file], git: null });
  }
  await a.sync.sync();
  await b.sync.sync();
  return { a, b };
}

describe('rebasing pending changes onto tombstones', () => {
  it('drops a pending deletion of a version another client promoted first: retention keeps it', async () => {
    const { a, b } = await sharedThree();
    await b.registry.promote('m/1', 'Staging');
    await b.sync.sync();
    assert.deepEqual((await a.registry.gc({ policy: { keepLast: 1 } })).deleted.map((version) => version.number), [1, 2]);
    const result = await a.sync.sync();
    assert.deepEqual(result.rebase.dropped, [{ model: 'm', number: 1, type: 'version.deleted', why: 'it was moved to Staging elsewhere, so retention keeps it' }]);
    await b.sync.sync();
    for (const registry of [a.registry, b.registry]) assert.deepEqual(registry.versions('m').map((version) => [version.number, version.stage]), [[3, 'None'], [1, 'Staging']]);
  });

  it('drops pending changes to a version another client deleted first', async () => {
    const { a, b } = await sharedThree();
    await a.registry.gc({ policy: { keepLast: 2 } });
    await a.sync.sync();
    await b.registry.setAlias('m/1', 'champion');
    await b.registry.updateVersion('m/1', { description: 'the first one' });
    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.dropped?.map((item) => [item.number, item.type]), [[1, 'version.alias_set'], [1, 'version.updated']]);
    assert.deepEqual(b.registry.versions('m').map((version) => version.number), [3, 2]);
    assert.equal(b.sync.status().state, 'synced');
  });
});

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useFolderSyncClients } from '../../support/folderSyncClients';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const { client } = useFolderSyncClients(tempFolder);

async function twoClonesWithThreeVersions() {
  const store = tempFolder('store');
  const a = await client(store, 'a');
  const b = await client(store, 'b');
  for (const content of ['one', 'two', 'three']) {
    const file = path.join(writeFiles(a.project, { [`${content}.bin`]: content }), `${content}.bin`);
    await a.registry.register({ model: 'm', paths: [file], git: null });
  }
  await a.sync.sync();
  await b.sync.sync();
  return { store, a, b };
}

describe('deletions through sync', () => {
  it('carries a version tombstone to the other clone, which then says who deleted it and why', async () => {
    const { store, a, b } = await twoClonesWithThreeVersions();
    const [artifact] = a.registry.version('m/2').manifest.artifacts;
    await a.registry.deleteVersion('m/2', { reason: 'mislabelled data' });
    await a.sync.sync();
    await b.sync.sync();
    assert.deepEqual(b.registry.versions('m').map((version) => version.number), [3, 1]);
    assert.throws(() => b.registry.resolve('m/2'), /m\/2 was deleted on .* by a@example\.com: mislabelled data/);
    // Nothing is removed eagerly: the blob stays locally and in the shared store until a gc after the grace period.
    assert.ok(a.registry.blobs.has(artifact!.sha256));
    assert.ok(existsSync(path.join(store, 'blobs', 'sha256', artifact!.sha256.slice(0, 2), artifact!.sha256)));
  });

  it('carries a model deletion, and the number and name stay taken on both sides', async () => {
    const { a, b } = await twoClonesWithThreeVersions();
    await b.registry.deleteModel('m', { reason: 'retired' });
    await b.sync.sync();
    await a.sync.sync();
    assert.deepEqual(a.registry.models(), []);
    assert.throws(() => a.registry.versions('m'), /Model 'm' was deleted on .* by b@example\.com: retired/);
  });

  it('drops pending changes to a model another clone deleted first, and says so', async () => {
    const { a, b } = await twoClonesWithThreeVersions();
    await a.registry.deleteModel('m', { reason: 'retired' });
    await a.sync.sync();
    await b.registry.setAlias('m/3', 'champion');
    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.dropped, [{ model: 'm', number: 3, type: 'version.alias_set', why: "the model 'm' was deleted elsewhere" }]);
    assert.deepEqual(b.registry.models(), []);
    assert.equal(b.sync.status().state, 'synced');
  });

  it('reports, rather than pushes, a version registered here into a model another clone deleted first', async () => {
    const { a, b } = await twoClonesWithThreeVersions();
    await a.registry.deleteModel('m', { reason: 'retired' });
    await a.sync.sync();
    const file = path.join(writeFiles(b.project, { 'four.bin': 'four' }), 'four.bin');
    await b.registry.register({ model: 'm', paths: [file], git: null });
    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.dropped?.map((item) => [item.type, item.number, item.why]), [['version.registered', 4, "the model 'm' was deleted elsewhere"]]);
    assert.deepEqual(b.registry.models(), []);
    assert.equal(b.sync.status().state, 'synced');
  });

  it('drops a pending deletion of a version another clone moved to Production first', async () => {
    const { a, b } = await twoClonesWithThreeVersions();
    await a.registry.promote('m/2', 'Production');
    await a.sync.sync();
    await b.registry.deleteVersion('m/2', { reason: 'looks unused' });
    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.dropped, [{ model: 'm', number: 2, type: 'version.deleted', why: 'it was moved to Production elsewhere, so it stays' }]);
    assert.equal(b.registry.version('m/2').stage, 'Production');
  });

  it('drops a pending model deletion when another clone registered a version of it meanwhile', async () => {
    const { a, b } = await twoClonesWithThreeVersions();
    const file = path.join(writeFiles(a.project, { 'four.bin': 'four' }), 'four.bin');
    await a.registry.register({ model: 'm', paths: [file], git: null });
    await a.sync.sync();
    await b.registry.deleteModel('m', { reason: 'retired' });
    const result = await b.sync.sync();
    assert.deepEqual(result.rebase.dropped?.map((item) => [item.type, item.why]), [['model.deleted', "the model 'm' got versions elsewhere meanwhile (or one of its deletions no longer applies), so it stays"]]);
    await a.sync.sync();
    for (const registry of [a.registry, b.registry]) assert.deepEqual(registry.versions('m').map((version) => version.number), [4]);
  });

  it('refuses a pulled tombstone of a version that was ever in Production where the local policy forbids it', async () => {
    const { a, b } = await twoClonesWithThreeVersions();
    await a.registry.promote('m/1', 'Production');
    await a.registry.promote('m/2', 'Production');
    await a.sync.sync();
    await b.sync.sync();
    await a.registry.deleteVersion('m/1', { reason: 'old' });
    await a.sync.sync();
    b.registry.initialize();
    writeFileSync(path.join(b.registry.folder.root, 'policy.yaml'), 'deletion:\n  forbidIfEverInProduction: true\n');
    await assert.rejects(b.sync.sync(), /m\/1 was in Production once, and the policy \(deletion\.forbidIfEverInProduction in policy\.yaml\) keeps every such version/);
    assert.equal(b.registry.version('m/1').stage, 'Archived');
    assert.ok(existsSync(b.registry.folder.root));
  });
});

import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../../src/index';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();
const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

async function openRegistry(actor = 'alice@example.com', project = tempFolder('project')): Promise<{ registry: Registry; project: string }> {
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor });
  opened.push(registry);
  return { registry, project };
}

let counter = 0;
async function register(registry: Registry, project: string, model = 'fraud') {
  counter += 1;
  const file = path.join(writeFiles(project, { [`w${counter}.bin`]: `weights ${counter}` }), `w${counter}.bin`);
  return registry.register({ model, paths: [file], git: null });
}

function writePolicy(registry: Registry, yaml: string): void {
  registry.initialize();
  writeFileSync(path.join(registry.folder.root, 'policy.yaml'), yaml);
}

describe('deleting a version', () => {
  it('takes it out of every listing, says who deleted it when and why, and never gives its number again', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await registry.setAlias('fraud/1', 'champion');
    const report = await registry.deleteVersion('fraud/1', { reason: 'trained on leaked labels' });
    assert.deepEqual(report.versions, [{ number: 1, stage: 'None', aliases: ['champion'] }]);
    assert.deepEqual(registry.versions('fraud').map((version) => version.number), [2]);
    assert.equal(registry.model('fraud').versionCount, 1);
    assert.throws(() => registry.resolve('fraud/1'), /^RegistryError: fraud\/1 was deleted on \d{4}-\d\d-\d\dT[\d:.]+Z by alice@example\.com: trained on leaked labels;/);
    assert.throws(() => registry.resolve('fraud@champion'), /has no alias 'champion'/);
    const [event] = registry.log({ limit: 1 });
    assert.deepEqual([event!.type, event!.version, event!.reason, event!.actor], ['version.deleted', 1, 'trained on leaked labels', 'alice@example.com']);
    assert.equal((await register(registry, project)).number, 3);
  });

  it('says the same after the registry is reopened from its log', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await registry.deleteVersion('fraud/2', { reason: 'duplicate upload' });
    await registry.close();
    opened.splice(0);
    const reopened = (await openRegistry('bob@example.com', project)).registry;
    assert.deepEqual(reopened.versions('fraud').map((version) => version.number), [1]);
    assert.throws(() => reopened.version('fraud/2'), /by alice@example\.com: duplicate upload/);
  });

  it('needs a reason and a version number, not a bare model name', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await assert.rejects(registry.deleteVersion('fraud/1', { reason: '  ' }), /needs a reason/);
    await assert.rejects(registry.deleteVersion('fraud', { reason: 'x' }), /names a model, not a version: say which version to delete \(mreg delete fraud\/<number>\)/);
    assert.equal(registry.versions('fraud').length, 1);
  });

  it('refuses a version in Production and deletes one in Staging', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await registry.promote('fraud/1', 'Production');
    await registry.promote('fraud/2', 'Staging');
    await assert.rejects(registry.deleteVersion('fraud@production', { reason: 'x' }), /Nothing was deleted\. fraud\/1 is in Production: a version that serves is never deleted/);
    await registry.deleteVersion('fraud/2', { reason: 'failed shadow test' });
    assert.deepEqual(registry.versions('fraud').map((version) => [version.number, version.stage]), [[1, 'Production']]);
  });

  it('takes its open approval requests out of the lists with it', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    writePolicy(registry, "rules:\n  - models: '*'\n    stages: Production\n    approvals: 1\n");
    await registry.requestApproval('fraud/1', 'Production');
    const kept = await registry.requestApproval('fraud/2', 'Production');
    await registry.deleteVersion('fraud/1', { reason: 'withdrawn' });
    assert.deepEqual(registry.approvalRequests({ pending: true }).map((request) => request.id), [kept.id]);
  });

  it('leaves the blobs for retention to reclaim after the grace period, rather than removing them', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    const kept = await register(registry, project);
    const [artifact] = registry.resolve('fraud/1').artifacts;
    await registry.deleteVersion('fraud/1', { reason: 'obsolete' });
    assert.ok(existsSync(artifact!.blobPath), 'the blob stays until gc');
    assert.ok(!registry.liveBlobs().has(artifact!.sha256));
    assert.ok(registry.liveBlobs().has(registry.resolve(`fraud/${kept.number}`).artifacts[0]!.sha256));
    const first = await registry.gc({ policy: { blobGraceHours: 1 } });
    assert.equal(first.removed.count, 0);
    assert.ok(first.unreferenced.count >= 2, 'its artifact and its manifest');
    assert.ok(existsSync(artifact!.blobPath));
    const later = await registry.gc({ policy: { blobGraceHours: 1 }, now: new Date(Date.now() + 2 * 3_600_000) });
    assert.ok(later.removed.count >= 2);
    assert.ok(!existsSync(artifact!.blobPath));
  });
});

describe('the deletion policy', () => {
  it('forbidIfEverInProduction keeps a version that was in Production once, from a person and from retention', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await register(registry, project);
    await registry.promote('fraud/1', 'Production');
    await registry.promote('fraud/2', 'Production');
    assert.equal(registry.version('fraud/1').stage, 'Archived');
    writePolicy(registry, 'deletion:\n  forbidIfEverInProduction: true\n');
    await assert.rejects(registry.deleteVersion('fraud/1', { reason: 'tidy' }), /fraud\/1 was in Production once, and the policy \(deletion\.forbidIfEverInProduction in policy\.yaml\) keeps every such version/);
    assert.deepEqual((await registry.gc({ policy: { deleteArchivedAfterDays: 0 } })).deleted, []);
    await registry.deleteVersion('fraud/3', { reason: 'never served' });
    assert.deepEqual(registry.versions('fraud').map((version) => version.number), [2, 1]);
  });

  it('without the rule, an Archived former Production version may be deleted', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await registry.promote('fraud/1', 'Production');
    await registry.promote('fraud/2', 'Production');
    await registry.deleteVersion('fraud/1', { reason: 'superseded long ago' });
    assert.deepEqual(registry.versions('fraud').map((version) => version.number), [2]);
  });

  it('applies only to the models its glob names', async () => {
    const { registry, project } = await openRegistry();
    for (const model of ['fraud', 'churn']) {
      await register(registry, project, model);
      await register(registry, project, model);
      await registry.promote(`${model}/1`, 'Production');
      await registry.promote(`${model}/2`, 'Production');
    }
    writePolicy(registry, "deletion:\n  forbidIfEverInProduction: true\n  models: 'fraud*'\n");
    await assert.rejects(registry.deleteVersion('fraud/1', { reason: 'tidy' }), /keeps every such version/);
    await registry.deleteVersion('churn/1', { reason: 'tidy' });
  });
});

describe('deleting a model', () => {
  it('tombstones every version, then the model; the name stays taken with its history', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await register(registry, project, 'churn');
    await registry.promote('fraud/2', 'Staging');
    const report = await registry.deleteModel('fraud', { reason: 'project cancelled' });
    assert.deepEqual([report.modelDeleted, report.versions.map((version) => version.number)], [true, [2, 1]]);
    assert.deepEqual(registry.models().map((model) => model.name), ['churn']);
    assert.deepEqual(registry.counts(), { models: 1, versions: 1 });
    assert.throws(() => registry.model('fraud'), /Model 'fraud' was deleted on .* by alice@example\.com: project cancelled/);
    assert.throws(() => registry.resolve('fraud/1'), /Model 'fraud' was deleted/);
    await assert.rejects(register(registry, project), /Model 'fraud' was deleted on .*register under another name/);
    assert.deepEqual(registry.log({ limit: 3 }).map((event) => [event.type, event.model, event.version]), [['model.deleted', 'fraud', null], ['version.deleted', 'fraud', 1], ['version.deleted', 'fraud', 2]]);
    assert.throws(() => registry.versions('fraud'), /Its history remains in: mreg log fraud$/);
    assert.deepEqual(registry.log({ model: 'fraud' }).map((event) => event.type).reverse(), ['model.created', 'version.registered', 'version.registered', 'version.stage_changed', 'version.deleted', 'version.deleted', 'model.deleted']);
  });

  it('deletes nothing when one of its versions may not be deleted', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await register(registry, project);
    await registry.promote('fraud/1', 'Production');
    await assert.rejects(registry.deleteModel('fraud', { reason: 'tidy' }), /Nothing was deleted\. fraud\/1 is in Production/);
    assert.equal(registry.versions('fraud').length, 2);
    await assert.rejects(registry.deleteModel('fraud', { reason: '' }), /needs a reason/);
  });

  it('deletes a model that has no versions left', async () => {
    const { registry, project } = await openRegistry();
    await register(registry, project);
    await registry.deleteVersion('fraud/1', { reason: 'bad' });
    const report = await registry.deleteModel('fraud', { reason: 'empty' });
    assert.deepEqual(report.versions, []);
    assert.deepEqual(registry.models(), []);
  });
});

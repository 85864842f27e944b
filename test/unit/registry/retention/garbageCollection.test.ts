import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../../src/index';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function openRegistry(): Promise<{ registry: Registry; project: string; folder: string }> {
  const files: Record<string, string> = { 'shared.bin': 'shared between versions' };
  for (let i = 1; i <= 6; i++) files[`m${i}.onnx`] = `weights ${i}`;
  const project = writeFiles(tempFolder('gc'), files);
  const folder = path.join(project, '.modelregistry');
  return { registry: await Registry.open({ folder, actor: 'alice@example.com' }), project, folder };
}

function numbers(registry: Registry, model: string): number[] {
  return registry.versions(model).map((version) => version.number);
}

describe('retention and gc', () => {
  it('keeps the last N, anything ever in Staging or Production, and alias holders; deletes the rest with a tombstone', async () => {
    const { registry, project } = await openRegistry();
    try {
      const file = (name: string): string[] => [path.join(project, name)];
      await registry.register({ model: 'fraud', paths: file('m1.onnx'), git: null }); // 1: plain, old → goes
      await registry.register({ model: 'fraud', paths: file('m2.onnx'), git: null, stage: 'Production' }); // 2: later archived → stays (was Production)
      await registry.register({ model: 'fraud', paths: file('m3.onnx'), git: null }); // 3: alias → stays
      await registry.register({ model: 'fraud', paths: file('m4.onnx'), git: null, stage: 'Staging' }); // 4: Staging → stays
      await registry.register({ model: 'fraud', paths: [...file('m5.onnx'), ...file('shared.bin')], git: null }); // 5: within last 2
      await registry.register({ model: 'fraud', paths: [...file('m6.onnx'), ...file('shared.bin')], git: null, stage: 'Production' }); // 6: Production
      await registry.setAlias('fraud/3', 'champion');
      assert.equal(registry.version('fraud/2').stage, 'Archived');

      const dry = await registry.gc({ dryRun: true, policy: { keepLast: 2 } });
      assert.deepEqual(dry.deleted.map((version) => version.number), [1]);
      assert.equal(dry.unreferenced.count, 2, 'the artifact and the manifest of fraud/1');
      assert.equal(dry.unreferenced.bytes, Buffer.byteLength('weights 1') + readFileSync(registry.blobs.pathOf(registry.version('fraud/1').fingerprint)).length);
      assert.deepEqual(numbers(registry, 'fraud'), [6, 5, 4, 3, 2, 1], 'a dry run changes nothing');

      const report = await registry.gc({ policy: { keepLast: 2 } });
      assert.deepEqual(report.deleted.map((version) => [version.number, version.rule]), [[1, 'older than the last 2 version(s) and never in Staging or Production']]);
      assert.deepEqual(numbers(registry, 'fraud'), [6, 5, 4, 3, 2]);
      assert.throws(() => registry.version('fraud/1'), /fraud\/1 was deleted on .* by alice@example.com \(retention: older than the last 2/);
      const tombstone = registry.log({ model: 'fraud' })[0];
      assert.deepEqual([tombstone.type, tombstone.version], ['version.deleted', 1]);
      assert.ok(registry.log({ model: 'fraud' }).some((event) => event.type === 'version.registered' && event.version === 1), 'history stays readable');

      const next = await registry.register({ model: 'fraud', paths: file('m1.onnx'), git: null });
      assert.equal(next.number, 7, 'numbers are never reused');
      assert.deepEqual(registry.search('version = 1 AND name = fraud'), []);
    } finally {
      await registry.close();
    }
  });

  it('deletes Archived versions D days after they were archived, and replays the deletion from the op log', async () => {
    const { registry, project, folder } = await openRegistry();
    try {
      await registry.register({ model: 'churn', paths: [path.join(project, 'm1.onnx')], git: null, stage: 'Production' });
      await registry.register({ model: 'churn', paths: [path.join(project, 'm2.onnx')], git: null, stage: 'Production' });
      await registry.register({ model: 'churn', paths: [path.join(project, 'm3.onnx')], git: null });
      await registry.promote('churn/3', 'Archived');
      const soon = await registry.gc({ dryRun: true, policy: { deleteArchivedAfterDays: 30 }, now: new Date(Date.now() + 29 * DAY) });
      assert.deepEqual(soon.deleted, []);
      const later = await registry.gc({ policy: { deleteArchivedAfterDays: 30 }, now: new Date(Date.now() + 31 * DAY) });
      assert.deepEqual(later.deleted.map((version) => [version.number, version.rule]), [
        [1, 'Archived more than 30 day(s) ago'],
        [3, 'Archived more than 30 day(s) ago'],
      ]);
    } finally {
      await registry.close();
    }
    const reopened = await Registry.open({ folder });
    try {
      assert.deepEqual(numbers(reopened, 'churn'), [2]);
      assert.throws(() => reopened.version('churn/3'), /was deleted/);
    } finally {
      await reopened.close();
    }
    // Without the snapshot, the op log alone rebuilds the same registry.
    for (const snapshot of readdirSync(path.join(folder, 'snapshots'))) unlinkSync(path.join(folder, 'snapshots', snapshot));
    const rebuilt = await Registry.open({ folder });
    try {
      assert.deepEqual(numbers(rebuilt, 'churn'), [2]);
    } finally {
      await rebuilt.close();
    }
  });

  it('removes an unreferenced blob only when it was marked a whole grace period earlier, never a live one', async () => {
    const { registry, project, folder } = await openRegistry();
    try {
      await registry.register({ model: 'm', paths: [path.join(project, 'm1.onnx'), path.join(project, 'shared.bin')], git: null });
      await registry.register({ model: 'm', paths: [path.join(project, 'm2.onnx'), path.join(project, 'shared.bin')], git: null });
      const old = registry.version('m/1');
      const oldBlobs = [old.fingerprint, ...old.manifest.artifacts.filter((a) => a.path === 'm1.onnx').map((a) => a.sha256)];
      const sharedBlob = old.manifest.artifacts.find((a) => a.path === 'shared.bin')!.sha256;

      const first = await registry.gc({ policy: { keepLast: 1, blobGraceHours: 2 } });
      assert.deepEqual(first.deleted.map((version) => version.number), [1]);
      assert.deepEqual([first.unreferenced.count, first.removed.count, first.pending.count], [2, 0, 2]);
      assert.ok(oldBlobs.every((sha) => registry.blobs.has(sha)), 'marked, not removed');
      const marks = JSON.parse(readFileSync(path.join(folder, 'gc-marks.json'), 'utf8')) as { marks: Record<string, string> };
      assert.deepEqual(Object.keys(marks.marks).sort(), [...oldBlobs].sort());

      const tooEarly = await registry.gc({ now: new Date(Date.now() + 1 * HOUR), policy: { blobGraceHours: 2 } });
      assert.equal(tooEarly.removed.count, 0);
      const due = await registry.gc({ now: new Date(Date.now() + 3 * HOUR), policy: { blobGraceHours: 2 } });
      assert.deepEqual([due.removed.count, due.pending.count], [2, 0]);
      assert.ok(oldBlobs.every((sha) => !registry.blobs.has(sha)));
      assert.ok(registry.blobs.has(sharedBlob), 'm/2 still refers to the shared blob');
      assert.deepEqual((await registry.verify()).problems, []);
    } finally {
      await registry.close();
    }
  });

  it('a blob that becomes referenced again is unmarked, and a reused blob is not swept', async () => {
    const { registry, project } = await openRegistry();
    try {
      await registry.register({ model: 'm', paths: [path.join(project, 'm1.onnx')], git: null });
      await registry.register({ model: 'm', paths: [path.join(project, 'm2.onnx')], git: null });
      const sha = registry.version('m/1').manifest.artifacts[0].sha256;
      await registry.gc({ policy: { keepLast: 1, blobGraceHours: 0 } });
      // Registered again (as another model) before the sweep: live again.
      await registry.register({ model: 'other', paths: [path.join(project, 'm1.onnx')], git: null });
      const sweep = await registry.gc({ now: new Date(Date.now() + HOUR), policy: { blobGraceHours: 0 } });
      // Same files, same lineage: other/1 has m/1's manifest too, so neither of its blobs goes.
      assert.ok(registry.blobs.has(sha) && registry.blobs.has(registry.version('other/1').fingerprint));
      assert.deepEqual([sweep.unreferenced.count, sweep.removed.count], [0, 0]);
    } finally {
      await registry.close();
    }
  });

  it('reads the retention section of policy.yaml and says what is wrong in it', async () => {
    const { registry, project, folder } = await openRegistry();
    try {
      await registry.register({ model: 'm', paths: [path.join(project, 'm1.onnx')], git: null });
      await registry.register({ model: 'm', paths: [path.join(project, 'm2.onnx')], git: null });
      writeFileSync(path.join(folder, 'policy.yaml'), 'rules:\n  - models: "*"\n    stages: Production\n    approvals: 1\nretention:\n  keepLast: 1\n  blobGraceHours: 48\n');
      const report = await registry.gc({ dryRun: true });
      assert.deepEqual(report.policy, { keepLast: 1, blobGraceHours: 48 });
      assert.deepEqual(report.deleted.map((version) => version.number), [1]);
      assert.deepEqual((await registry.gc({ dryRun: true, policy: { keepLast: 5 } })).deleted, [], 'options override the file');

      writeFileSync(path.join(folder, 'policy.yaml'), 'retention:\n  keepLast: 0\n');
      await assert.rejects(registry.gc(), /'keepLast' in the retention section of .*policy.yaml must be a whole number of versions, at least 1, not 0/);
      writeFileSync(path.join(folder, 'policy.yaml'), 'retention:\n  keep_last: 3\n');
      await assert.rejects(registry.gc(), /Unknown setting 'keep_last' .* the settings are keepLast, deleteArchivedAfterDays, blobGraceHours/);
      writeFileSync(path.join(folder, 'policy.yaml'), 'retention: [\n');
      await assert.rejects(registry.gc(), /is not valid YAML/);
      assert.deepEqual(numbers(registry, 'm'), [2, 1]);
      assert.ok(!existsSync(path.join(folder, 'gc-marks.json')));
    } finally {
      await registry.close();
    }
  });
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { Registry, type RegisterInput } from '../../../src/index';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();
let registry: Registry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

describe('metric history', () => {
  it('aligns each metric across all versions of a model, with gaps, and marks the versions whose stage changed', async () => {
    const project = writeFiles(tempFolder('history'), { 'model.onnx': 'weights' });
    registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
    const input = (metrics: Record<string, number>, extra: Partial<RegisterInput> = {}): RegisterInput => ({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null, metrics, ...extra });
    await registry.register(input({ auc: 0.9, latency_ms: 12 }, { metricDirections: { auc: 'max' } }));
    await registry.register(input({ auc: 0.92 }));
    await registry.register(input({ auc: 0.95, latency_ms: 15, recall: 0.7 }, { metricDirections: { latency_ms: 'min' } }));
    await registry.register({ ...input({ auc: 0.5 }), model: 'other' });
    await registry.promote('fraud/1', 'Production');
    await registry.promote('fraud/3', 'Staging');
    await registry.promote('fraud/3', 'Production');
    await registry.rollback('fraud', { reason: 'latency' });

    const history = registry.metricHistory('fraud');
    assert.deepEqual(history.versions.map((version) => [version.ref, version.stage]), [['fraud/1', 'Production'], ['fraud/2', 'None'], ['fraud/3', 'Archived']]);
    assert.deepEqual(history.metrics, [
      { name: 'auc', direction: 'max', values: [0.9, 0.92, 0.95] },
      { name: 'latency_ms', direction: 'min', values: [12, null, 15] },
      { name: 'recall', direction: null, values: [null, null, 0.7] },
    ]);
    assert.deepEqual(history.markers.map((marker) => [marker.version, marker.label]), [
      [1, '#1 → Production → Archived → Production (rollback)'],
      [3, '#3 → Staging → Production → Archived (rollback)'],
    ]);
    assert.deepEqual(history.markers[1].changes.map((change) => [change.from, change.to, change.actor]), [['None', 'Staging', 'alice@example.com'], ['Staging', 'Production', 'alice@example.com'], ['Production', 'Archived', 'alice@example.com']]);
    assert.deepEqual(registry.metricHistory('other').markers, []);
    assert.throws(() => registry?.metricHistory('nope'), /No model named 'nope'/);
  });
});

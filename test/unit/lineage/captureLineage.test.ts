import assert from 'node:assert/strict';
import path from 'node:path';
import { captureLineage } from '../../../src/lineage/captureLineage';
import { withCapturedLineage } from '../../../src/registry/registration/registerInput';
import { gitRepository } from '../../support/gitRepository';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function project(): string {
  return gitRepository(tempFolder('capture'), {
    'params.yaml': 'lr: 0.01\nepochs: 3\n',
    'tuned.json': '{"lr": 0.02}',
    'metrics.json': '{"accuracy": 0.9}',
    'data/raw.csv.dvc': 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 10\n  path: raw.csv\n',
    'data/labels.csv': 'id,label\n',
    'mlruns/0/run1/meta.yaml': 'run_id: run1\nstatus: 3\nlifecycle_stage: active\nstart_time: 1700000000000\nend_time: 1700000100000\n',
    'mlruns/0/run1/metrics/f1': '1 0.75 0\n',
    'requirements.txt': 'numpy==2.0.0\n',
  });
}

describe('captureLineage', () => {
  it('discovers params, metrics and DVC data, and captures git and environment', async () => {
    const root = project();
    writeFiles(root, { '.modelregistry/op.log': 'registry writes are not code changes' });
    const captured = await captureLineage(root, { data: [path.join(root, 'data/labels.csv')], ignore: [path.join(root, '.modelregistry')] });
    assert.deepEqual(captured.params, { lr: 0.01, epochs: 3 });
    assert.deepEqual(captured.metrics, { accuracy: 0.9 });
    assert.deepEqual(captured.sources, { params: 'params.yaml', metrics: 'metrics.json' });
    assert.deepEqual(
      captured.data.map((entry) => [entry.uri, entry.kind, entry.sha256 !== undefined, entry.md5]),
      [
        ['data/labels.csv', 'file', true, undefined],
        ['data/raw.csv', 'file', false, '0123456789abcdef0123456789abcdef'],
      ],
    );
    assert.equal(captured.git?.dirty, false);
    assert.equal((captured.environment.lockFiles as { path: string }[])[0].path, 'requirements.txt');
  });

  it('takes params and metrics from the files given, and discovers nothing when told not to', async () => {
    const root = project();
    const given = await captureLineage(root, { params: 'tuned.json', metrics: 'mlruns/0/run1' });
    assert.deepEqual(given.params, { lr: 0.02 });
    assert.deepEqual(given.metrics, { f1: 0.75 });
    assert.deepEqual(given.tags, { 'mlflow.run_id': 'run1' });
    assert.deepEqual(given.sources, { params: 'tuned.json', metrics: 'mlruns/0/run1', run: { kind: 'mlflow', id: 'run1', path: 'mlruns/0/run1', reason: 'MLflow run: named with --params or --metrics' } });

    const bare = await captureLineage(root, { discover: false });
    assert.deepEqual([bare.params, bare.metrics, bare.data, bare.sources], [{}, {}, [], {}]);
  });

  it('records no params or metrics when a person declined them, and still discovers the rest', async () => {
    const root = project();
    const noParams = await captureLineage(root, { params: null });
    assert.deepEqual([noParams.params, noParams.metrics, noParams.sources], [{}, { accuracy: 0.9 }, { metrics: 'metrics.json' }]);
    assert.deepEqual(noParams.data.map((entry) => entry.uri), ['data/raw.csv']);
    const neither = await captureLineage(root, { params: null, metrics: null });
    assert.deepEqual([neither.params, neither.metrics, neither.sources], [{}, {}, {}]);
    assert.deepEqual(neither.data.map((entry) => entry.uri), ['data/raw.csv']);
  });

  it('lets what a person typed win over what was discovered', () => {
    const input = withCapturedLineage(
      { model: 'm', paths: ['model.onnx'], params: { lr: 0.5 }, metrics: {}, tags: { owner: 'ada' } },
      { git: null, data: [], params: { lr: 0.01, epochs: 3 }, metrics: { accuracy: 0.9 }, tags: { owner: 'run', team: 'x' }, environment: { arch: 'x64' }, sources: { params: 'params.yaml' }, warnings: [] },
    );
    assert.deepEqual(input.params, { lr: 0.5, epochs: 3 });
    assert.deepEqual(input.metrics, { accuracy: 0.9 });
    assert.deepEqual(input.tags, { owner: 'ada', team: 'x' });
    assert.deepEqual(input.environment, { arch: 'x64' });
  });
});

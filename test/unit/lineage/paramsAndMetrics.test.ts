import assert from 'node:assert/strict';
import { symlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { isRegistryError } from '../../../src/core/registryError';
import { candidateForFile, findParamsAndMetrics, readParamsAndMetrics } from '../../../src/lineage/paramsAndMetrics';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

const RUN = 'mlruns/1/0f3c9a';

/** A project with every kind of params and metrics file the discovery knows. */
function trainingProject(): string {
  const root = writeFiles(tempFolder('params'), {
    'params.yaml': 'train:\n  lr: 0.001\n  optimizer: adamw\n  layers: [64, 32]\nseed: 42\n',
    '.hydra/config.yaml': 'model:\n  depth: 12\n',
    'dvc.lock': "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    params:\n      params.yaml:\n        train.lr: 0.001\n        seed: 42\n",
    'dvc.yaml': 'stages:\n  evaluate:\n    cmd: python eval.py\n    metrics:\n    - eval/scores.json:\n        cache: false\n',
    'eval/scores.json': '{"auc": 0.91, "per_class": {"cat": 0.8, "dog": 0.95}, "note": "text is no metric"}',
    'metrics.json': '{"accuracy": 0.93, "loss": 0.21}',
    [`${RUN}/meta.yaml`]: 'run_id: 0f3c9a\nrun_name: bright-owl\nexperiment_id: "1"\nstatus: 3\nlifecycle_stage: active\nstart_time: 1700000000000\nend_time: 1700000300000\n',
    [`${RUN}/metrics/val/loss`]: '1700000000000 0.9 0\n1700000001000 0.5 1\n1700000002000 0.25 2\n',
    [`${RUN}/metrics/accuracy`]: '1700000002000 0.88 2\n',
    [`${RUN}/params/lr`]: '0.01',
    [`${RUN}/tags/team`]: 'vision',
    [`${RUN}/tags/mlflow.source.git.commit`]: 'abc',
    'mlruns/1/older/meta.yaml': 'run_id: older\nstatus: 3\nlifecycle_stage: active\nstart_time: 1600000000000\nend_time: 1600000300000\n',
    'mlruns/1/older/metrics/accuracy': '1600000200000 0.5 0\n',
    'wandb/run-20240301_120000-x1y2z3/files/wandb-summary.json': '{"val_acc": 0.97, "_runtime": 12, "_step": 100, "hist": {"_type": "histogram", "values": [1, 2]}}',
    'wandb/run-20240301_120000-x1y2z3/files/config.yaml': '_wandb:\n  value: {}\nbatch_size:\n  desc: null\n  value: 32\n',
  });
  symlinkSync('run-20240301_120000-x1y2z3', path.join(root, 'wandb/latest-run'));
  // The older run is written last (a checkout's order): file times must not decide.
  const later = new Date('2031-01-01');
  utimesSync(path.join(root, 'mlruns/1/older/meta.yaml'), later, later);
  return root;
}

describe('findParamsAndMetrics', () => {
  it('lists every candidate, most preferred first: files, the run the rules pick, then the other runs', () => {
    const root = trainingProject();
    const found = findParamsAndMetrics(root).map((candidate) => [candidate.path, candidate.format, candidate.params, candidate.metrics, candidate.isDefault]);
    assert.deepEqual(found, [
      ['params.yaml', 'params-file', true, false, true],
      ['.hydra/config.yaml', 'hydra-config', true, false, true],
      ['dvc.lock', 'dvc-lock-params', true, false, true],
      ['metrics.json', 'metrics-file', false, true, true],
      ['eval/scores.json', 'metrics-file', false, true, true],
      [RUN, 'mlflow-run', true, true, true],
      ['mlruns/1/older', 'mlflow-run', false, true, false],
      ['wandb/run-20240301_120000-x1y2z3', 'wandb-run', true, true, false],
    ]);
    assert.match(findParamsAndMetrics(root)[5].description, /bright-owl.*newest finished run/);
  });

  it('finds nothing in an empty project', () => {
    assert.deepEqual(findParamsAndMetrics(tempFolder('empty')), []);
  });
});

describe('readParamsAndMetrics', () => {
  const root = trainingProject();
  const read = (candidatePath: string) => {
    const candidate = findParamsAndMetrics(root).find((c) => c.path === candidatePath);
    assert.ok(candidate, candidatePath);
    return readParamsAndMetrics(root, candidate);
  };

  it('flattens nested params to dotted keys, lists kept as JSON', () => {
    assert.deepEqual(read('params.yaml').params, { 'train.lr': 0.001, 'train.optimizer': 'adamw', 'train.layers': '[64,32]', seed: 42 });
    assert.deepEqual(read('.hydra/config.yaml').params, { 'model.depth': 12 });
    assert.deepEqual(read('dvc.lock').params, { 'train.lr': 0.001, seed: 42 });
  });

  it('takes only the numbers of a metrics file', () => {
    assert.deepEqual(read('eval/scores.json').metrics, { auc: 0.91, 'per_class.cat': 0.8, 'per_class.dog': 0.95 });
  });

  it("reads an MLflow run: each metric's last value, params, and user tags", () => {
    assert.deepEqual(read(RUN), { params: { lr: 0.01 }, metrics: { accuracy: 0.88, 'val/loss': 0.25 }, tags: { team: 'vision', 'mlflow.run_id': '0f3c9a' } });
  });

  it("reads W&B's latest run: the summary without internal keys, and the config's values", () => {
    assert.deepEqual(read('wandb/run-20240301_120000-x1y2z3'), { params: { batch_size: 32 }, metrics: { val_acc: 0.97 }, tags: { 'wandb.run_id': 'x1y2z3' } });
  });

  it('reads a file given by hand, and names one that is missing or malformed', () => {
    const root2 = writeFiles(tempFolder('given'), { 'results/final.yaml': 'f1: 0.7\n', 'bad.json': '{"a": ' });
    assert.deepEqual(readParamsAndMetrics(root2, candidateForFile(root2, 'results/final.yaml')).metrics, { f1: 0.7 });
    assert.throws(() => candidateForFile(root2, 'nope.json'), (error) => isRegistryError(error, 'NOT_FOUND'));
    assert.throws(() => readParamsAndMetrics(root2, candidateForFile(root2, 'bad.json')), (error) => isRegistryError(error, 'INVALID_INPUT') && error.message.includes('bad.json'));
  });
});

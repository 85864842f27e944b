import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { isRegistryError } from '../../../src/core/registryError';
import { captureLineage } from '../../../src/lineage/captureLineage';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'lineage');

const BASELINE = '4f1c2a9e8b7d46c5a3e2f1d0c9b8a7e6';
const TUNED = '7b3e5d1c9a2f48e6b0d4c2a1f3e5d7c9';
const CRASHED = 'c0ffee00112233445566778899aabbcc';
const DELETED = 'd15ca4d0d15ca4d0d15ca4d0d15ca4d0';
const CHILD = 'e1e2e3e4e5e6e7e8e9eaebecedeeeff0';

/** A copy of a fixture project, its file times set as a checkout might leave them. */
function project(name: string, newestFirst: string[] = []): string {
  const root = path.join(tempFolder(name), name);
  cpSync(path.join(FIXTURES, name), root, { recursive: true });
  // The wrong runs get the newest file times: only meta.yaml's own times may decide.
  newestFirst.forEach((relative, index) => {
    const time = new Date(Date.UTC(2030, 0, 1) - index * 86_400_000);
    utimesSync(path.join(root, relative), time, time);
  });
  return root;
}

/**
 * MLflow's choice computed independently with Python's standard library: meta.yaml read line by
 * line, the newest run with status 3 (FINISHED) and lifecycle_stage active by end_time; a run's
 * latest metric value is max over (step, timestamp, value), as FileStore._get_metric_from_file.
 */
const MLFLOW_TRUTH = String.raw`
import json, os, sys
store = os.path.join(sys.argv[1], 'mlruns')
runs = []
for exp in sorted(os.listdir(store)):
    for rid in sorted(os.listdir(os.path.join(store, exp))):
        meta = os.path.join(store, exp, rid, 'meta.yaml')
        if not os.path.isfile(meta): continue
        fields = dict(line.split(': ', 1) for line in open(meta).read().splitlines() if ': ' in line)
        runs.append((rid, os.path.join(store, exp, rid), fields))
usable = [r for r in runs if r[2]['status'] == '3' and r[2]['lifecycle_stage'] == 'active']
newest = max(usable, key=lambda r: int(r[2]['end_time']))
def metrics(folder):
    out = {}
    for name in os.listdir(os.path.join(folder, 'metrics')):
        rows = []
        for line in open(os.path.join(folder, 'metrics', name)):
            t, v, s = line.split()
            rows.append((int(s), int(t), float(v)))
        out[name] = max(rows)[2]
    return out
print(json.dumps({'newest': newest[0], 'metrics': {r[0]: metrics(r[1]) for r in runs}}))
`;

function mlflowTruth(root: string): { newest: string; metrics: Record<string, Record<string, number>> } {
  return JSON.parse(execFileSync('python3', ['-c', MLFLOW_TRUTH, root], { encoding: 'utf8' })) as { newest: string; metrics: Record<string, Record<string, number>> };
}

const run = (id: string, file = 'meta.yaml'): string => `mlruns/0/${id}/${file}`;

describe('provenance: one run per version', () => {
  describe('MLflow', () => {
    it('takes the newest FINISHED, active run by end_time in meta.yaml, whatever the file times say', async () => {
      const root = project('mlflow-project', [run(DELETED), run(CRASHED), run(CHILD), run(BASELINE), run(TUNED)]);
      const truth = mlflowTruth(root);
      assert.equal(truth.newest, TUNED);
      const captured = await captureLineage(root, { params: null });
      assert.equal(captured.sources.metrics, `mlruns/0/${TUNED}`);
      assert.deepEqual(captured.metrics, truth.metrics[TUNED]);
      assert.equal(captured.tags['mlflow.run_id'], TUNED);
      assert.equal(captured.sources.run?.id, truth.newest);
      assert.match(captured.sources.run?.reason ?? '', /newest finished run \(end_time 2024-11-13T08:03:20\.000Z in meta\.yaml\) of 3; 2 running, failed, killed or deleted run\(s\) left out/);
    });

    it("takes the run whose artifacts/ hold the registered path, with params, metrics and tags of that run only", async () => {
      const root = project('mlflow-project', [run(DELETED), run(TUNED), run(CHILD)]);
      const truth = mlflowTruth(root);
      const model = path.join(root, run(BASELINE, 'artifacts/model'));
      const captured = await captureLineage(root, { artifacts: [model] });
      assert.equal(captured.sources.metrics, `mlruns/0/${BASELINE}`);
      assert.deepEqual(captured.metrics, truth.metrics[BASELINE]);
      assert.deepEqual(captured.sources.run, {
        kind: 'mlflow',
        id: BASELINE,
        path: `mlruns/0/${BASELINE}`,
        reason: `MLflow run "baseline": mlruns/0/${BASELINE}/artifacts/model lies in the run's artifacts`,
      });
      // The run wins over params.yaml: it is where the registered bytes were made.
      assert.equal(captured.sources.params, `mlruns/0/${BASELINE}`);
      assert.equal(captured.sources.metrics, `mlruns/0/${BASELINE}`);
      assert.deepEqual(captured.metrics, truth.metrics[BASELINE]);
      assert.deepEqual(captured.tags, { team: 'wine', 'mlflow.run_id': BASELINE });
    });

    it("MLflow's latest metric value is the greatest (step, timestamp, value), not the last line", async () => {
      const root = project('mlflow-project');
      const captured = await captureLineage(root, { artifacts: [path.join(root, run(BASELINE, 'artifacts/model/MLmodel'))] });
      assert.equal(mlflowTruth(root).metrics[BASELINE].rmse, 0.4);
      assert.equal(captured.metrics.rmse, 0.4);
    });

    it("finds the run an MLflow model names in its MLmodel's run_id when the model was copied out of mlruns/", async () => {
      const root = project('mlflow-project', [run(TUNED)]);
      const copy = path.join(root, 'models', 'wine');
      cpSync(path.join(root, run(BASELINE, 'artifacts/model')), copy, { recursive: true });
      const captured = await captureLineage(root, { artifacts: [copy] });
      assert.equal(captured.sources.run?.id, BASELINE);
      assert.match(captured.sources.run?.reason ?? '', /the MLmodel of models\/wine names run_id 4f1c2a9e/);
    });

    it('records MLflow params typed, as params.yaml would give them', async () => {
      const root = project('mlflow-project');
      const captured = await captureLineage(root, { params: `mlruns/0/${BASELINE}` });
      assert.deepEqual(captured.params, { alpha: 0.1, fit_intercept: true, l1_ratio: 0.5, max_iter: 1000, random_state: '007', solver: 'saga' });
    });

    it('--metrics RUN takes the params from that run too, unless --params is given', async () => {
      const root = project('mlflow-project');
      const both = await captureLineage(root, { metrics: `mlruns/0/${CHILD}` });
      assert.equal(both.sources.params, `mlruns/0/${CHILD}`);
      assert.deepEqual(both.params, { alpha: 0.05, fold: 1 });
      assert.equal(both.tags['mlflow.run_id'], CHILD);
      assert.match(both.sources.run?.reason ?? '', /named with --params or --metrics/);
      const own = await captureLineage(root, { metrics: `mlruns/0/${CHILD}`, params: 'params.yaml' });
      assert.deepEqual(own.params, { alpha: 0.7 });
      assert.equal(own.sources.run?.id, CHILD);
    });

    it('refuses params of one run with metrics of another', async () => {
      const root = project('mlflow-project');
      await assert.rejects(captureLineage(root, { params: `mlruns/0/${CHILD}`, metrics: `mlruns/0/${TUNED}` }), (error) => isRegistryError(error, 'INVALID_INPUT') && /a version comes from one run/.test(error.message));
    });

    it('a deleted run is never taken by discovery, and a run taken by its artifacts says what state it is in', async () => {
      const root = project('mlflow-project', [run(DELETED)]);
      const discovered = await captureLineage(root);
      assert.notEqual(discovered.sources.run?.id, DELETED);
      const inDeleted = await captureLineage(root, { artifacts: [path.join(root, run(DELETED, 'meta.yaml'))] });
      assert.notEqual(inDeleted.sources.run?.id, DELETED, 'meta.yaml is not in artifacts/');
      const crashed = path.join(root, run(CRASHED, 'artifacts'));
      cpSync(path.join(root, run(BASELINE, 'artifacts/model/model.bin')), path.join(crashed, 'model.bin'));
      const fromCrashed = await captureLineage(root, { artifacts: [path.join(crashed, 'model.bin')] });
      assert.equal(fromCrashed.sources.run?.id, CRASHED);
      assert.match(fromCrashed.sources.run?.reason ?? '', /\(note: status RUNNING\)/);
    });

    it('takes no run when the registered paths lie in two runs, and says so', async () => {
      const root = project('mlflow-project');
      const other = path.join(root, run(TUNED, 'artifacts/extra.bin'));
      cpSync(path.join(root, run(BASELINE, 'artifacts/model/model.bin')), other);
      const captured = await captureLineage(root, { artifacts: [path.join(root, run(BASELINE, 'artifacts/model')), other] });
      assert.equal(captured.sources.run, undefined);
      assert.equal(captured.sources.metrics, undefined);
      assert.match(captured.warnings.join('\n'), /lie in different runs/);
    });

    it("records the MLflow model's requirements in the environment", async () => {
      const root = project('mlflow-project');
      const captured = await captureLineage(root, { artifacts: [path.join(root, run(BASELINE, 'artifacts/model'))] });
      assert.deepEqual(captured.environment.mlflowModels, [
        {
          path: `mlruns/0/${BASELINE}/artifacts/model`,
          flavors: ['python_function', 'sklearn'],
          runId: BASELINE,
          mlflowVersion: '2.16.2',
          python: '3.11.9',
          requirements: ['mlflow==2.16.2', 'cloudpickle==3.0.0', 'scikit-learn==1.5.1'],
          conda: ['python=3.11.9', 'pip<=24.0', 'pip:mlflow==2.16.2', 'pip:scikit-learn==1.5.1'],
        },
      ]);
    });
  });

  describe('W&B', () => {
    /** Python's reading of a summary: numbers at the top level or nested in plain mappings, no `_` keys, no media objects. */
    const WANDB_TRUTH = String.raw`
import json, sys
summary = json.load(open(sys.argv[1]))
def walk(d, prefix):
    out = {}
    for k, v in d.items():
        if k.startswith('_'): continue
        name = prefix + k
        if isinstance(v, bool): continue
        if isinstance(v, (int, float)): out[name] = v
        elif isinstance(v, dict) and '_type' not in v: out.update(walk(v, name + '.'))
    return out
print(json.dumps(walk(summary, '')))
`;

    it('leaves media objects and tables out of the metrics (13 metrics, as the run logged)', async () => {
      const root = project('wandb-yolo');
      const truth = JSON.parse(execFileSync('python3', ['-c', WANDB_TRUTH, path.join(root, 'wandb/latest-run/files/wandb-summary.json')], { encoding: 'utf8' })) as Record<string, number>;
      assert.equal(Object.keys(truth).length, 13);
      const captured = await captureLineage(root);
      assert.deepEqual(captured.metrics, truth);
      assert.deepEqual(captured.params, { batch_size: 16, epochs: 30, 'hyp.lr0': 0.01, 'hyp.momentum': 0.937, optimizer: 'SGD' });
    });

    it('takes the run id from run-<id>.wandb when latest-run is a real folder', async () => {
      const root = project('wandb-yolo');
      const captured = await captureLineage(root);
      assert.equal(captured.tags['wandb.run_id'], '3kq7xw2m');
      assert.deepEqual(captured.sources.run, { kind: 'wandb', id: '3kq7xw2m', path: 'wandb/latest-run', reason: "W&B run: W&B's latest-run" });
    });

    it('takes the run id of a copied latest-run from the run folder with the same startedAt', async () => {
      const root = project('wandb-copied');
      const captured = await captureLineage(root);
      assert.equal(captured.tags['wandb.run_id'], 'kj3gdsjx');
    });

    it("takes the run whose files/ hold the registered path, and --metrics RUN brings that run's params", async () => {
      const root = project('wandb-yolo');
      const older = 'wandb/run-20240801_090000-1abcd234';
      const captured = await captureLineage(root, { artifacts: [path.join(root, older, 'files/best.pt.txt')] });
      assert.equal(captured.sources.run?.id, '1abcd234');
      assert.deepEqual([captured.params, captured.metrics, captured.tags], [{ batch_size: 8 }, { 'metrics/precision': 0.5 }, { 'wandb.run_id': '1abcd234' }]);
      const named = await captureLineage(root, { metrics: older });
      assert.deepEqual([named.params, named.tags], [{ batch_size: 8 }, { 'wandb.run_id': '1abcd234' }]);
    });
  });
});

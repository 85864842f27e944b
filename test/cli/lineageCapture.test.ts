import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../src/core/manifest';
import { git, gitRepository } from '../support/gitRepository';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

function trainingRepository(): string {
  return gitRepository(tempFolder('cli-lineage'), {
    'model.onnx': 'onnx weights',
    'train.py': 'print("train")\n',
    'data/train.csv': 'x,y\n1,0\n',
    'params.yaml': 'train:\n  lr: 0.001\nseed: 7\n',
    'metrics.json': '{"accuracy": 0.91, "loss": 0.3}',
    'requirements.txt': 'torch==2.3.1\n',
  });
}

describe('mreg register: lineage capture', () => {
  it('--dry-run prints the captured manifest and writes nothing', () => {
    const cwd = trainingRepository();
    const result = mreg(['register', 'fraud', 'model.onnx', '--data', 'data/train.csv', '--data', 's3://bucket/holdout.parquet#etag=abc', '--dry-run', '--json'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    const { dryRun, manifest } = json<{ dryRun: boolean; manifest: Manifest }>(result);
    assert.equal(dryRun, true);
    assert.equal(manifest.lineage.git?.commit, git(cwd, 'rev-parse', 'HEAD').trim());
    assert.equal(manifest.lineage.git?.dirty, false);
    assert.deepEqual(
      manifest.lineage.data.map((entry) => [entry.uri, entry.kind]),
      [
        ['data/train.csv', 'file'],
        ['s3://bucket/holdout.parquet', 'uri'],
      ],
    );
    assert.deepEqual(manifest.lineage.params, { 'train.lr': 0.001, seed: 7 });
    assert.deepEqual(manifest.metrics, { accuracy: { value: 0.91 }, loss: { value: 0.3 } });
    assert.equal(manifest.lineage.environment.arch, process.arch);
    assert.equal(existsSync(path.join(cwd, '.modelregistry')), false, 'a dry run created the registry folder');

    const text = mreg(['register', 'fraud', 'model.onnx', '--dry-run'], { cwd });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /params {7}2 from params\.yaml/);
    assert.match(text.stdout, /Dry run: nothing was written/);
    assert.equal(existsSync(path.join(cwd, '.modelregistry')), false);
  });

  it('records --data paths typed in a subfolder relative to the project, as it does the artifacts', () => {
    const cwd = trainingRepository();
    writeFileSync(path.join(cwd, 'train.csv'), 'a file of the same name at the root\n');
    const result = mreg(['register', 'fraud', '../model.onnx', '--data', 'train.csv', '--dry-run', '--json'], { cwd: path.join(cwd, 'data') });
    assert.equal(result.status, 0, result.stderr);
    const { manifest } = json<{ manifest: Manifest }>(result);
    assert.deepEqual(manifest.source.inputs, ['model.onnx']);
    assert.deepEqual(
      manifest.lineage.data.map((entry) => [entry.uri, entry.size]),
      [['data/train.csv', 'x,y\n1,0\n'.length]],
    );
  });

  it('reports a bad model name before capturing lineage', () => {
    const cwd = trainingRepository();
    const refused = mreg(['register', 'Fraud Detector', 'model.onnx', '--data', 'no-such-data.csv'], { cwd });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /Fraud Detector/);
    assert.doesNotMatch(refused.stderr, /no-such-data/, 'the name is checked before the data');
  });

  it('records what was discovered, with flags winning, and --require-clean refuses a dirty tree', () => {
    const cwd = trainingRepository();
    writeFileSync(path.join(cwd, 'train.py'), 'print("train harder")\n');
    writeFileSync(path.join(cwd, 'scratch.txt'), 'notes\n');
    const refused = mreg(['register', 'fraud', 'model.onnx', '--require-clean'], { cwd });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /modified: train\.py/);
    assert.match(refused.stderr, /untracked: scratch\.txt/);
    assert.equal(mreg(['models', '--json'], { cwd }).stdout.trim(), '[]');

    const registered = mreg(['register', 'fraud', 'model.onnx', '--data', 'data/train.csv', '--metric', 'accuracy=0.95', '--json'], { cwd });
    assert.equal(registered.status, 0, registered.stderr);
    const { manifest } = json<{ manifest: Manifest }>(mreg(['show', 'fraud/1', '--json'], { cwd }));
    assert.deepEqual(manifest.metrics, { accuracy: { value: 0.95 }, loss: { value: 0.3 } });
    assert.deepEqual(manifest.source, { inputs: ['model.onnx'], params: 'params.yaml', metrics: 'metrics.json' });
    assert.equal(manifest.lineage.git?.dirty, true);
    assert.deepEqual(manifest.lineage.git?.modified, ['train.py']);
    assert.deepEqual(manifest.lineage.git?.untracked, ['scratch.txt']);
    assert.deepEqual((manifest.lineage.environment.lockFiles as { packages: object }[])[0].packages, { torch: '2.3.1' });

    const bare = mreg(['register', 'fraud', 'model.onnx', '--no-discover', '--params', 'params.yaml', '--dry-run', '--json'], { cwd });
    const preview = json<{ manifest: Manifest }>(bare).manifest;
    assert.deepEqual(preview.metrics, {});
    assert.deepEqual(preview.lineage.params, { 'train.lr': 0.001, seed: 7 });
  });
});

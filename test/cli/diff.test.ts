import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { VersionColumns, VersionComparison } from '../../src/core/versionComparison';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

/** A git project with two registered versions and two commits between them. */
function project(): string {
  const cwd = writeFiles(tempFolder('cli-diff'), { 'model.onnx': 'weights one', 'vocab.json': '{"a":0}', 'data/train.csv': 'x\n1\n' });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'first model');
  const ok = (args: string[]) => assert.equal(mreg(args, { cwd }).status, 0);
  ok(['register', 'fraud', 'model.onnx', 'vocab.json', '--metric', 'auc=0.90', '--metric-direction', 'auc=max', '--metric', 'latency_ms=20', '--metric-direction', 'latency_ms=min', '--param', 'lr=0.01', '--param', 'dropout=0.1', '--data', 'data/train.csv']);
  writeFileSync(path.join(cwd, 'model.onnx'), 'weights two, longer');
  writeFileSync(path.join(cwd, 'data', 'train.csv'), 'x\n1\n2\n');
  git('commit', '-qam', 'more data');
  git('commit', '-q', '--allow-empty', '-m', 'tune the learning rate');
  ok(['register', 'fraud', 'model.onnx', 'vocab.json', '--metric', 'auc=0.93', '--metric-direction', 'auc=max', '--metric', 'latency_ms=25', '--metric-direction', 'latency_ms=min', '--param', 'lr=0.005', '--param', 'batch=64', '--data', 'data/train.csv']);
  return cwd;
}

describe('mreg diff', () => {
  let cwd: string;
  before(() => {
    cwd = project();
  });

  it('prints what changed as JSON: metrics with verdicts, params, artifacts, data and the commits between', () => {
    const result = mreg(['diff', 'fraud/1', 'fraud/2', '--json'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    const comparison = json<VersionComparison>(result);
    assert.deepEqual([comparison.before.ref, comparison.after.ref], ['fraud/1', 'fraud/2']);
    assert.deepEqual(comparison.metrics.map((m) => [m.name, m.verdict]), [['auc', 'better'], ['latency_ms', 'worse']]);
    assert.deepEqual(comparison.params.map((p) => [p.name, p.status]), [['batch', 'added'], ['dropout', 'removed'], ['lr', 'changed']]);
    assert.deepEqual(comparison.artifacts.map((a) => [a.path, a.status]), [['model.onnx', 'changed'], ['vocab.json', 'same']]);
    assert.deepEqual(comparison.lineage.data.map((d) => [d.uri, d.status]), [['data/train.csv', 'changed']]);
    assert.deepEqual(comparison.lineage.git.commitsBetween, { count: 2, subjects: ['tune the learning rate', 'more data'] });
    assert.equal(comparison.manifests.after.artifacts[0].size, 'weights two, longer'.length);
  });

  it('prints a readable report, accepts stage and alias references, and explains an unknown one', () => {
    assert.equal(mreg(['promote', 'fraud/1', 'production'], { cwd }).status, 0);
    const result = mreg(['diff', 'fraud@production', 'fraud/2'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^fraud\/1 → fraud\/2/);
    assert.match(result.stdout, /metrics: 1 better, 1 worse/);
    assert.match(result.stdout, /~ +auc +0\.9 +0\.93 +\+0\.03 +\+3\.33% +better/);
    assert.match(result.stdout, /\+ +batch +64/);
    assert.match(result.stdout, /2 commit\(s\) between\n +tune the learning rate\n +more data/);
    assert.doesNotMatch(result.stdout, /vocab\.json/, 'unchanged artifacts are left out of the text report');

    const missing = mreg(['diff', 'fraud/1', 'fraud/9'], { cwd });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^mreg: Model 'fraud' has no version 9/);
    assert.equal(mreg(['diff', 'fraud/1'], { cwd }).status, 2, 'a missing argument is a usage error');
  });

  it('shows three to five versions as columns with the best value of each metric marked, and refuses more', () => {
    assert.equal(mreg(['register', 'fraud', 'model.onnx', '--metric', 'auc=0.92', '--metric', 'latency_ms=15', '--param', 'lr=0.005', '--param', 'batch=32'], { cwd }).status, 0);
    const result = mreg(['diff', 'fraud/1', 'fraud/2', 'fraud/3', '--json'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    const columns = json<VersionColumns>(result);
    assert.deepEqual(columns.versions.map((version) => version.ref), ['fraud/1', 'fraud/2', 'fraud/3']);
    assert.deepEqual(columns.metrics.map((metric) => [metric.name, metric.direction, metric.values, metric.best]), [
      ['auc', 'max', [0.9, 0.93, 0.92], [1]],
      ['latency_ms', 'min', [20, 25, 15], [2]],
    ]);
    assert.deepEqual(columns.params.map((param) => [param.name, param.values, param.present, param.differs]), [
      ['batch', [null, 64, 32], [false, true, true], true],
      ['dropout', [0.1, null, null], [true, false, false], true],
      ['lr', [0.01, 0.005, 0.005], [true, true, true], true],
    ]);
    assert.deepEqual(columns.artifacts.map((artifact) => [artifact.path, artifact.differs]), [['model.onnx', true], ['vocab.json', true]], 'the weights changed after #1, the vocabulary is missing from #3');

    const text = mreg(['diff', 'fraud/3', 'fraud/1', 'fraud/2'], { cwd });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^fraud\/3 \| fraud\/1 \| fraud\/2/);
    assert.match(text.stdout, /auc +higher +0\.92 +0\.9 +0\.93 \*/);
    assert.match(text.stdout, /latency_ms +lower +15 \* +20 +25/);

    const tooMany = mreg(['diff', 'fraud/1', 'fraud/2', 'fraud/3', 'fraud/1', 'fraud/2', 'fraud/3'], { cwd });
    assert.equal(tooMany.status, 1);
    assert.match(tooMany.stderr, /Columns compare 2 to 5 versions; 6 were given/);
    assert.match(mreg(['diff', 'fraud/1', 'fraud/2', 'fraud/1'], { cwd }).stderr, /fraud\/1 is named twice/);
  });
});

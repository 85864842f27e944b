import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LineageGraph } from '../../src/core/lineageGraph';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

/**
 * A project where `features` outputs the table `fraud` is trained on, and `fraud` (in Production)
 * and `churn` share a labels file: the two relations the graph must show.
 */
function project(): string {
  const cwd = writeFiles(tempFolder('cli-lineage'), { 'out/features.csv': 'f1,f2\n0.1,0.2\n', 'data/labels.csv': 'y\n1\n0\n', 'fraud.bin': 'fraud weights', 'churn.bin': 'churn weights 1' });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'the project');
  const ok = (args: string[]) => {
    const result = mreg(args, { cwd });
    assert.equal(result.status, 0, result.stderr);
  };
  ok(['register', 'features', 'out/features.csv']);
  ok(['register', 'fraud', 'fraud.bin', '--data', 'out/features.csv', '--data', 'data/labels.csv']);
  ok(['promote', 'fraud/1', 'production']);
  ok(['alias', 'fraud/1', 'champion']);
  ok(['register', 'churn', 'churn.bin', '--data', 'data/labels.csv']);
  return cwd;
}

const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('mreg lineage', () => {
  let cwd: string;
  before(() => {
    cwd = project();
  });

  it('gives nodes and edges as JSON: trained on, built from commit, is Production of, produced, and shared data', () => {
    const result = mreg(['lineage', 'fraud@production', '--json'], { cwd });
    assert.equal(result.status, 0, result.stderr);
    const graph = json<LineageGraph>(result);
    const features = `data:sha256:${sha256Of(path.join(cwd, 'out/features.csv'))}`;
    const labels = `data:sha256:${sha256Of(path.join(cwd, 'data/labels.csv'))}`;
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const node = (id: string) => graph.nodes.find((candidate) => candidate.id === id);
    assert.deepEqual(
      graph.nodes.map((candidate) => candidate.id).sort(),
      ['alias:fraud/champion', `commit:${commit}`, features, labels, 'stage:fraud/Production', 'version:churn/1', 'version:features/1', 'version:fraud/1'].sort(),
    );
    const edges = graph.edges.map((edge) => `${edge.from} -${edge.label}-> ${edge.to}`).sort();
    assert.deepEqual(
      edges,
      [
        `${features} -trained on-> version:fraud/1`,
        `${labels} -trained on-> version:fraud/1`,
        `${labels} -trained on-> version:churn/1`,
        `commit:${commit} -built from commit-> version:fraud/1`,
        `commit:${commit} -built from commit-> version:churn/1`,
        `commit:${commit} -built from commit-> version:features/1`,
        'version:features/1 -produced-> ' + features,
        'version:fraud/1 -is Production of-> stage:fraud/Production',
        'version:fraud/1 -is @champion of-> alias:fraud/champion',
      ].sort(),
    );
    assert.equal(node('version:fraud/1')?.root, true);
    assert.deepEqual(node(labels)?.sharedBy, ['churn', 'fraud'], 'two models trained on the same labels');
    assert.equal(node(features)?.sharedBy, undefined, 'one model trained on the features');
    const feeding = graph.nodes.filter((candidate) => candidate.feedsProduction).map((candidate) => candidate.id).sort();
    assert.deepEqual(feeding, [`commit:${commit}`, features, labels, 'stage:fraud/Production', 'version:features/1', 'version:fraud/1'].sort(), "what Production depends on: its data, its commit, and the model whose output it was trained on — not churn");
  });

  it('prints the graph as sentences, starts from a data entry by path or hash, and collapses a large fan-out', () => {
    const text = mreg(['lineage', 'fraud/1'], { cwd });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^Lineage of fraud\/1: 8 nodes, 9 edges/);
    assert.match(text.stdout, /\nfraud\/1 +\(Production · @champion\) +\[start; Production depends on it\]\n +is Production of fraud\n/);
    assert.match(text.stdout, /\n +trained on data data\/labels\.csv\n/);
    assert.match(text.stdout, /\ndata out\/features\.csv .*\n +trained fraud\/1\n +produced by features\/1\n/);
    assert.match(text.stdout, /shared by 2 models: churn, fraud/);

    for (let n = 2; n <= 9; n++) {
      writeFileSync(path.join(cwd, 'churn.bin'), `churn weights ${n}`);
      assert.equal(mreg(['register', 'churn', 'churn.bin', '--data', 'data/labels.csv'], { cwd }).status, 0);
    }
    const labelsHash = sha256Of(path.join(cwd, 'data/labels.csv'));
    for (const subject of ['data/labels.csv', labelsHash, `data:sha256:${labelsHash}`]) {
      const result = mreg(['lineage', subject, '--fan-out', '3', '--json'], { cwd });
      assert.equal(result.status, 0, result.stderr);
      const graph = json<LineageGraph>(result);
      const root = graph.nodes.filter((candidate) => candidate.root).map((candidate) => candidate.id);
      assert.deepEqual(root, [`data:sha256:${labelsHash}`], subject);
      const trained = graph.edges.filter((edge) => edge.from === root[0] && edge.kind === 'trainedOn').map((edge) => edge.to);
      assert.deepEqual(trained, ['version:fraud/1', 'version:churn/9', 'version:churn/8'], 'Production first, then the newest');
      const more = graph.nodes.find((candidate) => candidate.kind === 'more');
      assert.equal(more?.label, '+7 versions', '10 versions trained on the labels, 3 drawn');
      assert.equal(more?.hidden, 7);
    }
    const model = json<LineageGraph>(mreg(['lineage', 'churn', '--fan-out', '2', '--depth', '1', '--json'], { cwd }));
    assert.deepEqual(model.nodes.filter((candidate) => candidate.root).map((candidate) => candidate.id), ['version:churn/9', 'version:churn/8']);
    assert.equal(model.nodes.find((candidate) => candidate.id === 'more:model:churn')?.label, '+7 versions');
  });

  it('says what is wrong with a subject that names nothing, and with a bad option', () => {
    const missing = mreg(['lineage', 'data/nothing.csv'], { cwd });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^mreg: No model and no data entry named 'data\/nothing\.csv'\. Name a version/);
    const hash = mreg(['lineage', '0'.repeat(64)], { cwd });
    assert.equal(hash.status, 1);
    assert.match(hash.stderr, /No version records data with the sha256 '0{64}'/);
    assert.match(mreg(['lineage', 'fraud/7'], { cwd }).stderr, /Model 'fraud' has no version 7/);
    assert.equal(mreg(['lineage', 'fraud/1', '--fan-out', '0'], { cwd }).status, 2);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { capturedPartsSummary } from '../../../src/core/textReports';
import { captureLineage } from '../../../src/lineage/captureLineage';
import { withCapturedLineage } from '../../../src/registry/registration/registerInput';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'lineage');
const BASELINE = '4f1c2a9e8b7d46c5a3e2f1d0c9b8a7e6';

/** The MLflow fixture project with a DVC-tracked data file beside it; its md5 computed by Python's hashlib. */
function project(): { root: string; dataMd5: string; dataSize: number } {
  const root = path.join(tempFolder('recipe'), 'wine');
  cpSync(path.join(FIXTURES, 'mlflow-project'), root, { recursive: true });
  const csv = 'fixed acidity,volatile acidity,quality\n7.4,0.7,5\n7.8,0.88,5\n';
  writeFileSync(path.join(root, 'wine.csv'), csv);
  const dataMd5 = execFileSync('python3', ['-c', 'import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())', csv], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(root, 'wine.csv.dvc'), `outs:\n- md5: ${dataMd5}\n  size: ${Buffer.byteLength(csv)}\n  hash: md5\n  path: wine.csv\n`);
  return { root, dataMd5, dataSize: Buffer.byteLength(csv) };
}

describe('a captured recipe, registered and searched', () => {
  it("finds MLflow's string params with numeric queries, and DVC data by its md5", async () => {
    const { root, dataMd5 } = project();
    const registry = await Registry.open({ folder: path.join(root, '.modelregistry'), actor: 'ci' });
    try {
      const model = path.join(root, 'mlruns', '0', BASELINE, 'artifacts', 'model');
      const captured = await captureLineage(root, { artifacts: [model], data: [path.join(root, 'wine.csv')] });
      await registry.register(withCapturedLineage({ model: 'WineQuality', paths: [model], git: null }, { ...captured, git: null }));
      const hits = (query: string): string[] => registry.search(query).map((hit) => `${hit.model}/${hit.number}`);
      assert.deepEqual(hits('params.alpha = 0.1'), ['WineQuality/1']);
      assert.deepEqual(hits('params.max_iter >= 1000 AND params.fit_intercept = true'), ['WineQuality/1']);
      assert.deepEqual(hits(`data.md5 = '${dataMd5}'`), ['WineQuality/1']);
      assert.deepEqual(hits(`data.md5 = '${'0'.repeat(32)}'`), []);
      const { manifest } = registry.version('WineQuality/1');
      const data = manifest.lineage.data.find((entry) => entry.uri === 'wine.csv');
      assert.deepEqual([data?.md5, data?.local], [dataMd5, 'verified']);
    } finally {
      await registry.close();
    }
  });

  it('prints the chosen run with its reason, and DVC warnings, in the summary', async () => {
    const { root, dataSize } = project();
    writeFileSync(path.join(root, 'wine.csv'), 'changed since dvc add\n');
    const captured = await captureLineage(root, { artifacts: [path.join(root, 'mlruns', '0', BASELINE, 'artifacts', 'model')] });
    const summary = capturedPartsSummary(captured);
    assert.match(summary, new RegExp(`run          mlflow ${BASELINE}, because MLflow run "baseline": mlruns/0/${BASELINE}/artifacts/model lies in the run's artifacts`));
    assert.match(summary, new RegExp(`WARNING      wine\\.csv is 22 bytes on disk where wine\\.csv\\.dvc records ${dataSize}`));
  });
});

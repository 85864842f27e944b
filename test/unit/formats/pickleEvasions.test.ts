import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { writeHostileModels, type HostileModel } from '../../support/hostileModels';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

describe('pickle scanner against hostile files', () => {
  let models: HostileModel[] = [];
  before(() => {
    models = writeHostileModels(tempFolder('hostile'));
  });

  it('has hostile files for every evasion class', () => {
    assert.deepEqual([...new Set(models.map((model) => model.evasion))].sort(), ['a', 'archive', 'b', 'c', 'd', 'e', 'f']);
  });

  for (const evasion of ['a', 'b', 'c', 'd', 'e', 'f', 'archive']) {
    it(`reports the real import of each class-(${evasion}) file as high severity`, async () => {
      for (const model of models.filter((candidate) => candidate.evasion === evasion)) {
        const name = path.basename(model.file);
        const inspection = await inspectArtifact(model.file);
        const high = inspection.findings.filter((finding) => finding.severity === 'high');
        for (const qualified of model.imports) {
          assert.ok(
            high.some((finding) => finding.message.includes(` ${qualified} `)),
            `${name}: no high finding names ${qualified}; findings: ${JSON.stringify(inspection.findings)}`,
          );
        }
        if (model.code) assert.ok(inspection.findings.some((finding) => finding.code === model.code), `${name}: no ${model.code} finding`);
      }
    });
  }
});

describe('pickle scanner on joblib files', () => {
  it('skips array data as joblib.load does, and scans the pickle of an object array written inline', async () => {
    const folder = tempFolder('joblib');
    execFileSync('python3', [path.join(__dirname, '..', '..', 'support', 'joblibLike.py'), folder], { stdio: ['ignore', 'ignore', 'inherit'] });
    // Its float data is bytes that would unpickle as os.system('id'): joblib.load reads them as floats.
    const benign = await inspectArtifact(path.join(folder, 'benign.joblib'));
    assert.deepEqual(benign.findings, []);
    assert.equal(benign.summary.pickleImports, 'joblib.numpy_pickle.NumpyArrayWrapper, numpy.ndarray, numpy.dtype');
    assert.equal(benign.summary.pickleScanComplete, true);
    const hostile = await inspectArtifact(path.join(folder, 'object-array.joblib'));
    assert.deepEqual(hostile.findings.map((finding) => [finding.severity, finding.code, finding.message.split(' (')[0]]), [['high', 'pickle.unsafe-import', `imports ${process.platform === 'win32' ? 'nt' : 'posix'}.system`]]);
    assert.equal(hostile.summary.pickleScanComplete, true);
  });
});

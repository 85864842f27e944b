import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FileReader, FormatProblem } from '../../../src/formats/byteReader';
import { inspectMlflowModel, parseMlflowModel, readMlflowModelRequirements } from '../../../src/formats/mlflowModel';

const MODEL_DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'lineage', 'mlflow-project', 'mlruns', '0', '4f1c2a9e8b7d46c5a3e2f1d0c9b8a7e6', 'artifacts', 'model');

/**
 * The signature as MLflow's Schema.to_json wrote it, read with Python's json from the MLmodel text
 * (the one-line `inputs: '…'` and `outputs: '…'` values), mapped as the README states: a column has
 * one value per row (shape [null] unless it records one), -1 is an unknown size, unnamed entries
 * are named by position.
 */
const SIGNATURE_TRUTH = String.raw`
import json, re, sys
text = open(sys.argv[1]).read()
def side(name):
    raw = re.search(r"^  %s: '(.*)'$" % name, text, re.M).group(1).replace("''", "'")
    out = []
    for i, e in enumerate(json.loads(raw)):
        nm = e.get('name', str(i))
        if e['type'] == 'tensor':
            spec = e['tensor-spec']
            out.append({'name': nm, 'elementType': spec['dtype'], 'shape': [None if d == -1 else d for d in spec['shape']]})
        else:
            t = e['type'] + ('<%s>' % e['items']['type'] if 'items' in e else '')
            out.append({'name': nm, 'elementType': t, 'shape': [None]})
    return out
print(json.dumps({'inputs': side('inputs'), 'outputs': side('outputs')}))
`;

describe('MLflow MLmodel', () => {
  it('gives the signature (columns with their types, tensor specs), flavors, run id and versions', async () => {
    const file = path.join(MODEL_DIR, 'MLmodel');
    const truth = JSON.parse(execFileSync('python3', ['-c', SIGNATURE_TRUTH, file], { encoding: 'utf8' })) as unknown;
    const reader = await FileReader.open(file);
    try {
      const inspection = await inspectMlflowModel(reader, file);
      assert.deepEqual(inspection.signature, truth);
      assert.deepEqual(inspection.summary, { flavors: 'python_function, sklearn', run_id: '4f1c2a9e8b7d46c5a3e2f1d0c9b8a7e6', mlflow_version: '2.16.2', python_version: '3.11.9', signature: 'mixed' });
      assert.equal(inspection.format, 'mlflow-model');
    } finally {
      await reader.close();
    }
  });

  it("reads MLflow 3's model_id, a tensor-only signature and a model without run_id", () => {
    const model = parseMlflowModel(
      [
        'artifact_path: null',
        'flavors:',
        '  pytorch:',
        '    pytorch_version: 2.4.0',
        'model_id: m-0a24c301ab8840bc9af390a84b80d1ca',
        'signature:',
        `  inputs: '[{"type": "tensor", "name": "pixels", "tensor-spec": {"dtype": "uint8", "shape": [-1, 300, 300, 3]}}]'`,
        `  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]'`,
      ].join('\n'),
      'MLmodel',
    );
    assert.deepEqual(model.signature, {
      inputs: [{ name: 'pixels', elementType: 'uint8', shape: [null, 300, 300, 3] }],
      outputs: [{ name: '0', elementType: 'float32', shape: [null, 2] }],
    });
    assert.equal(model.signatureKind, 'tensors');
    assert.equal(model.modelId, 'm-0a24c301ab8840bc9af390a84b80d1ca');
    assert.equal(model.runId, undefined);
  });

  it('says what is wrong with a broken MLmodel', () => {
    assert.throws(() => parseMlflowModel('flavors: [', 'MLmodel'), (error) => error instanceof FormatProblem && /not valid YAML/.test(error.message));
    assert.throws(() => parseMlflowModel('run_id: x\n', 'MLmodel'), (error) => error instanceof FormatProblem && /no 'flavors'/.test(error.message));
    assert.throws(() => parseMlflowModel("flavors: {sklearn: {}}\nsignature:\n  inputs: '[{\"type\": '\n", 'MLmodel'), (error) => error instanceof FormatProblem && /signature inputs are not valid JSON/.test(error.message));
    assert.throws(() => parseMlflowModel("flavors: {sklearn: {}}\nsignature:\n  inputs: '[{\"name\": \"x\"}]'\n", 'MLmodel'), (error) => error instanceof FormatProblem && /entry 0 has no type/.test(error.message));
  });

  it('reads the requirements beside it, never running anything', () => {
    assert.deepEqual(readMlflowModelRequirements(MODEL_DIR), {
      requirements: ['mlflow==2.16.2', 'cloudpickle==3.0.0', 'scikit-learn==1.5.1'],
      python: '3.11.9',
      conda: ['python=3.11.9', 'pip<=24.0', 'pip:mlflow==2.16.2', 'pip:scikit-learn==1.5.1'],
    });
  });
});

import assert from 'node:assert/strict';
import { runRecordChoices } from '../../../../src/extension/flows/runRecordChoices';
import { findParamsAndMetrics } from '../../../../src/lineage/paramsAndMetrics';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

describe('runRecordChoices (where the params and metrics of a version come from)', () => {
  const tempFolder = useTempFolders();

  it('offers "No metrics" beside the only metrics file, so another model’s metrics are not attached unasked', () => {
    const root = writeFiles(tempFolder('one-source'), { 'metrics.json': JSON.stringify({ auc: 0.93, f1: 0.8 }), 'churn.pkl': 'x' });
    const choices = runRecordChoices(findParamsAndMetrics(root), 'metrics');
    assert.deepEqual(choices.map((choice) => [choice.label, choice.candidate?.path ?? null]), [
      ['metrics.json', 'metrics.json'],
      ['$(circle-slash) No metrics', null],
    ]);
  });

  it('lists every source first and "none" last; nothing to ask when the project holds none of the kind', () => {
    const root = writeFiles(tempFolder('two-sources'), { 'params.json': JSON.stringify({ lr: 0.01 }), 'params.yaml': 'lr: 0.02\n' });
    const candidates = findParamsAndMetrics(root);
    const params = runRecordChoices(candidates, 'params');
    assert.deepEqual(params.map((choice) => choice.label).sort(), ['$(circle-slash) No params', 'params.json', 'params.yaml'].sort());
    assert.equal(params.at(-1)!.candidate, null);
    assert.deepEqual(runRecordChoices(candidates, 'metrics'), []);
  });
});

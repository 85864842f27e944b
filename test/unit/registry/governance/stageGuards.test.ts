import assert from 'node:assert/strict';
import path from 'node:path';
import { Registry } from '../../../../src/index';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

describe('stageGuards', () => {
  it('lists only the stages the policy guards, each evaluated as promote would, and writes nothing', async () => {
    const project = writeFiles(tempFolder('guards'), {
      'model.onnx': 'weights',
      '.modelregistry/policy.yaml': [
        'rules:',
        '  - models: fraud',
        '    stages: Staging',
        '    approvals: 2',
        '  - models: "fraud*"',
        '    stages: Production',
        '    thresholds: ["auc >= 0.9"]',
        '    allowOverride: true',
        '  - models: other',
        '    stages: Archived',
        '    approvals: 1',
        '',
      ].join('\n'),
    });
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice' });
    try {
      await registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null, metrics: { auc: 0.8 } });
      const request = await registry.requestApproval('fraud/1', 'Staging', { reason: 'shadow traffic' });
      const before = registry.log().length;
      const guards = registry.stageGuards('fraud/1');
      assert.equal(registry.log().length, before, 'evaluating records nothing');
      // None is where the version is; Archived is guarded only for another model.
      assert.deepEqual(guards.map((guard) => guard.stage), ['Staging', 'Production']);
      const [staging, production] = guards;
      assert.equal(staging.approvalsNeeded, 2);
      assert.deepEqual(staging.openRequests.map((open) => open.id), [request.id]);
      assert.deepEqual(staging.evaluation.results.map((result) => [result.kind, result.passed]), [['approvals', false]]);
      assert.equal(staging.evaluation.overridable, false, 'the Staging rule allows no override');
      assert.equal(production.approvalsNeeded, 0);
      assert.deepEqual(production.evaluation.results.map((result) => [result.rule, result.passed, result.detail]), [['auc >= 0.9', false, 'auc 0.8 (needs >= 0.9)']]);
      assert.equal(production.evaluation.overridable, true);
      // The same verdict as the evaluation promote makes.
      assert.deepEqual(production.evaluation, registry.promotionGates('fraud/1', 'Production'));
    } finally {
      await registry.close();
    }
  });

  it('is empty without a policy', async () => {
    const project = writeFiles(tempFolder('no-policy'), { 'model.onnx': 'weights' });
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice' });
    try {
      await registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null });
      assert.deepEqual(registry.stageGuards('fraud/1'), []);
    } finally {
      await registry.close();
    }
  });
});

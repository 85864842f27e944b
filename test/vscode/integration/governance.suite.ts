import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApprovalRequest } from '../../../src/core/governance/approvals';
import type { ModelVersion } from '../../../src/core/modelVersion';
import type { VersionPage } from '../../../src/extension/webviews/protocol';
import { host, mregAs } from './host';

/** Request Approval… and Override… run the registry calls of `mreg request` and `mreg promote --override --reason`. */
describe('Governance commands', () => {
  const root = () => host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  const policy = () => path.join(root(), '.modelregistry', 'policy.yaml');
  const registry = () => host.extension.session.get();
  after(() => rmSync(policy(), { force: true }));

  before(() => {
    writeFileSync(
      policy(),
      ['rules:', '  - models: gov-model', '    stages: Staging', '    approvals: 1', '  - models: gov-model', '    stages: Production', '    thresholds: ["auc >= 0.99"]', '    allowOverride: true', ''].join('\n'),
    );
    for (const [name, fill] of [['gov-1.bin', 11], ['gov-2.bin', 12]] as const) {
      writeFileSync(path.join(root(), 'models', name), Buffer.alloc(2048, fill));
      mregAs('alice@example.com', ['register', 'gov-model', path.join('models', name), '--metric', 'auc=0.95']);
    }
  });

  it('files an approval request from the editor, as mreg request does', async () => {
    const request = await host.vscode.commands.executeCommand<ApprovalRequest>('modelRegistry.requestApproval', 'gov-model/1', undefined, { stage: 'staging', reason: 'shadow traffic' });
    assert.equal(request.stage, 'Staging');
    assert.equal(request.status, 'pending');
    assert.equal(request.needed, 1);
    const listed = (await registry()).approvalRequests({ model: 'gov-model' });
    assert.deepEqual(listed.map((candidate) => [candidate.id, candidate.version, candidate.reason]), [[request.id, 1, 'shadow traffic']]);
  });

  it('leaves a promotion the gates refuse undone, without throwing, and shows the gates on the page', async () => {
    const refused = await host.vscode.commands.executeCommand<ModelVersion | undefined>('modelRegistry.promoteVersion', 'gov-model/2', undefined, { stage: 'Production', reason: 'try' });
    assert.equal(refused, undefined);
    assert.equal((await registry()).version('gov-model/2').stage, 'None');
    const panel = host.extension.versionPanels.showVersion((await registry()).version('gov-model/2'));
    const data = (await panel.pageData()) as VersionPage;
    assert.deepEqual(data.governance?.guards.map((guard) => [guard.stage, guard.evaluation.passed, guard.evaluation.overridable]), [['Staging', false, false], ['Production', false, true]]);
    panel.dispose();
  });

  it('overrides failing gates only where the policy allows it, with the reason recorded', async () => {
    const locked = await host.vscode.commands.executeCommand<ModelVersion | undefined>('modelRegistry.overridePromotion', 'gov-model/2', 'Staging', { reason: 'in a hurry' });
    assert.equal(locked, undefined, 'the Staging rule allows no override');
    assert.equal((await registry()).version('gov-model/2').stage, 'None');

    const promoted = await host.vscode.commands.executeCommand<ModelVersion>('modelRegistry.overridePromotion', 'gov-model/2', 'Production', { reason: 'hotfix' });
    assert.equal(promoted.stage, 'Production');
    const [event] = (await registry()).log({ model: 'gov-model' }).filter((candidate) => candidate.type === 'version.stage_changed' && candidate.version === 2);
    assert.equal(event.reason, 'hotfix');
    assert.equal((event.details as { gates?: { overridden?: boolean } }).gates?.overridden, true);
  });
});

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApprovalRequest } from '../../../src/core/governance/approvals';
import type { ApprovalRequestNode } from '../../../src/extension/tree/approvalsTreeProvider';
import { eventually, host, mregAs } from './host';

describe('Approvals', () => {
  const root = () => host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  const policy = () => path.join(root(), '.modelregistry', 'policy.yaml');
  after(() => rmSync(policy(), { force: true }));

  it('shows the comparison against Production; approving the last approval needed promotes, as the inline Approve does', async () => {
    writeFileSync(policy(), ['rules:', '  - models: review-model', '    stages: Production', '    approvals: 1', '    allowOverride: true', ''].join('\n'));
    for (const [name, fill] of [['review-1.bin', 1], ['review-2.bin', 2]] as const) {
      writeFileSync(path.join(root(), 'models', name), Buffer.alloc(2048, fill));
      mregAs('alice@example.com', ['register', 'review-model', path.join('models', name)]);
    }
    mregAs('alice@example.com', ['promote', 'review-model/1', 'production', '--override', '--reason', 'first release']);
    const request = JSON.parse(mregAs('alice@example.com', ['request', 'review-model/2', 'production', '--reason', 'better recall', '--json'])) as ApprovalRequest;

    const decided = await host.vscode.commands.executeCommand<ApprovalRequest>('modelRegistry.reviewApprovals', { request: request.id, decision: 'approve', reason: 'compared, fine' });
    assert.equal(decided.status, 'completed', 'the one approval needed carried out the move');
    assert.equal(decided.approvals.length, 1);
    assert.ok(host.extension.versionPanels.panel('comparison:review-model/1|review-model/2'), 'the comparison against Production was opened');
    assert.ok(host.extension.versionPanels.panel('details:review-model/2'), "the candidate's page, with its gates, was opened beside");
    assert.equal((await host.extension.session.get()).version('review-model@production').number, 2);
  });

  it('lists open requests in Pending Approvals, approves from the tree, and the promotion happens', async () => {
    writeFileSync(policy(), ['rules:', '  - models: tree-model', '    stages: [Staging, Production]', '    approvals: 1', ''].join('\n'));
    for (const [name, fill] of [['tree-1.bin', 3], ['tree-2.bin', 4]] as const) {
      writeFileSync(path.join(root(), 'models', name), Buffer.alloc(2048, fill));
      mregAs('alice@example.com', ['register', 'tree-model', path.join('models', name)]);
    }
    const rows = async () =>
      ((await host.extension.approvalsTree.getChildren()) as ApprovalRequestNode[])
        .filter((node) => node.request.model === 'tree-model')
        .map((node) => ({ node, label: String(node.toTreeItem().label), description: String(node.toTreeItem().description), context: node.toTreeItem().contextValue }));
    assert.deepEqual(await rows(), [], 'no request yet: the view is empty (its welcome text shows)');

    const toProduction = JSON.parse(mregAs('alice@example.com', ['request', 'tree-model/2', 'production', '--reason', 'ready', '--json'])) as ApprovalRequest;
    mregAs('alice@example.com', ['request', 'tree-model/1', 'staging', '--json']);
    const listed = await eventually(async () => {
      const shown = await rows();
      assert.equal(shown.length, 2, 'both requests appear without a manual refresh');
      return shown;
    }, 'the requests made in a terminal appear in Pending Approvals');
    const row = listed.find((candidate) => candidate.node.request.id === toProduction.id)!;
    assert.equal(row.label, 'tree-model/2 → Production');
    assert.equal(row.description, '0 of 1 approval(s) · alice@example.com');
    assert.equal(row.context, 'approvalRequest.pending');

    await host.vscode.commands.executeCommand('modelRegistry.approveRequest', row.node, { reason: 'looks good' });
    const registry = await host.extension.session.get();
    assert.equal(registry.version('tree-model@production').number, 2, 'approving the last needed approval promoted the version');
    const request = registry.approvalRequests({ model: 'tree-model' }).find((candidate) => candidate.id === toProduction.id)!;
    assert.equal(request.status, 'completed');
    assert.equal(request.approvals[0].reason, 'looks good');

    const staging = (await rows()).find((candidate) => candidate.label === 'tree-model/1 → Staging')!;
    await host.vscode.commands.executeCommand('modelRegistry.rejectRequest', staging.node, { reason: 'superseded by 2' });
    await eventually(async () => assert.deepEqual(await rows(), []), 'decided requests leave the view');
    assert.equal(registry.version('tree-model/1').stage, 'None');
  });
});

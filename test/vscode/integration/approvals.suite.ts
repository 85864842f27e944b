import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApprovalRequest } from '../../../src/core/governance/approvals';
import { host } from './host';

/** mreg in a terminal, as another person (the registrant may not approve their own version). */
function mregAs(actor: string, args: string[]): string {
  const cli = process.env.MODEL_REGISTRY_TEST_CLI;
  assert.ok(cli, 'MODEL_REGISTRY_TEST_CLI names the built mreg');
  const cwd = host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  return execFileSync(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MREG_ACTOR: actor }, encoding: 'utf8' });
}

describe('Approvals', () => {
  const root = () => host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  const policy = () => path.join(root(), '.modelregistry', 'policy.yaml');
  after(() => rmSync(policy(), { force: true }));

  it('shows the comparison against Production, then records the approval that opens the gate', async () => {
    writeFileSync(policy(), ['rules:', '  - models: review-model', '    stages: Production', '    approvals: 1', '    allowOverride: true', ''].join('\n'));
    for (const [name, fill] of [['review-1.bin', 1], ['review-2.bin', 2]] as const) {
      writeFileSync(path.join(root(), 'models', name), Buffer.alloc(2048, fill));
      mregAs('alice@example.com', ['register', 'review-model', path.join('models', name)]);
    }
    mregAs('alice@example.com', ['promote', 'review-model/1', 'production', '--override', '--reason', 'first release']);
    const request = JSON.parse(mregAs('alice@example.com', ['request', 'review-model/2', 'production', '--reason', 'better recall', '--json'])) as ApprovalRequest;

    const decided = await host.vscode.commands.executeCommand<ApprovalRequest>('modelRegistry.reviewApprovals', { request: request.id, decision: 'approve', reason: 'compared, fine' });
    assert.equal(decided.status, 'approved');
    assert.equal(decided.approvals.length, 1);
    assert.ok(host.extension.versionPanels.panel('comparison:review-model/1|review-model/2'), 'the comparison against Production was opened');
    mregAs('alice@example.com', ['promote', 'review-model/2', 'production']);
    assert.equal((await host.extension.session.get()).version('review-model@production').number, 2);
  });
});

import assert from 'node:assert/strict';
import type { ApprovalRequest } from '../../../../src/core/governance/approvals';
import type { GateEvaluation, GateResult } from '../../../../src/core/governance/promotionGates';
import { approvalsMissing, stageGuardHint } from '../../../../src/extension/flows/stageGuardHints';
import type { StageGuard } from '../../../../src/registry/registry';

const result = (kind: GateResult['kind'], rule: string, passed: boolean, overridable = false): GateResult => ({ kind, rule, passed, detail: '', overridable });

function guard(results: GateResult[], approvalsNeeded: number, openRequests: Partial<ApprovalRequest>[] = []): StageGuard {
  const failed = results.filter((candidate) => !candidate.passed);
  const evaluation: GateEvaluation = { model: 'fraud', version: 3, stage: 'Production', production: 2, passed: failed.length === 0, overridable: failed.length > 0 && failed.every((candidate) => candidate.overridable), results, approvalRequests: [] };
  return { stage: 'Production', approvalsNeeded, evaluation, openRequests: openRequests.map((request) => ({ id: 'r1', status: 'pending', approvals: [], needed: approvalsNeeded, ...request }) as ApprovalRequest) };
}

describe('stageGuardHint', () => {
  it('names the approvals needed and where they stand', () => {
    const approvals = result('approvals', '2 approval(s) by others than the registrant', false);
    assert.equal(stageGuardHint(guard([approvals], 2)), 'guarded · needs 2 approvals (no request yet) · no override');
    assert.equal(stageGuardHint(guard([approvals], 2, [{ approvals: [{ actor: 'bob', time: '', reason: null }] }])), 'guarded · needs 2 approvals (1 so far, request r1 open) · no override');
    assert.equal(stageGuardHint(guard([{ ...approvals, passed: true }], 1, [{ status: 'approved' }])), 'guarded · needs 1 approval (request r1 approved)');
  });

  it('lists the failing gates, or says they all pass, and whether an override is allowed', () => {
    const auc = result('threshold', 'auc >= 0.9', false, true);
    const clean = result('cleanGitTree', 'registered from a clean git tree', true, true);
    assert.equal(stageGuardHint(guard([auc, clean], 0)), 'guarded · 1 of 2 gate(s) fail: auc >= 0.9 · override allowed');
    assert.equal(stageGuardHint(guard([{ ...auc, passed: true }, clean], 0)), 'guarded · all 2 gates pass: auc >= 0.9, registered from a clean git tree');
    assert.equal(stageGuardHint(guard([{ ...auc, passed: true }], 0)), 'guarded · its gate passes: auc >= 0.9');
    assert.equal(stageGuardHint(guard([auc, result('approvals', '1 approval(s)', false)], 1)), 'guarded · needs 1 approval (no request yet) · 1 of 1 gate(s) fail: auc >= 0.9 · no override');
  });

  it('tells missing approvals from other failures', () => {
    assert.equal(approvalsMissing(guard([result('approvals', 'a', false)], 1).evaluation), true);
    assert.equal(approvalsMissing(guard([result('approvals', 'a', true), result('threshold', 'auc >= 0.9', false)], 1).evaluation), false);
  });
});

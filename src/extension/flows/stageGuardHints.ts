import type { GateEvaluation } from '../../core/governance/promotionGates';
import type { StageGuard } from '../../registry/registry';

/**
 * What a person reads about a guarded stage before choosing it: the approvals it needs and what its
 * gates say now. Plain text (no vscode), so pickers, notifications and tests share it.
 */

/** Whether the approvals a stage needs are what is missing (someone else must act first). */
export function approvalsMissing(evaluation: GateEvaluation): boolean {
  return evaluation.results.some((result) => result.kind === 'approvals' && !result.passed);
}

/** The failing rules, as the policy words them. */
export function failingRules(evaluation: GateEvaluation): string[] {
  return evaluation.results.filter((result) => !result.passed).map((result) => result.rule);
}

/** One line for the stage picker: "guarded · needs 1 approval (none yet) · 1 of 2 rules fail: auc >= 0.9 · override allowed". */
export function stageGuardHint(guard: StageGuard): string {
  const { evaluation } = guard;
  const parts = ['guarded'];
  if (guard.approvalsNeeded > 0) parts.push(`needs ${approvalCount(guard.approvalsNeeded)} (${approvalProgress(guard)})`);
  const others = evaluation.results.filter((result) => result.kind !== 'approvals');
  const failing = others.filter((result) => !result.passed);
  if (others.length > 0) {
    parts.push(failing.length === 0 ? `${others.length === 1 ? 'its gate passes' : `all ${others.length} gates pass`}: ${others.map((result) => result.rule).join(', ')}` : `${failing.length} of ${others.length} gate(s) fail: ${failing.map((result) => result.rule).join(', ')}`);
  }
  if (!evaluation.passed) parts.push(evaluation.overridable ? 'override allowed' : 'no override');
  return parts.join(' · ');
}

/** "none yet", "1 so far, request 1a2b3c4d open", "approved". */
function approvalProgress(guard: StageGuard): string {
  const open = guard.openRequests[0];
  if (!open) return 'no request yet';
  if (open.status === 'approved') return `request ${open.id} approved`;
  return `${open.approvals.length} so far, request ${open.id} open`;
}

export function approvalCount(count: number): string {
  return `${count} approval${count === 1 ? '' : 's'}`;
}

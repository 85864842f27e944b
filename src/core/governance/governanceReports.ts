import { table } from '../textReports';
import type { ApprovalRequest } from './approvals';
import type { GateEvaluation } from './promotionGates';

/** Plain-text reports of gates and approval requests, for `mreg` and the extension's documents. */

export function gateEvaluationText(evaluation: GateEvaluation): string {
  const heading = `Gates for ${evaluation.model}/${evaluation.version} → ${evaluation.stage}${evaluation.production === null ? '' : ` (Production: ${evaluation.model}/${evaluation.production})`}`;
  if (evaluation.results.length === 0) return `${heading}: no policy rule applies.`;
  const rows = evaluation.results.map((result) => [result.passed ? 'PASS' : 'FAIL', result.rule, result.detail]);
  const failed = evaluation.results.filter((result) => !result.passed).length;
  const summary = failed === 0 ? `all ${evaluation.results.length} rule(s) pass` : `${failed} of ${evaluation.results.length} rule(s) fail`;
  return `${heading}: ${summary}\n${table(['RESULT', 'RULE', 'DETAIL'], rows)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
}

export function approvalRequestsText(requests: ApprovalRequest[]): string {
  if (requests.length === 0) return 'No approval requests.';
  return table(
    ['ID', 'VERSION', 'STAGE', 'STATUS', 'APPROVALS', 'REQUESTED BY', 'REQUESTED', 'REASON'],
    requests.map((request) => [
      request.id,
      `${request.model}/${request.version}`,
      request.stage,
      request.status,
      `${request.approvals.length}/${request.needed}${request.approvals.length ? ` (${request.approvals.map((approval) => approval.actor).join(', ')})` : ''}`,
      request.requestedBy,
      request.requestedAt,
      request.status === 'rejected' ? `rejected: ${request.rejections.map((rejection) => rejection.reason ?? '').join('; ')}` : request.reason,
    ]),
  );
}

export function approvalRequestLine(request: ApprovalRequest): string {
  return `Request ${request.id}: ${request.model}/${request.version} → ${request.stage}, ${request.status} (${request.approvals.length} of ${request.needed} approval(s))`;
}

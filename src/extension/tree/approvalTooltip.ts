import type { ApprovalRequest } from '../../core/governance/approvals';
import { formatRef } from '../../core/refs';
import { escapeMarkdown } from '../markdownText';

/**
 * The Pending Approvals hover, as markdown. Every value came from the registry, possibly from
 * another machine's batch, and is escaped; only the bold title is markdown of ours.
 */
export function approvalTooltipMarkdown(request: ApprovalRequest): string {
  const approvers = request.approvals.length > 0 ? ` (${request.approvals.map((decision) => decision.actor).join(', ')})` : '';
  return [
    `**${escapeMarkdown(`${formatRef(request.model, request.version)} → ${request.stage}`)}** ${escapeMarkdown(`(request ${request.id})`)}`,
    escapeMarkdown(`Requested by ${request.requestedBy} on ${request.requestedAt}${request.reason ? `: ${request.reason}` : ''}`),
    escapeMarkdown(`Approvals: ${request.approvals.length} of ${request.needed}${approvers}`),
  ].join('\n\n');
}

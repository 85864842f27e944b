import type { AuditEvent } from '../modelVersion';
import { isStage, type Stage } from '../stage';

export const APPROVAL_EVENT_TYPES = ['approval.requested', 'approval.approved', 'approval.rejected', 'version.stage_changed'] as const;

/**
 * pending: fewer approvals than the policy asks for; approved: enough, ready to promote;
 * rejected: a reviewer said no; completed: the version has since reached the stage.
 */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'completed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalDecision {
  actor: string;
  time: string;
  reason: string | null;
}

/** A request to move a version into a stage, with the reviews it received, rebuilt from the audit log. */
export interface ApprovalRequest {
  id: string;
  model: string;
  version: number;
  stage: Stage;
  requestedBy: string;
  requestedAt: string;
  reason: string | null;
  status: ApprovalStatus;
  approvals: ApprovalDecision[];
  rejections: ApprovalDecision[];
  /** Approvals the policy asks for (the most any matching rule asks). */
  needed: number;
}

/** Rebuilds requests from approval and stage-change events (any order; sorted by sequence here). */
export function approvalRequestsFromEvents(events: readonly AuditEvent[], needed: (model: string, stage: Stage) => number): ApprovalRequest[] {
  const byId = new Map<string, ApprovalRequest>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const details = (event.details ?? {}) as { id?: unknown; stage?: unknown; to?: unknown };
    if (event.type === 'approval.requested') {
      if (typeof details.id !== 'string' || !isStage(details.stage) || event.model === null || event.version === null) continue;
      byId.set(details.id, {
        id: details.id,
        model: event.model,
        version: event.version,
        stage: details.stage,
        requestedBy: event.actor,
        requestedAt: event.time,
        reason: event.reason,
        status: 'pending',
        approvals: [],
        rejections: [],
        needed: needed(event.model, details.stage),
      });
    } else if (event.type === 'approval.approved' || event.type === 'approval.rejected') {
      const request = typeof details.id === 'string' ? byId.get(details.id) : undefined;
      if (!request) continue;
      const decision = { actor: event.actor, time: event.time, reason: event.reason };
      (event.type === 'approval.approved' ? request.approvals : request.rejections).push(decision);
    } else if (event.type === 'version.stage_changed') {
      for (const request of byId.values()) {
        if (request.model === event.model && request.version === event.version && request.stage === details.to && request.status !== 'rejected') request.status = 'completed';
      }
    }
  }
  for (const request of byId.values()) {
    if (request.status === 'completed') continue;
    if (request.rejections.length > 0) request.status = 'rejected';
    else request.status = countApprovals(request, undefined) >= request.needed ? 'approved' : 'pending';
  }
  return [...byId.values()];
}

/** Distinct approvers, leaving out `registrant` (who may not approve their own version). */
export function countApprovals(request: ApprovalRequest, registrant: string | undefined): number {
  return new Set(request.approvals.map((approval) => approval.actor).filter((actor) => actor !== registrant)).size;
}

import { APPROVAL_EVENT_TYPES, approvalRequestsFromEvents, type ApprovalRequest } from '../../core/governance/approvals';
import { rulesFor, type Policy } from '../../core/governance/policy';
import { RegistryError } from '../../core/registryError';
import type { Stage } from '../../core/stage';
import type { RegistryEngine } from '../registryEngine';

/**
 * Approval requests as the audit log holds them, read back: what the approval workflow changes and
 * the promotion gates count. Apart from the workflow, so that the gates (which promoting evaluates,
 * and approving promotes) do not import the workflow back.
 */

/** The request still open (pending or approved) for moving a version into a stage, if any. */
export function openRequestFor(engine: RegistryEngine, policy: Policy, model: string, number: number, stage: Stage): ApprovalRequest | undefined {
  return openRequestsFor(engine, policy, model, number, stage)[0];
}

/** Every request still open (pending or approved) for moving a version into a stage. */
export function openRequestsFor(engine: RegistryEngine, policy: Policy, model: string, number: number, stage: Stage): ApprovalRequest[] {
  return readApprovalRequests(engine, policy, model).filter(
    (request) => request.version === number && request.stage === stage && (request.status === 'pending' || request.status === 'approved'),
  );
}

export function findApprovalRequest(engine: RegistryEngine, policy: Policy, id: string): ApprovalRequest {
  const model = engine.queries.modelOfApprovalRequest(id);
  const request = model === undefined ? undefined : readApprovalRequests(engine, policy, model).find((candidate) => candidate.id === id);
  if (!request) throw new RegistryError('NOT_FOUND', `No approval request '${id}'. List them with: mreg requests`);
  return request;
}

export function readApprovalRequests(engine: RegistryEngine, policy: Policy, model?: string): ApprovalRequest[] {
  const decisions = APPROVAL_EVENT_TYPES.filter((type) => type !== 'version.stage_changed').flatMap((type) => engine.queries.events({ model, type }));
  // Stage changes complete requests; only those of models that have requests can, and a large registry has many.
  const requested = new Set(decisions.flatMap((event) => (event.type === 'approval.requested' && event.model !== null ? [event.model] : [])));
  const events = [...decisions, ...[...requested].flatMap((name) => engine.queries.events({ model: name, type: 'version.stage_changed' }))];
  // A request for a version deleted since asks for nothing any more: it leaves the lists with its version.
  const deleted = new Set([...requested].flatMap((name) => engine.queries.events({ model: name, type: 'version.deleted' }).map((event) => `${name}/${String(event.version)}`)));
  return approvalRequestsFromEvents(events, (name, stage) => approvalsNeeded(policy, name, stage)).filter((request) => !deleted.has(`${request.model}/${request.version}`));
}

/** Approvals the policy asks for moving a version of `model` into `stage`: the most any matching rule asks. */
export function approvalsNeeded(policy: Policy, model: string, stage: Stage): number {
  return Math.max(0, ...rulesFor(policy, model, stage).map((rule) => rule.approvals ?? 0));
}

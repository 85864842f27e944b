import { randomBytes } from 'node:crypto';
import type { ApprovalRequest } from '../../core/governance/approvals';
import { GateFailedError, type GateEvaluation } from '../../core/governance/promotionGates';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef, type Ref } from '../../core/refs';
import { RegistryError } from '../../core/registryError';
import type { Stage } from '../../core/stage';
import { promoteVersion } from '../lifecycle/stageChanges';
import { toRef } from '../refArgument';
import type { RegistryEngine } from '../registryEngine';
import { findApprovalRequest, openRequestFor, readApprovalRequests } from './approvalRequestLog';

/** Approval requests, oldest first; `pending` keeps those still waiting for approvals. */
export function approvalRequests(engine: RegistryEngine, options: { model?: string; pending?: boolean } = {}): ApprovalRequest[] {
  engine.refresh();
  const requests = readApprovalRequests(engine, engine.policy(), options.model);
  return options.pending ? requests.filter((request) => request.status === 'pending') : requests;
}

/** Asks reviewers to approve moving a version into a stage. */
export async function requestApproval(engine: RegistryEngine, ref: string | Ref, stage: Stage, options: { reason?: string } = {}): Promise<ApprovalRequest> {
  const policy = engine.policy();
  const id = randomBytes(4).toString('hex');
  return engine.mutate(() => {
    const version = engine.queries.find(toRef(ref));
    if (version.stage === stage) throw new RegistryError('CONFLICT', `${formatRef(version.model, version.number)} is already in ${stage}; there is nothing to approve.`);
    const open = openRequestFor(engine, policy, version.model, version.number, stage);
    if (open) throw new RegistryError('DUPLICATE', `Request ${open.id} already asks to move ${formatRef(version.model, version.number)} to ${stage} (${open.status}); approve it with: mreg approve ${open.id}`);
    return {
      drafts: [{ type: 'approval.requested', model: version.model, version: version.number, payload: { id, stage }, reason: options.reason }],
      result: () => findApprovalRequest(engine, policy, id),
    };
  });
}

/**
 * Records a reviewer's decision on a request. The approver may not be the version's registrant,
 * and each reviewer decides once; a rejection needs a reason.
 */
export async function decideApproval(engine: RegistryEngine, id: string, type: 'approval.approved' | 'approval.rejected', reason: string | undefined): Promise<ApprovalRequest> {
  if (type === 'approval.rejected' && !reason?.trim()) throw new RegistryError('INVALID_INPUT', 'A rejection needs a reason, so the requester knows what to change: --reason "<why>".');
  const actor = await engine.actor();
  const policy = engine.policy();
  return engine.mutate(() => {
    const request = findApprovalRequest(engine, policy, id);
    if (request.status === 'rejected' || request.status === 'completed') throw new RegistryError('CONFLICT', `Request ${id} is ${request.status}; file a new one with: mreg request ${request.model}/${request.version} ${request.stage}`);
    const version = engine.queries.find({ model: request.model, selector: { kind: 'number', number: request.version } });
    if (type === 'approval.approved' && actor === version.createdBy) {
      throw new RegistryError('CONFLICT', `${actor} registered ${formatRef(request.model, request.version)} and so cannot approve it; someone else must (set MREG_ACTOR or git user.email to who is acting).`);
    }
    if ([...request.approvals, ...request.rejections].some((decision) => decision.actor === actor)) throw new RegistryError('DUPLICATE', `${actor} has already reviewed request ${id}.`);
    return { drafts: [{ type, model: request.model, version: request.version, payload: { id }, reason }], result: () => findApprovalRequest(engine, policy, id) };
  });
}

/** What approving did: the request as it stands, and the move it asked for when that was carried out or refused. */
export interface ApprovalOutcome {
  request: ApprovalRequest;
  /** The version in its new stage, when this approval was the last one needed and the gates passed. */
  promoted?: ModelVersion;
  /** The gates' evaluation: recorded with the promotion, or why the approved version could not move yet. */
  gates?: GateEvaluation;
}

/**
 * Approves a request and, once it has every approval it needs, carries out the move it asked for,
 * with the policy's gates evaluated as `promote` evaluates them. A request already approved (its
 * move refused earlier by another gate) is only retried. When other gates still fail the approval
 * stays recorded and `promoted` is absent: `gates` says what holds the version back.
 */
export async function approveAndPromote(engine: RegistryEngine, id: string, options: { reason?: string } = {}): Promise<ApprovalOutcome> {
  engine.refresh();
  let request = findApprovalRequest(engine, engine.policy(), id);
  if (request.status !== 'approved') request = await decideApproval(engine, id, 'approval.approved', options.reason);
  if (request.status !== 'approved') return { request };
  let gates: GateEvaluation | undefined;
  try {
    const promoted = await promoteVersion(engine, { model: request.model, selector: { kind: 'number', number: request.version } }, request.stage, {
      reason: `approved request ${request.id}`,
      onGates: (evaluation) => (gates = evaluation),
    });
    return { request: findApprovalRequest(engine, engine.policy(), id), promoted, gates };
  } catch (error) {
    if (error instanceof GateFailedError) return { request, gates: error.evaluation };
    throw error;
  }
}

import type { ApprovalRequest } from '../../core/governance/approvals';
import { rulesFor } from '../../core/governance/policy';
import { evaluateGates, type GateEvaluation } from '../../core/governance/promotionGates';
import type { Ref } from '../../core/refs';
import { STAGES, type Stage } from '../../core/stage';
import { toRef } from '../refArgument';
import type { RegistryEngine } from '../registryEngine';
import { approvalsNeeded } from './approvalRequestLog';
import { gateInput } from './promotionGateCheck';

/** A stage the policy guards for one version: what it asks, and what its gates say about the move now. */
export interface StageGuard {
  stage: Stage;
  /** Approvals by others than the registrant the move needs (0 when no rule asks for any). */
  approvalsNeeded: number;
  /** The gates evaluated as `promote` would evaluate them now; nothing is recorded. */
  evaluation: GateEvaluation;
  /** Requests still open (pending or approved) for this move. */
  openRequests: ApprovalRequest[];
}

/**
 * Every stage a version could move to that the project's policy guards, each with its gates
 * evaluated read-only: what a person should know before choosing a stage, and what the version's
 * page shows. Stages no rule guards are left out (moving there is never refused).
 */
export function stageGuards(engine: RegistryEngine, ref: string | Ref): StageGuard[] {
  engine.refresh();
  const policy = engine.policy();
  const version = engine.queries.find(toRef(ref));
  return STAGES.filter((stage) => stage !== version.stage).flatMap((stage) => {
    const rules = rulesFor(policy, version.model, stage);
    if (rules.length === 0) return [];
    const input = gateInput(engine, version, stage, policy);
    return [{ stage, approvalsNeeded: approvalsNeeded(policy, version.model, stage), evaluation: evaluateGates(input, rules), openRequests: input.requests }];
  });
}

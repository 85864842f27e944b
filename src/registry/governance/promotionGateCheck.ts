import type { Policy } from '../../core/governance/policy';
import { rulesFor } from '../../core/governance/policy';
import { evaluateGates, type GateEvaluation, type GateInput } from '../../core/governance/promotionGates';
import type { ModelVersion } from '../../core/modelVersion';
import type { Ref } from '../../core/refs';
import type { Stage } from '../../core/stage';
import { toRef } from '../refArgument';
import type { RegistryEngine } from '../registryEngine';
import { openRequestsFor } from './approvalRequestLog';

/** What the policy's gates say about moving `ref` into `stage` now, without changing anything. */
export function promotionGates(engine: RegistryEngine, ref: string | Ref, stage: Stage, policy: Policy = engine.policy()): GateEvaluation {
  engine.refresh();
  const version = engine.queries.find(toRef(ref));
  return evaluateGates(gateInput(engine, version, stage, policy), rulesFor(policy, version.model, stage));
}

/** What gate evaluation needs, read from the database as it is now (callers hold the lock or have refreshed). */
export function gateInput(engine: RegistryEngine, version: ModelVersion, stage: Stage, policy: Policy): GateInput {
  const production = engine.queries.versionsInStage('Production', version.model).find((candidate) => candidate.number !== version.number);
  return {
    candidate: { ...version, manifest: engine.manifestOf(version) },
    stage,
    production: production && { ...production, manifest: engine.manifestOf(production) },
    requests: openRequestsFor(engine, policy, version.model, version.number, stage),
  };
}

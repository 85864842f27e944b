import type { EventDraft } from '../../core/events';
import { rulesFor } from '../../core/governance/policy';
import { evaluateGates, GateFailedError, type GateEvaluation } from '../../core/governance/promotionGates';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef, type Ref } from '../../core/refs';
import { RegistryError } from '../../core/registryError';
import type { Stage } from '../../core/stage';
import { stageChanges, versionsInStageAt, type StageAtTime, type StageChange } from '../../core/stageHistory';
import { gateInput } from '../governance/promotionGateCheck';
import type { RegistryEngine } from '../registryEngine';
import { toRef } from '../refArgument';

export interface PromoteOptions {
  reason?: string;
  /** Bypass failing gates where the policy allows it; needs a reason and is logged as an override. */
  override?: boolean;
  /** Called with the gates' evaluation when the policy guards the move. */
  onGates?: (evaluation: GateEvaluation) => void;
}

/**
 * Moves a version to a stage; promoting to Production archives the previous Production version.
 * When the project's policy guards the move, its gates are evaluated under the writer lock and a
 * failure throws GateFailedError (nothing changes) unless `override` is given with a reason and
 * the policy allows it. `onGates` sees the evaluation that was recorded with the event.
 */
export async function promoteVersion(engine: RegistryEngine, ref: string | Ref, stage: Stage, options: PromoteOptions = {}): Promise<ModelVersion> {
  if (options.override && !options.reason?.trim()) throw new RegistryError('INVALID_INPUT', 'An override needs a reason, for the audit log: --override --reason "<why the gates are bypassed>".');
  const policy = engine.policy();
  return engine.mutate(() => {
    const version = engine.queries.find(toRef(ref));
    if (version.stage === stage) throw new RegistryError('CONFLICT', `${formatRef(version.model, version.number)} is already in ${stage}.`);
    const drafts = planStageChange(engine, version.model, version.number, version.stage, stage, options.reason);
    const rules = rulesFor(policy, version.model, stage);
    if (rules.length > 0) {
      const evaluation = evaluateGates(gateInput(engine, version, stage, policy), rules);
      if (!evaluation.passed && !(options.override && evaluation.overridable)) throw new GateFailedError(evaluation, options.override === true);
      const own = drafts[drafts.length - 1];
      if (own.type === 'version.stage_changed') {
        own.payload.gates = {
          passed: evaluation.passed,
          ...(evaluation.passed ? {} : { overridden: true as const }),
          results: evaluation.results.map(({ kind, rule, passed, detail }) => ({ kind, rule, passed, detail })),
          approvalRequests: evaluation.approvalRequests,
        };
      }
      options.onGates?.(evaluation);
    }
    return { drafts, result: () => engine.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }) };
  });
}

/** The events of one stage change; into Production, the version there now is archived first. */
export function planStageChange(engine: RegistryEngine, model: string, number: number, from: Stage, to: Stage, reason: string | undefined): EventDraft[] {
  const drafts: EventDraft[] = [];
  if (to === 'Production') {
    for (const current of engine.queries.versionsInStage('Production', model)) {
      if (current.number === number) continue;
      drafts.push({
        type: 'version.stage_changed',
        model,
        version: current.number,
        payload: { from: 'Production', to: 'Archived', supersededBy: number },
        reason: `superseded by ${formatRef(model, number)}`,
      });
    }
  }
  drafts.push({ type: 'version.stage_changed', model, version: number, payload: { from, to }, reason });
  return drafts;
}

/** A model's stage changes, oldest first, as the audit log records them. */
export function stageChangesOf(engine: RegistryEngine, model: string): StageChange[] {
  return stageChanges(engine.queries.events({ model, type: 'version.stage_changed' }));
}

/** A model's stage changes, oldest first; with `asOf`, also which versions held the stage then. */
export function stageHistory(engine: RegistryEngine, model: string, options: { stage?: Stage; asOf?: Date } = {}): { changes: StageChange[]; asOf?: StageAtTime } {
  engine.refresh();
  const all = stageChangesOf(engine, model);
  const changes = options.stage === undefined ? all : all.filter((change) => change.from === options.stage || change.to === options.stage);
  return { changes, asOf: options.asOf === undefined ? undefined : versionsInStageAt(all, options.stage ?? 'Production', options.asOf) };
}

import type { EventDraft } from '../../core/events';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { RegistryError } from '../../core/registryError';
import { previousProductionVersion } from '../../core/stageHistory';
import type { RegistryEngine } from '../registryEngine';
import { stageChangesOf } from './stageChanges';

export interface RollbackPlan {
  current: ModelVersion;
  target: ModelVersion;
}

/** What a rollback of the model's Production would do, or an error saying why it cannot. */
export function rollbackPlan(engine: RegistryEngine, model: string): RollbackPlan {
  engine.refresh();
  return planRollback(engine, model);
}

/** Returns Production to the version that held it before the current one, in one step. */
export async function rollBackProduction(engine: RegistryEngine, model: string, options: { reason: string }): Promise<RollbackPlan> {
  if (!options.reason.trim()) throw new RegistryError('INVALID_INPUT', 'A rollback needs a reason, for the audit log: say why Production goes back (e.g. --reason "latency regression").');
  return engine.mutate(() => {
    const { current, target } = planRollback(engine, model);
    const because = `rollback from ${formatRef(model, current.number)}: ${options.reason}`;
    const drafts: EventDraft[] = [
      { type: 'version.stage_changed', model, version: current.number, payload: { from: 'Production', to: 'Archived', supersededBy: target.number, rollback: true }, reason: because },
      { type: 'version.stage_changed', model, version: target.number, payload: { from: target.stage, to: 'Production', rollback: true }, reason: because },
    ];
    const find = (number: number) => engine.queries.find({ model, selector: { kind: 'number', number } });
    return { drafts, result: () => ({ current: find(current.number), target: find(target.number) }) };
  });
}

function planRollback(engine: RegistryEngine, model: string): RollbackPlan {
  const { queries } = engine;
  const inProduction = queries.versionsInStage('Production', model);
  if (inProduction.length === 0) throw new RegistryError('CONFLICT', `${model} has no version in Production, so there is nothing to roll back. Promote a version instead: mreg promote ${model}/<number> production`);
  const current = inProduction[0];
  const numbers = new Set(queries.versions(model).map((version) => version.number));
  const previous = previousProductionVersion(stageChangesOf(engine, model), current.number, (number) => numbers.has(number));
  if (previous === undefined) throw new RegistryError('CONFLICT', `${formatRef(model, current.number)} is the first version of ${model} ever in Production: there is no earlier Production version to return to. Promote another version instead.`);
  return { current, target: queries.find({ model, selector: { kind: 'number', number: previous } }) };
}

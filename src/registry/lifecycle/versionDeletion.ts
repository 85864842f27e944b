import { MANUAL_DELETION, type EventDraft } from '../../core/events';
import { deletionProblem } from '../../core/governance/deletionRules';
import type { ModelVersion } from '../../core/modelVersion';
import { assertModelName } from '../../core/names';
import { formatRef, type Ref } from '../../core/refs';
import { RegistryError } from '../../core/registryError';
import type { RegistryQueries } from '../../core/registryQueries';
import { toRef } from '../refArgument';
import type { RegistryEngine } from '../registryEngine';

/** What a deletion took away: the versions (with the aliases they held) and, for a model, the model. */
export interface DeletionReport {
  model: string;
  versions: { number: number; stage: ModelVersion['stage']; aliases: string[] }[];
  modelDeleted: boolean;
  reason: string;
}

/**
 * Deletes one version: a tombstone event (version.deleted) that sync carries to every clone, so
 * the version leaves every listing, a reference to it says who deleted it, when and why, and its
 * number is never given again. Its blobs are not removed here (another clone may still be pulling
 * them): they become unreferenced, and `mreg gc` reclaims them after the grace period.
 * A bare model name is refused: which version goes must be said.
 */
export async function deleteVersion(engine: RegistryEngine, ref: string | Ref, options: { reason: string }): Promise<DeletionReport> {
  const reason = requireReason(options.reason, 'a version');
  const parsed = toRef(ref);
  if (parsed.selector.kind === 'latest' && parsed.selector.implicit) {
    throw new RegistryError('INVALID_REF', `'${parsed.model}' names a model, not a version: say which version to delete (mreg delete ${parsed.model}/<number>), or delete the whole model with: mreg delete-model ${parsed.model}`);
  }
  return engine.mutate(() => {
    const version = engine.queries.find(parsed);
    refuseWhereForbidden(engine, [version]);
    return { drafts: [tombstone(version, reason)], result: () => report(version.model, [version], false, reason) };
  });
}

/** Deletes a model: a tombstone for each of its versions (each allowed by the same rules), then model.deleted. */
export async function deleteModel(engine: RegistryEngine, name: string, options: { reason: string }): Promise<DeletionReport> {
  const reason = requireReason(options.reason, 'a model');
  assertModelName(name);
  return engine.mutate(() => {
    engine.queries.model(name);
    const versions = engine.queries.versions(name);
    refuseWhereForbidden(engine, versions);
    const drafts: EventDraft[] = [...versions.map((version) => tombstone(version, reason)), { type: 'model.deleted', model: name, payload: {}, reason }];
    return { drafts, result: () => report(name, versions, true, reason) };
  });
}

/** A deleted model's name stays with its history: registering under it is refused, saying so. */
export function assertNotDeletedModel(queries: RegistryQueries, name: string): void {
  const deleted = queries.deletedModel(name);
  if (!deleted) return;
  throw new RegistryError(
    'CONFLICT',
    `Model '${name}' was deleted on ${deleted.time} by ${deleted.actor}: ${deleted.reason ?? 'no reason given'}. Its name stays with its history (mreg log): register under another name.`,
  );
}

function requireReason(reason: string | undefined, what: string): string {
  const trimmed = reason?.trim();
  if (!trimmed) throw new RegistryError('INVALID_INPUT', `Deleting ${what} needs a reason for the audit log (--reason "…").`);
  return trimmed;
}

/** Why these versions may not be deleted (one sentence each; empty when all may), read now without changing anything: what a UI checks before asking for a reason. */
export function deletionRefusals(engine: RegistryEngine, versions: readonly ModelVersion[]): string[] {
  return [...refusedDeletions(engine, versions).values()];
}

/**
 * The versions among `candidates` that may not be deleted ('model/number' → why), by the rules every
 * deletion keeps (a person's, retention's). Whether each was ever in Production is read once per model.
 */
export function refusedDeletions(engine: RegistryEngine, candidates: readonly Pick<ModelVersion, 'model' | 'number' | 'stage'>[]): Map<string, string> {
  const policy = engine.policy();
  const everInProduction = new Map<string, Set<number>>();
  const wasInProduction = (model: string, number: number) => {
    if (!everInProduction.has(model)) everInProduction.set(model, engine.queries.versionsEverInProduction(model));
    return everInProduction.get(model)!.has(number);
  };
  const refused = new Map<string, string>();
  for (const version of candidates) {
    const ref = formatRef(version.model, version.number);
    const problem = deletionProblem({ model: version.model, ref, stage: version.stage, everInProduction: wasInProduction(version.model, version.number) }, policy);
    if (problem !== undefined) refused.set(ref, problem);
  }
  return refused;
}

function refuseWhereForbidden(engine: RegistryEngine, versions: readonly ModelVersion[]): void {
  const problems = deletionRefusals(engine, versions);
  if (problems.length > 0) throw new RegistryError('CONFLICT', `Nothing was deleted. ${problems.join(' ')}`);
}

function tombstone(version: ModelVersion, reason: string): EventDraft {
  return { type: 'version.deleted', model: version.model, version: version.number, payload: { rule: MANUAL_DELETION, fingerprint: version.fingerprint }, reason };
}

function report(model: string, versions: readonly ModelVersion[], modelDeleted: boolean, reason: string): DeletionReport {
  return { model, versions: versions.map((version) => ({ number: version.number, stage: version.stage, aliases: [...version.aliases] })), modelDeleted, reason };
}

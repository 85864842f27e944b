import type { ModelVersion, RegisteredModel } from '../../core/modelVersion';
import { assertAliasName, assertKey, assertModelName } from '../../core/names';
import { formatRef, type Ref } from '../../core/refs';
import { RegistryError } from '../../core/registryError';
import { toRef } from '../refArgument';
import type { RegistryEngine } from '../registryEngine';

export interface Changes {
  description?: string | null;
  /** A null value removes the tag. */
  tags?: Record<string, string | null>;
  reason?: string;
}

/** Points an alias at a version, moving it from wherever it pointed before. */
export async function setAlias(engine: RegistryEngine, ref: string | Ref, alias: string, options: { reason?: string } = {}): Promise<ModelVersion> {
  assertAliasName(alias);
  return engine.mutate(() => {
    const version = engine.queries.find(toRef(ref));
    const previous = engine.queries.aliasTarget(version.model, alias);
    if (previous === version.number) throw new RegistryError('CONFLICT', `Alias '${alias}' already points at ${formatRef(version.model, version.number)}.`);
    return {
      drafts: [{ type: 'version.alias_set', model: version.model, version: version.number, payload: { alias, previous }, reason: options.reason }],
      result: () => engine.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }),
    };
  });
}

export async function removeAlias(engine: RegistryEngine, model: string, alias: string, options: { reason?: string } = {}): Promise<void> {
  assertModelName(model);
  return engine.mutate(() => {
    engine.queries.model(model);
    const target = engine.queries.aliasTarget(model, alias);
    if (target === undefined) throw new RegistryError('NOT_FOUND', `Model '${model}' has no alias '${alias}'.`);
    return { drafts: [{ type: 'version.alias_removed', model, version: target, payload: { alias }, reason: options.reason }], result: () => undefined };
  });
}

export async function updateModel(engine: RegistryEngine, name: string, changes: Changes): Promise<RegisteredModel> {
  for (const key of Object.keys(changes.tags ?? {})) assertKey('tag', key);
  return engine.mutate(() => {
    engine.queries.model(name);
    return {
      drafts: [{ type: 'model.updated', model: name, payload: { description: changes.description, tags: changes.tags }, reason: changes.reason }],
      result: () => engine.queries.model(name),
    };
  });
}

export async function updateVersion(engine: RegistryEngine, ref: string | Ref, changes: Changes): Promise<ModelVersion> {
  for (const key of Object.keys(changes.tags ?? {})) assertKey('tag', key);
  return engine.mutate(() => {
    const version = engine.queries.find(toRef(ref));
    return {
      drafts: [{ type: 'version.updated', model: version.model, version: version.number, payload: { description: changes.description, tags: changes.tags }, reason: changes.reason }],
      result: () => engine.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }),
    };
  });
}

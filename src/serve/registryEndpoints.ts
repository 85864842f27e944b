import type { ModelVersion } from '../core/modelVersion';
import { modelNameProblem } from '../core/names';
import { parseRef, type Ref } from '../core/refs';
import { parseStage, STAGES, type Stage } from '../core/stage';
import { artifactUriOf, latestPerStage, type MlflowRegisteredModel } from './mlflowEntities';
import { MlflowError } from './mlflowErrors';
import type { MlflowParameters } from './mlflowRequest';
import { numberRef, type MlflowView } from './mlflowView';
import { ordered, pageOf, type OrderKeys } from './searchPages';

/** One call of MLflow's Model Registry REST API, by its path under `/api/2.0/mlflow/`. */
export interface RegistryEndpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** A write: refused by a read-only server, recorded with the caller as actor. */
  writes: boolean;
  handle(params: MlflowParameters, view: MlflowView): unknown;
}

const MODEL_ORDER: OrderKeys<MlflowRegisteredModel> = {
  name: (model) => model.name,
  creation_timestamp: (model) => model.creation_timestamp,
  last_updated_timestamp: (model) => model.last_updated_timestamp,
};

/** Sorted on the registry's versions, so only the page asked for is turned into JSON (reading each one's manifest once). */
const VERSION_ORDER: OrderKeys<ModelVersion> = {
  name: (version) => version.model,
  version_number: (version) => version.number,
  creation_timestamp: (version) => Date.parse(version.createdAt),
  last_updated_timestamp: (version) => Date.parse(version.createdAt),
};

/** MLflow's stage names, in any case (as `get_canonical_stage` reads them). */
function stageParameter(text: string): Stage {
  const stage = parseStage(text);
  if (!stage) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid Model Version stage: ${text}. Value must be one of ${STAGES.join(', ')}.`);
  return stage;
}

/** A search filter is the registry's query language, which reads MLflow's common filters (`name = 'm'`, `name LIKE 'f%'`, `tags.k = 'v'`) as they are. */
function searchVersions(params: MlflowParameters, view: MlflowView) {
  const filter = params.string('filter')?.trim();
  return filter ? view.registry.search(filter) : view.modelNames().flatMap((name) => view.registry.versions(name));
}

function registeredModelSearch(params: MlflowParameters, view: MlflowView): unknown {
  const maxResults = params.integer('max_results', 100, { min: 1, max: 1000 });
  const filtered = params.string('filter')?.trim() ? [...new Set(searchVersions(params, view).map((version) => version.model))] : view.modelNames();
  const orderBy = params.strings('order_by');
  // In name order (MLflow's default) only the page's models are read in full; another order needs them all.
  const names = filtered.sort();
  const models: (string | MlflowRegisteredModel)[] = orderBy.length === 0 ? names : ordered(names.map((name) => view.model(name)), orderBy, MODEL_ORDER);
  const { page: pageNames, nextPageToken } = pageOf(models, maxResults, params.string('page_token'));
  const page = pageNames.map((model) => (typeof model === 'string' ? view.model(model) : model));
  return { ...(page.length > 0 ? { registered_models: page } : {}), ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
}

function modelVersionSearch(params: MlflowParameters, view: MlflowView): unknown {
  const maxResults = params.integer('max_results', 200_000, { min: 1, max: 200_000 });
  const versions = ordered(searchVersions(params, view), params.strings('order_by'), VERSION_ORDER);
  const { page, nextPageToken } = pageOf(versions, maxResults, params.string('page_token'));
  return { ...(page.length > 0 ? { model_versions: page.map((version) => view.versionJson(version)) } : {}), ...(nextPageToken ? { next_page_token: nextPageToken } : {}) };
}

function latestVersions(params: MlflowParameters, view: MlflowView): unknown {
  const name = params.string('name', true);
  view.registry.model(name);
  const asked = params.strings('stages');
  const versions = latestPerStage(view.versions(name), asked.length > 0 ? [...new Set(asked.map(stageParameter))] : STAGES);
  return versions.length > 0 ? { model_versions: versions } : {};
}

/**
 * MLflow's stage transition over `promote`: the policy's gates decide as for every promotion, and
 * Production holds one version (promoting archives the previous one, whatever
 * `archive_existing_versions` says). `archive_existing_versions` into Staging archives the other
 * Staging versions, as MLflow does. A version already in the stage is answered as it is.
 */
async function transitionStage(params: MlflowParameters, view: MlflowView): Promise<unknown> {
  const name = params.string('name', true);
  const number = params.versionNumber();
  const ref = numberRef(name, number);
  const stage = stageParameter(params.string('stage', true));
  const archiveExisting = params.boolean('archive_existing_versions');
  if (archiveExisting && stage !== 'Staging' && stage !== 'Production') {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging, Production.`);
  }
  if (view.registry.version(ref).stage !== stage) await view.registry.promote(ref, stage);
  if (archiveExisting && stage === 'Staging') {
    for (const other of view.registry.versions(name)) if (other.stage === 'Staging' && other.number !== number) await view.registry.promote(numberRef(name, other.number), 'Archived');
  }
  return { model_version: view.version(ref) };
}

function atRef(model: string, alias: string): Ref {
  const problem = modelNameProblem(model);
  if (problem) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid model name: ${problem}.`);
  return parseRef(`${model}@${alias}`);
}

function notImplemented(what: string, instead: string): (params: MlflowParameters, view: MlflowView) => never {
  return () => {
    throw new MlflowError('NOT_IMPLEMENTED', `${what} is not offered by this registry: ${instead}`);
  };
}

const REGISTER_INSTEAD = "versions are registered with their full recipe by 'mreg register <model> <paths…>' (a model is created with its first version).";
const DELETE_INSTEAD = "versions are immutable and kept for rollback and audit; archive them (transition to Archived) and let the retention policy ('mreg gc') remove them.";

export const REGISTRY_ENDPOINTS: readonly RegistryEndpoint[] = [
  { method: 'GET', path: 'registered-models/search', writes: false, handle: registeredModelSearch },
  { method: 'GET', path: 'registered-models/get', writes: false, handle: (params, view) => ({ registered_model: view.model(params.string('name', true)) }) },
  { method: 'POST', path: 'registered-models/get-latest-versions', writes: false, handle: latestVersions },
  { method: 'GET', path: 'registered-models/get-latest-versions', writes: false, handle: latestVersions },
  { method: 'GET', path: 'model-versions/get', writes: false, handle: (params, view) => ({ model_version: view.version(numberRef(params.string('name', true), params.versionNumber())) }) },
  { method: 'GET', path: 'model-versions/search', writes: false, handle: modelVersionSearch },
  {
    method: 'GET',
    path: 'model-versions/get-download-uri',
    writes: false,
    handle: (params, view) => {
      const version = view.version(numberRef(params.string('name', true), params.versionNumber()));
      return { artifact_uri: artifactUriOf(version.name, Number(version.version)) };
    },
  },
  {
    method: 'GET',
    path: 'registered-models/alias',
    writes: false,
    // What `name@…` means in every reference here: an alias, or a stage, `latest` or a semver label, names an
    // alias can never take; so `models:/fraud@production` works in MLflow clients as it does in mreg.
    handle: (params, view) => ({ model_version: view.version(atRef(params.string('name', true), params.string('alias', true))) }),
  },
  {
    method: 'POST',
    path: 'registered-models/alias',
    writes: true,
    handle: async (params, view) => {
      const name = params.string('name', true);
      const alias = params.string('alias', true);
      await view.registry.setAlias(numberRef(name, params.versionNumber()), alias);
      return {};
    },
  },
  {
    method: 'DELETE',
    path: 'registered-models/alias',
    writes: true,
    handle: async (params, view) => {
      await view.registry.removeAlias(params.string('name', true), params.string('alias', true));
      return {};
    },
  },
  { method: 'POST', path: 'model-versions/transition-stage', writes: true, handle: transitionStage },
  {
    method: 'PATCH',
    path: 'registered-models/update',
    writes: true,
    handle: async (params, view) => {
      const name = params.string('name', true);
      await view.registry.updateModel(name, { description: params.string('description') || null });
      return { registered_model: view.model(name) };
    },
  },
  {
    method: 'PATCH',
    path: 'model-versions/update',
    writes: true,
    handle: async (params, view) => {
      const ref = numberRef(params.string('name', true), params.versionNumber());
      await view.registry.updateVersion(ref, { description: params.string('description') || null });
      return { model_version: view.version(ref) };
    },
  },
  {
    method: 'POST',
    path: 'registered-models/set-tag',
    writes: true,
    handle: async (params, view) => {
      await view.registry.updateModel(params.string('name', true), { tags: { [params.string('key', true)]: params.string('value') ?? '' } });
      return {};
    },
  },
  {
    method: 'DELETE',
    path: 'registered-models/delete-tag',
    writes: true,
    handle: async (params, view) => {
      await view.registry.updateModel(params.string('name', true), { tags: { [params.string('key', true)]: null } });
      return {};
    },
  },
  {
    method: 'POST',
    path: 'model-versions/set-tag',
    writes: true,
    handle: async (params, view) => {
      const ref = numberRef(params.string('name', true), params.versionNumber());
      await view.registry.updateVersion(ref, { tags: { [params.string('key', true)]: params.string('value') ?? '' } });
      return {};
    },
  },
  {
    method: 'DELETE',
    path: 'model-versions/delete-tag',
    writes: true,
    handle: async (params, view) => {
      const ref = numberRef(params.string('name', true), params.versionNumber());
      await view.registry.updateVersion(ref, { tags: { [params.string('key', true)]: null } });
      return {};
    },
  },
  { method: 'POST', path: 'registered-models/create', writes: true, handle: notImplemented('Creating a registered model', REGISTER_INSTEAD) },
  { method: 'POST', path: 'model-versions/create', writes: true, handle: notImplemented('Creating a model version', REGISTER_INSTEAD) },
  { method: 'POST', path: 'registered-models/rename', writes: true, handle: notImplemented('Renaming a registered model', 'a name is part of every reference serving code and the audit log hold.') },
  { method: 'DELETE', path: 'registered-models/delete', writes: true, handle: notImplemented('Deleting a registered model', DELETE_INSTEAD) },
  { method: 'DELETE', path: 'model-versions/delete', writes: true, handle: notImplemented('Deleting a model version', DELETE_INSTEAD) },
];

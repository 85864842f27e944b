import type { ModelVersion, RegisteredModel } from '../core/modelVersion';
import { STAGES } from '../core/stage';

/**
 * MLflow's `ModelVersion` and `RegisteredModel` messages (model_registry.proto) as its server writes
 * them in JSON: field names as in the proto, `version` a string, timestamps in milliseconds as
 * numbers, `status` by name, and unset or empty fields left out.
 */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: string;
  description?: string;
  source: string;
  run_id?: string;
  status: 'READY';
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: MlflowModelVersion[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}

/**
 * Where a version's artifacts are, as MLflow's artifact proxy names them: an `mlflow-artifacts:`
 * URI, which the client resolves against its tracking URI to this server's
 * `/api/2.0/mlflow-artifacts/artifacts/models/<name>/<number>`. Model names use only URL-safe
 * characters, so the path needs no escaping.
 */
export function artifactUriOf(model: string, number: number): string {
  return `mlflow-artifacts:/models/${model}/${number}`;
}

/** `runId`: the MLflow run the version's manifest names as its source, if any. */
export function modelVersionJson(version: ModelVersion, runId: string | undefined): MlflowModelVersion {
  const created = Date.parse(version.createdAt);
  return {
    name: version.model,
    version: String(version.number),
    creation_timestamp: created,
    // The registry records when a version was made, not when its description or tags last changed.
    last_updated_timestamp: created,
    user_id: version.createdBy,
    current_stage: version.stage,
    ...(version.description ? { description: version.description } : {}),
    source: artifactUriOf(version.model, version.number),
    ...(runId ? { run_id: runId } : {}),
    status: 'READY',
    ...tagsJson(version.tags),
    ...(version.aliases.length > 0 ? { aliases: [...version.aliases] } : {}),
  };
}

/** `versions`: the model's versions, newest first (as `Registry.versions` lists them), already in JSON. */
export function registeredModelJson(model: RegisteredModel, versions: MlflowModelVersion[]): MlflowRegisteredModel {
  const created = Date.parse(model.createdAt);
  const latest = latestPerStage(versions, STAGES);
  const aliases = versions.flatMap((version) => (version.aliases ?? []).map((alias) => ({ alias, version: version.version })));
  return {
    name: model.name,
    creation_timestamp: created,
    last_updated_timestamp: Math.max(created, ...versions.map((version) => version.creation_timestamp)),
    ...(model.description ? { description: model.description } : {}),
    ...(latest.length > 0 ? { latest_versions: latest } : {}),
    ...tagsJson(model.tags),
    ...(aliases.length > 0 ? { aliases: aliases.sort((a, b) => a.alias.localeCompare(b.alias)) } : {}),
  };
}

/** The newest version in each of `stages` that has one, in the order of `stages` (MLflow's get-latest-versions). */
export function latestPerStage(versionsNewestFirst: MlflowModelVersion[], stages: readonly string[]): MlflowModelVersion[] {
  return stages.flatMap((stage) => versionsNewestFirst.find((version) => version.current_stage === stage) ?? []);
}

function tagsJson(tags: Record<string, string>): { tags?: { key: string; value: string }[] } {
  const entries = Object.entries(tags);
  return entries.length > 0 ? { tags: entries.map(([key, value]) => ({ key, value })) } : {};
}

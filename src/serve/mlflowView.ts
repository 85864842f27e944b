import type { ModelVersion } from '../core/modelVersion';
import type { Ref } from '../core/refs';
import type { Registry } from '../registry/registry';
import { modelVersionJson, registeredModelJson, type MlflowModelVersion, type MlflowRegisteredModel } from './mlflowEntities';

/**
 * The registry as MLflow's entities: every read goes through the Registry facade, and this only
 * reshapes what it returns. The MLflow run id of a version lives in its manifest, which is
 * immutable: it is read once per version and remembered by fingerprint.
 */
export class MlflowView {
  private readonly runIds = new Map<string, string | undefined>();

  constructor(readonly registry: Registry) {}

  version(ref: Ref): MlflowModelVersion {
    return this.versionJson(this.registry.version(ref));
  }

  versionJson(version: ModelVersion): MlflowModelVersion {
    return modelVersionJson(version, this.runIdOf(version));
  }

  /** A model's versions, newest first. */
  versions(model: string): MlflowModelVersion[] {
    return this.registry.versions(model).map((version) => this.versionJson(version));
  }

  model(name: string): MlflowRegisteredModel {
    return registeredModelJson(this.registry.model(name), this.versions(name));
  }

  modelNames(): string[] {
    return this.registry.models().map((model) => model.name);
  }

  private runIdOf(version: ModelVersion): string | undefined {
    if (!this.runIds.has(version.fingerprint)) {
      const run = this.registry.version({ model: version.model, selector: { kind: 'number', number: version.number } }).manifest.source.run;
      this.runIds.set(version.fingerprint, run?.kind === 'mlflow' ? run.id : undefined);
    }
    return this.runIds.get(version.fingerprint);
  }
}

export function numberRef(model: string, number: number): Ref {
  return { model, selector: { kind: 'number', number } };
}

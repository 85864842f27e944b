import type { ModelVersion, RegisteredModel } from '../../core/modelVersion';

/**
 * The Models view's text filter: a model whose name contains the text is shown whole; otherwise
 * only its versions whose number, semver label, stage, aliases, description or tags contain it.
 */
export class VersionFilter {
  private readonly needle: string;

  constructor(readonly text: string) {
    this.needle = text.trim().toLowerCase();
  }

  matchesModel(model: RegisteredModel): boolean {
    return model.name.toLowerCase().includes(this.needle) || (model.description ?? '').toLowerCase().includes(this.needle);
  }

  matchesVersion(version: ModelVersion): boolean {
    const fields = [
      `#${version.number}`,
      version.semver ? `v${version.semver}` : '',
      version.stage,
      ...version.aliases.map((alias) => `@${alias}`),
      version.description ?? '',
      ...Object.entries(version.tags).map(([key, value]) => `${key}=${value}`),
      version.createdBy,
    ];
    return fields.some((field) => field.toLowerCase().includes(this.needle));
  }
}

import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';

/** One way to name a version, as Copy Version URI offers it. */
export interface VersionReference {
  text: string;
  /** What following this name gives, so a person picks the one their serving code should use. */
  description: string;
}

/**
 * The names that reach a version, moving ones first (what serving code should ask for), pinned
 * ones after: `fraud-detector@production` while it is in Production, `fraud-detector@champion`
 * per alias, then `fraud-detector/3` and `models:/fraud-detector/3`. `mreg`, the library and the
 * Python client accept each of them.
 */
export function versionReferences(version: Pick<ModelVersion, 'model' | 'number' | 'stage' | 'aliases'>): VersionReference[] {
  const pinned = formatRef(version.model, version.number);
  return [
    ...(version.stage === 'Production' || version.stage === 'Staging'
      ? [{ text: `${version.model}@${version.stage.toLowerCase()}`, description: `follows ${version.stage}: whichever version is promoted there next` }]
      : []),
    ...version.aliases.map((alias) => ({ text: `${version.model}@${alias}`, description: `follows the alias ${alias} wherever it moves` })),
    { text: pinned, description: 'this version, always' },
    { text: `models:/${pinned}`, description: 'this version, always, as an MLflow-style URI' },
  ];
}

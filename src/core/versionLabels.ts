import type { ModelVersion } from './modelVersion';

/**
 * A version's labels as people read them everywhere (tree, pickers, pages, mreg): its semver as
 * `v1.2.0`, its stage, and its aliases as `@champion`. `omitNoneStage` leaves out 'None', where the
 * absence of a stage says it already (the tree).
 */
export function versionLabels(version: Pick<ModelVersion, 'semver' | 'stage' | 'aliases'>, options: { omitNoneStage?: boolean } = {}): string[] {
  const stage = options.omitNoneStage && version.stage === 'None' ? '' : version.stage;
  return [version.semver ? `v${version.semver}` : '', stage, ...version.aliases.map((alias) => `@${alias}`)].filter(Boolean);
}

/** The labels in one line: `v1.2.0 · Production · @champion`. */
export function versionLabel(version: Pick<ModelVersion, 'semver' | 'stage' | 'aliases'>, options: { omitNoneStage?: boolean } = {}): string {
  return versionLabels(version, options).join(' · ');
}

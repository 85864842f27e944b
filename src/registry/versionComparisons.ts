import { metricHistory, type MetricHistory } from '../core/metricHistory';
import type { ModelVersionDetails } from '../core/modelVersion';
import { formatRef, type Ref } from '../core/refs';
import { RegistryError } from '../core/registryError';
import { compareColumns, compareVersions, MAX_COLUMNS, type VersionColumns, type VersionComparison } from '../core/versionComparison';
import { commitsBetween } from '../lineage/commitHistory';
import { stageChangesOf } from './lifecycle/stageChanges';
import type { RegistryEngine } from './registryEngine';

type VersionReader = (ref: string | Ref) => ModelVersionDetails;

/** What changed from one version to another, with the commits between them when local git knows both. */
export async function compareTwo(engine: RegistryEngine, read: VersionReader, before: string | Ref, after: string | Ref): Promise<VersionComparison> {
  const comparison = compareVersions(read(before), read(after));
  const { git } = comparison.lineage;
  if (git.before && git.after && git.before !== git.after) git.commitsBetween = await commitsBetween(engine.projectRoot, git.before, git.after);
  return comparison;
}

/** A model's metrics across all its versions, with the versions whose stage changed marked (the metrics chart). */
export function modelMetricHistory(engine: RegistryEngine, model: string): MetricHistory {
  engine.refresh();
  const metrics = engine.queries.metricsOfVersions(model);
  const versions = engine.queries.versions(model).map((version) => ({ ...version, manifest: { metrics: metrics.get(version.number) ?? {} } }));
  return metricHistory(model, versions, stageChangesOf(engine, model));
}

/** Two to five versions side by side, in the order given (the columns page, `mreg diff a b c`). */
export function compareMany(read: VersionReader, refs: readonly (string | Ref)[]): VersionColumns {
  if (refs.length < 2 || refs.length > MAX_COLUMNS) throw new RegistryError('INVALID_INPUT', `Columns compare 2 to ${MAX_COLUMNS} versions; ${refs.length} were given. Name between 2 and ${MAX_COLUMNS} versions.`);
  const versions = refs.map((ref) => read(ref));
  const seen = new Set<string>();
  for (const version of versions) {
    const ref = formatRef(version.model, version.number);
    if (seen.has(ref)) throw new RegistryError('INVALID_INPUT', `${ref} is named twice; name each version once.`);
    seen.add(ref);
  }
  return compareColumns(versions);
}

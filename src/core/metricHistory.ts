import type { Manifest, MetricDirection } from './manifest';
import type { ModelVersion } from './modelVersion';
import type { Stage } from './stage';
import type { StageChange } from './stageHistory';
import { ownValue } from './userKeyedRecord';

/**
 * A model's metrics across all its versions, with the versions where a stage changed marked: what
 * the metrics chart draws. Plain JSON, aligned by version: `values[i]` belongs to `versions[i]`.
 */
export interface MetricHistory {
  model: string;
  versions: HistoryVersion[];
  metrics: MetricSeries[];
  markers: StageMarker[];
}

export interface HistoryVersion {
  number: number;
  ref: string;
  semver: string | null;
  stage: Stage;
  createdAt: string;
}

export interface MetricSeries {
  name: string;
  /** The newest version's statement of which way is better, as in comparisons. */
  direction: MetricDirection | null;
  /** One per version, null where that version does not record the metric. */
  values: (number | null)[];
}

/** The stage changes of one version, oldest first, labelled as the chart shows them. */
export interface StageMarker {
  version: number;
  label: string;
  changes: { from: Stage; to: Stage; time: string; actor: string; rollback: boolean; reason: string | null }[];
}

/** A version with the metrics it recorded: all the history needs of its manifest. */
export type VersionWithMetrics = ModelVersion & { manifest: Pick<Manifest, 'metrics'> };

/** Builds the history from the model's versions (any order) and its stage changes (oldest first). */
export function metricHistory(model: string, versions: readonly VersionWithMetrics[], changes: readonly StageChange[]): MetricHistory {
  const ordered = [...versions].filter((version) => version.model === model).sort((a, b) => a.number - b.number);
  const names = [...new Set(ordered.flatMap((version) => Object.keys(version.manifest.metrics)))].sort();
  const metrics = names.map((name): MetricSeries => {
    let direction: MetricDirection | null = null;
    const values = ordered.map((version) => {
      const metric = ownValue(version.manifest.metrics, name);
      if (metric?.direction) direction = metric.direction;
      return typeof metric?.value === 'number' && Number.isFinite(metric.value) ? metric.value : null;
    });
    return { name, direction, values };
  });
  const known = new Set(ordered.map((version) => version.number));
  const markers = new Map<number, StageMarker>();
  for (const change of changes) {
    if (!known.has(change.version)) continue;
    const marker = markers.get(change.version) ?? { version: change.version, label: '', changes: [] };
    marker.changes.push({ from: change.from, to: change.to, time: change.time, actor: change.actor, rollback: change.rollback, reason: change.reason });
    markers.set(change.version, marker);
  }
  for (const marker of markers.values()) marker.label = `#${marker.version} → ${marker.changes.map((change) => `${change.to}${change.rollback ? ' (rollback)' : ''}`).join(' → ')}`;
  return {
    model,
    versions: ordered.map((version) => ({ number: version.number, ref: `${version.model}/${version.number}`, semver: version.semver, stage: version.stage, createdAt: version.createdAt })),
    metrics,
    markers: [...markers.values()].sort((a, b) => a.version - b.version),
  };
}

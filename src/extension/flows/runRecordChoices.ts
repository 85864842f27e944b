import type { ParamsMetricsCandidate } from '../../lineage/paramsAndMetrics';

export interface RunRecordChoice {
  label: string;
  description?: string;
  detail?: string;
  /** null for "none": the version records no params (or metrics) from the project. */
  candidate: ParamsMetricsCandidate | null;
}

/**
 * The rows of "where do the params (metrics) come from?": every source the project holds, the one
 * `mreg register` would take first, then "No params". Asked even with one source: a file in the
 * project (another model's metrics.json) is not evidence that it belongs to this version. Empty
 * when the project holds none, so there is nothing to ask.
 */
export function runRecordChoices(candidates: ParamsMetricsCandidate[], kind: 'params' | 'metrics'): RunRecordChoice[] {
  const ofKind = candidates.filter((candidate) => candidate[kind]);
  if (ofKind.length === 0) return [];
  return [
    ...ofKind.map((candidate, index) => ({
      label: candidate.path,
      description: `${candidate.description}${index === 0 && candidate.isDefault ? ' (what mreg register would take)' : ''}`,
      detail: candidate.run ? candidate.run.reason : `written ${new Date(candidate.modifiedMs).toLocaleString()}`,
      candidate,
    })),
    { label: `$(circle-slash) No ${kind}`, description: `record no ${kind} with this version`, candidate: null },
  ];
}

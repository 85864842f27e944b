import type { DataLineage, GitLineage, Metric, MetricDirection, ParamValue } from '../../core/manifest';
import { assertKey } from '../../core/names';
import { RegistryError } from '../../core/registryError';
import type { Stage } from '../../core/stage';
import { ownValue, setOwn, userKeyedRecord } from '../../core/userKeyedRecord';
import type { CapturedLineage } from '../../lineage/captureLineage';

export interface RegisterInput {
  model: string;
  /** Files and folders that make up the version. */
  paths: string[];
  metrics?: Record<string, number>;
  metricDirections?: Record<string, MetricDirection>;
  params?: Record<string, ParamValue>;
  /**
   * The data it was trained on: local paths (hashed), URIs (recorded as given), DVC files (read),
   * or entries captured already (`captureLineage`).
   */
  data?: (string | DataLineage)[];
  tags?: Record<string, string>;
  semver?: string;
  description?: string;
  stage?: Stage;
  reason?: string;
  /** Code lineage; captured from the project's git repository when left out. */
  git?: GitLineage | null;
  environment?: Record<string, unknown>;
  /** Refuse to register from a working tree with uncommitted changes (the error lists them). */
  requireClean?: boolean;
  /** The files params and metrics were read from, recorded in the manifest's `source`. */
  sources?: CapturedLineage['sources'];
  /**
   * Read each weight file's format, parameters, signature and security findings into the manifest
   * (default true). A corrupt or truncated weight file is still registered, its inspection
   * recording the problem in `error`; false records size and hash only.
   */
  inspect?: boolean;
}

/**
 * A registration input completed with a capture: params, metrics and tags typed by a person win
 * over discovered ones; data, git and environment are the captured ones (capture already read the
 * `--data` arguments, so `input.data` is replaced, not added to).
 */
export function withCapturedLineage(input: RegisterInput, captured: CapturedLineage): RegisterInput {
  return {
    ...input,
    git: captured.git,
    data: captured.data,
    params: userKeyedRecord([...Object.entries(captured.params), ...Object.entries(input.params ?? {})]),
    metrics: userKeyedRecord([...Object.entries(captured.metrics), ...Object.entries(input.metrics ?? {})]),
    tags: userKeyedRecord([...Object.entries(captured.tags), ...Object.entries(input.tags ?? {})]),
    environment: captured.environment,
    sources: captured.sources,
  };
}

/**
 * The manifest's metrics from values and directions, each checked (name, finite value, known
 * direction). Both are keyed by names a person chose, so `constructor` or `__proto__` must be stored
 * and looked up as names, never found on (or written into) a prototype.
 */
export function buildMetrics(values: Record<string, number>, directions: Record<string, MetricDirection>): Record<string, Metric> {
  const metrics = userKeyedRecord<Metric>();
  for (const [key, value] of Object.entries(values)) {
    assertKey('metric', key);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RegistryError('INVALID_INPUT', `Metric '${key}' must be a finite number, not '${String(value)}'.`);
    const direction = ownValue(directions, key);
    setOwn(metrics, key, direction ? { value, direction } : { value });
  }
  for (const [key, direction] of Object.entries(directions)) {
    if (!Object.hasOwn(values, key)) throw new RegistryError('INVALID_INPUT', `A direction is given for metric '${key}', but no value; add --metric ${key}=<value>.`);
    if (direction !== 'max' && direction !== 'min') throw new RegistryError('INVALID_INPUT', `Metric direction for '${key}' must be 'max' (higher is better) or 'min' (lower is better).`);
  }
  return metrics;
}

import path from 'node:path';
import { canonicalJson } from '../core/canonicalJson';
import type { DataLineage, GitLineage, ParamValue, RunSource } from '../core/manifest';
import { assertKey } from '../core/names';
import { RegistryError, throwIfCancelled } from '../core/registryError';
import { hashFile } from '../store/fileHashing';
import { captureDataLineage, type FileHasher } from './dataLineage';
import { findDvcFiles, readDvcData } from './dvcFiles';
import { checkDvcEntryOnDisk, crossCheckArtifacts } from './dvcLocalCheck';
import { captureEnvironment } from './environment';
import { captureGitLineage } from './gitLineage';
import { mlflowModelsAmong } from './mlflowModelEnvironment';
import { candidateForFile, discoverParamsAndMetrics, readParamsAndMetrics, type ParamsMetricsCandidate } from './paramsAndMetrics';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

export interface CaptureOptions {
  /** `--data` arguments: paths (hashed), URIs (recorded as given), DVC files (read). */
  data?: string[];
  /**
   * The paths being registered. A path inside an MLflow run's artifacts (or a W&B run's files), or an
   * MLflow model whose MLmodel names a run, makes that run the source; a path that is a DVC out is
   * compared with what DVC recorded for it; an MLflow model folder's requirements are recorded.
   */
  artifacts?: string[];
  /** Look for params, metrics and DVC data in the project (default true). */
  discover?: boolean;
  /**
   * Where params come from, overriding discovery: a file, a candidate a person chose, or null when a
   * person declined every candidate (DVC data and the other kind are still discovered).
   */
  params?: string | ParamsMetricsCandidate | null;
  /** Where metrics come from, overriding discovery; null for none. */
  metrics?: string | ParamsMetricsCandidate | null;
  /** An interpreter whose `pip freeze` is recorded (optional, never needed). */
  pythonInterpreter?: string;
  /** Hashes local data; defaults to reading every file (no cache). */
  hasher?: FileHasher;
  /** Folders left out of git's dirty state, such as the registry folder. */
  ignore?: string[];
  signal?: AbortSignal;
}

export interface CapturedLineage {
  git: GitLineage | null;
  data: DataLineage[];
  params: Record<string, ParamValue>;
  metrics: Record<string, number>;
  /** Facts about a tracked run (MLflow, W&B ids and user tags), offered as version tags. */
  tags: Record<string, string>;
  environment: Record<string, unknown>;
  /**
   * Which files the params and metrics were read from, relative to the project, and the one tracked
   * run they came from with the reason it was chosen (print it: it is the version's recipe).
   */
  sources: { params?: string; metrics?: string; run?: RunSource };
  /** What a person should know before registering: data on disk that is not what DVC recorded, runs that could not be told apart. */
  warnings: string[];
}

/**
 * Everything a registration records about how a model was made, read from the project without
 * writing anything: git state, data, params, metrics and environment. The CLI and the extension
 * both call this, show the result, and pass it to `Registry.register`.
 */
export async function captureLineage(projectRoot: string, options: CaptureOptions = {}): Promise<CapturedLineage> {
  const root = path.resolve(projectRoot);
  const discover = options.discover ?? true;
  const git = captureGitLineage(root, { ignore: options.ignore });
  const environment = captureEnvironment(root, { pythonInterpreter: options.pythonInterpreter });
  // Started at once so that neither rejects unobserved while the data is hashed.
  git.catch(() => undefined);
  environment.catch(() => undefined);

  const hasher = options.hasher ?? { hash: hashFile };
  const artifacts = options.artifacts ?? [];
  const data: DataLineage[] = [];
  for (const spec of options.data ?? []) {
    throwIfCancelled(options.signal);
    data.push(...(await captureDataLineage(spec, root, hasher, { signal: options.signal })));
  }
  if (discover) {
    // Discovery reads no data bytes (a pipeline's data may be large): sizes and presence only.
    for (const file of findDvcFiles(root)) {
      for (const entry of readDvcData(root, file)) data.push(await checkDvcEntryOnDisk(root, entry, { md5: false }));
    }
  }
  const checkedData = await crossCheckArtifacts(root, unique(data), artifacts, options.signal);

  const discovery = discover && (options.params === undefined || options.metrics === undefined) ? discoverParamsAndMetrics(root, { artifacts }) : { candidates: [], warnings: [] };
  const { paramsFrom, metricsFrom } = chooseSources(root, options, discovery.candidates);
  const captured: CapturedLineage = { git: null, data: checkedData, params: {}, metrics: {}, tags: {}, environment: {}, sources: {}, warnings: [...discovery.warnings] };
  const run = paramsFrom?.run ?? metricsFrom?.run;
  if (run) captured.sources.run = run;
  if (paramsFrom) {
    const read = readParamsAndMetrics(root, paramsFrom);
    captured.params = validKeys('param', read.params);
    for (const [key, value] of Object.entries(validKeys('tag', read.tags))) setOwn(captured.tags, key, value);
    captured.sources.params = paramsFrom.path;
  }
  if (metricsFrom) {
    const read = readParamsAndMetrics(root, metricsFrom);
    captured.metrics = validKeys('metric', read.metrics);
    for (const [key, value] of Object.entries(validKeys('tag', read.tags))) setOwn(captured.tags, key, value);
    captured.sources.metrics = metricsFrom.path;
  }
  for (const entry of checkedData) if (entry.warning) captured.warnings.push(entry.warning);
  captured.git = await git;
  captured.environment = await environment;
  const models = mlflowModelsAmong(root, artifacts);
  if (models.length > 0) captured.environment.mlflowModels = models;
  return captured;
}

/**
 * Where params and metrics come from, one run per version: a run named for one kind (`--metrics
 * mlruns/0/<id>`) is the source of the other too unless that is named as well; discovery takes the
 * first default candidate of each kind, and at most one run (the one the provenance rules picked).
 * Two different runs named by hand are refused: their params and metrics describe different models.
 */
function chooseSources(root: string, options: CaptureOptions, candidates: ParamsMetricsCandidate[]): { paramsFrom?: ParamsMetricsCandidate; metricsFrom?: ParamsMetricsCandidate } {
  const given = (value: CaptureOptions['params'], kind: 'params' | 'metrics'): ParamsMetricsCandidate | null | undefined => {
    if (value === null || value === undefined) return value;
    if (typeof value !== 'string') return value;
    const candidate = candidateForFile(root, value);
    return kind === 'params' ? { ...candidate, params: true, metrics: candidate.run ? candidate.metrics : false } : { ...candidate, params: candidate.run ? candidate.params : false, metrics: true };
  };
  const params = given(options.params, 'params');
  const metrics = given(options.metrics, 'metrics');
  if (params?.run && metrics?.run && params.path !== metrics.path) {
    throw new RegistryError('INVALID_INPUT', `Params from run ${params.path} and metrics from run ${metrics.path}: a version comes from one run. Name the same run for both, or a params or metrics file for one of them.`);
  }
  const namedRun = params?.run ? params : metrics?.run ? metrics : undefined;
  const pick = (value: ParamsMetricsCandidate | null | undefined, kind: 'params' | 'metrics'): ParamsMetricsCandidate | undefined => {
    if (value === null) return undefined;
    if (value) return value;
    if (namedRun) return namedRun;
    return candidates.find((candidate) => candidate.isDefault && candidate[kind]);
  };
  const paramsFrom = pick(params, 'params');
  const metricsFrom = pick(metrics, 'metrics');
  return { paramsFrom: paramsFrom?.params ? paramsFrom : undefined, metricsFrom: metricsFrom?.metrics ? metricsFrom : undefined };
}

/** Keys a registration would refuse (with `=`, control characters, too long) are left out of what was discovered. */
function validKeys<T>(kind: 'metric' | 'param' | 'tag', values: Record<string, T>): Record<string, T> {
  return userKeyedRecord(
    Object.entries(values).filter(([key]) => {
      try {
        assertKey(kind, key);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/**
 * The same entry named twice (by `--data` and by discovery) is recorded once: the first, which for
 * data named by hand is the one compared with the disk by md5.
 */
function unique(data: DataLineage[]): DataLineage[] {
  const seen = new Set<string>();
  return data.filter((entry) => {
    const key = canonicalJson([entry.uri, entry.kind, entry.source ?? null, entry.stage ?? null, entry.role ?? null, entry.md5 ?? null, entry.sha256 ?? null, entry.repo ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

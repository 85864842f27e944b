import path from 'node:path';
import { canonicalJson } from '../core/canonicalJson';
import type { DataLineage, GitLineage, ParamValue } from '../core/manifest';
import { assertKey } from '../core/names';
import { throwIfCancelled } from '../core/registryError';
import { hashFile } from '../store/fileHashing';
import { captureDataLineage, type FileHasher } from './dataLineage';
import { findDvcFiles, readDvcData } from './dvcFiles';
import { captureEnvironment } from './environment';
import { captureGitLineage } from './gitLineage';
import { candidateForFile, findParamsAndMetrics, readParamsAndMetrics, type ParamsMetricsCandidate } from './paramsAndMetrics';

export interface CaptureOptions {
  /** `--data` arguments: paths (hashed), URIs (recorded as given), DVC files (read). */
  data?: string[];
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
  /** Which files the params and metrics were read from, relative to the project. */
  sources: { params?: string; metrics?: string };
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
  const data: DataLineage[] = [];
  for (const spec of options.data ?? []) {
    throwIfCancelled(options.signal);
    data.push(...(await captureDataLineage(spec, root, hasher, { signal: options.signal })));
  }
  if (discover) for (const file of findDvcFiles(root)) data.push(...readDvcData(root, file));

  const candidates = discover && (options.params === undefined || options.metrics === undefined) ? findParamsAndMetrics(root) : [];
  const paramsFrom = chosen(root, options.params, candidates, 'params');
  const metricsFrom = chosen(root, options.metrics, candidates, 'metrics');
  const captured: CapturedLineage = { git: null, data: unique(data), params: {}, metrics: {}, tags: {}, environment: {}, sources: {} };
  if (paramsFrom) {
    const read = readParamsAndMetrics(root, paramsFrom);
    captured.params = validKeys('param', read.params);
    Object.assign(captured.tags, validKeys('tag', read.tags));
    captured.sources.params = paramsFrom.path;
  }
  if (metricsFrom) {
    const read = readParamsAndMetrics(root, metricsFrom);
    captured.metrics = validKeys('metric', read.metrics);
    Object.assign(captured.tags, validKeys('tag', read.tags));
    captured.sources.metrics = metricsFrom.path;
  }
  captured.git = await git;
  captured.environment = await environment;
  return captured;
}

function chosen(root: string, given: CaptureOptions['params'], candidates: ParamsMetricsCandidate[], kind: 'params' | 'metrics'): ParamsMetricsCandidate | undefined {
  if (given === null) return undefined;
  if (typeof given === 'string') {
    const candidate = candidateForFile(root, given);
    return kind === 'params' ? { ...candidate, params: true, metrics: false } : { ...candidate, params: false, metrics: true };
  }
  return given ?? candidates.find((candidate) => candidate[kind]);
}

/** Keys a registration would refuse (with `=`, control characters, too long) are left out of what was discovered. */
function validKeys<T>(kind: 'metric' | 'param' | 'tag', values: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
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

/** The same entry named twice (by `--data` and by discovery) is recorded once. */
function unique(data: DataLineage[]): DataLineage[] {
  const seen = new Set<string>();
  return data.filter((entry) => {
    const key = canonicalJson(entry);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

import { statSync } from 'node:fs';
import path from 'node:path';
import type { ParamValue, RunSource } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { dvcMetricsFiles, flattenInto, readDvcParams } from './dvcFiles';
import { listDirs, readMlflowRunRecord } from './mlflowRuns';
import { isRecord, projectRelative, readStructuredFile } from './projectFiles';
import { chooseSourceRun, runChoiceForFolder, type RunChoice } from './runProvenance';
import { readWandbRunRecord } from './wandbRuns';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

/** Where params and metrics can come from, in the order the first of each is preferred. */
export type RunRecordFormat = 'params-file' | 'hydra-config' | 'dvc-lock-params' | 'metrics-file' | 'mlflow-run' | 'wandb-run';

export interface ParamsMetricsCandidate {
  /** The file, or the run folder for MLflow and W&B, relative to the project. */
  path: string;
  format: RunRecordFormat;
  params: boolean;
  metrics: boolean;
  /** One line for a person choosing between candidates. */
  description: string;
  /** When the file was last written (for a run: when it ended, from its own records), in ms since 1970. */
  modifiedMs: number;
  /** For an MLflow or W&B run: which run it is and why it is offered. */
  run?: RunSource;
  /**
   * Whether discovery takes it when nobody chooses: every file, and the one run the provenance
   * rules pick; the other runs are there for a person to choose.
   */
  isDefault: boolean;
}

export interface DiscoveryOptions {
  /** The paths being registered: a path inside a run's artifacts makes that run the source. */
  artifacts?: readonly string[];
}

export interface Discovery {
  candidates: ParamsMetricsCandidate[];
  /** Why no run was taken, when the registered paths lie in several. */
  warnings: string[];
}

export interface ParamsAndMetrics {
  params: Record<string, ParamValue>;
  metrics: Record<string, number>;
  /** Facts about a tracked run (its id, user tags) worth keeping as version tags. */
  tags: Record<string, string>;
}

/**
 * Every file in the project that holds params or metrics, most preferred first: params.yaml /
 * params.json, Hydra's .hydra/config.yaml (at the root, else the newest run under outputs/), DVC
 * params in dvc.lock, metrics.json and the metrics files dvc.yaml declares, then tracked runs: the
 * one run the provenance rules pick (see `chooseSourceRun`), then the other finished runs for a
 * person to choose. A run proven by the registered paths (they lie in its artifacts) comes before
 * every file: it is where the model was made.
 */
export function findParamsAndMetrics(projectRoot: string, options: DiscoveryOptions = {}): ParamsMetricsCandidate[] {
  return discoverParamsAndMetrics(projectRoot, options).candidates;
}

export function discoverParamsAndMetrics(projectRoot: string, options: DiscoveryOptions = {}): Discovery {
  const found: ParamsMetricsCandidate[] = [];
  const add = (relative: string, format: RunRecordFormat, params: boolean, metrics: boolean, description: string): void => {
    const stats = statSync(path.join(projectRoot, relative), { throwIfNoEntry: false });
    if (stats && (params || metrics) && !found.some((candidate) => candidate.path === relative)) found.push({ path: relative, format, params, metrics, description, modifiedMs: stats.mtimeMs, isDefault: true });
  };
  for (const name of ['params.yaml', 'params.yml', 'params.json']) add(name, 'params-file', true, false, `params in ${name}`);
  add('.hydra/config.yaml', 'hydra-config', true, false, "Hydra's resolved config");
  const hydraRun = newestHydraRun(projectRoot);
  if (hydraRun) add(hydraRun, 'hydra-config', true, false, `Hydra's resolved config of run ${path.posix.dirname(path.posix.dirname(hydraRun))}`);
  if (exists(projectRoot, 'dvc.lock') && Object.keys(readDvcParams(path.join(projectRoot, 'dvc.lock'))).length > 0) add('dvc.lock', 'dvc-lock-params', true, false, 'params DVC recorded in dvc.lock');
  add('metrics.json', 'metrics-file', false, true, 'metrics in metrics.json');
  if (exists(projectRoot, 'dvc.yaml')) {
    for (const file of dvcMetricsFiles(projectRoot, path.join(projectRoot, 'dvc.yaml'))) add(file, 'metrics-file', false, true, `metrics in ${file} (declared in dvc.yaml)`);
  }
  const provenance = chooseSourceRun(projectRoot, options.artifacts);
  const runs = [...(provenance.chosen ? [runCandidate(provenance.chosen, true)] : []), ...provenance.others.map((choice) => runCandidate(choice, false))].filter((candidate) => candidate.params || candidate.metrics);
  const candidates = provenance.proven ? [...runs.slice(0, 1), ...found, ...runs.slice(1)] : [...found, ...runs];
  return { candidates, warnings: provenance.warnings };
}

/** A run as a candidate: its folder, what it holds, and why it is offered. */
export function runCandidate(choice: RunChoice, isDefault: boolean): ParamsMetricsCandidate {
  const format: RunRecordFormat = choice.source.kind === 'mlflow' ? 'mlflow-run' : 'wandb-run';
  const stats = statSync(choice.folder, { throwIfNoEntry: false });
  return { path: choice.source.path, format, params: choice.params, metrics: choice.metrics, description: choice.source.reason, modifiedMs: stats?.mtimeMs ?? 0, run: choice.source, isDefault };
}

/** What a --params or --metrics file given by hand is, judged by its name and place. */
export function candidateForFile(projectRoot: string, file: string): ParamsMetricsCandidate {
  const absolute = path.resolve(projectRoot, file);
  const stats = statSync(absolute, { throwIfNoEntry: false });
  if (!stats) throw new RegistryError('NOT_FOUND', `${file} does not exist; give a params or metrics file (YAML or JSON), dvc.lock, or an MLflow run folder.`);
  const relative = projectRelative(projectRoot, absolute);
  const base = { path: relative, modifiedMs: stats.mtimeMs, description: relative, isDefault: true };
  if (stats.isDirectory()) {
    const given = `named with --params or --metrics`;
    if (exists(absolute, 'meta.yaml') || exists(absolute, 'metrics') || exists(absolute, 'params')) return { ...base, format: 'mlflow-run', params: true, metrics: true, run: runChoiceForFolder(projectRoot, absolute, 'mlflow-run', given).source };
    if (exists(absolute, 'files')) return { ...base, format: 'wandb-run', params: true, metrics: true, run: runChoiceForFolder(projectRoot, absolute, 'wandb-run', given).source };
    throw new RegistryError('INVALID_INPUT', `${file} is a folder but neither an MLflow run (metrics/, params/) nor a W&B run (files/).`);
  }
  if (path.basename(absolute) === 'dvc.lock') return { ...base, format: 'dvc-lock-params', params: true, metrics: false };
  return { ...base, format: 'params-file', params: true, metrics: true };
}

/** Reads one candidate: its params, metrics and run tags, whichever it holds. */
export function readParamsAndMetrics(projectRoot: string, candidate: ParamsMetricsCandidate): ParamsAndMetrics {
  const where = path.resolve(projectRoot, candidate.path);
  const result: ParamsAndMetrics = { params: userKeyedRecord(), metrics: userKeyedRecord(), tags: userKeyedRecord() };
  switch (candidate.format) {
    case 'params-file':
    case 'hydra-config':
    case 'metrics-file': {
      const document = readStructuredFile(where);
      if (!isRecord(document)) throw new RegistryError('INVALID_INPUT', `${candidate.path} holds no key/value mapping of params or metrics.`);
      if (candidate.params) flattenInto(result.params, document, '');
      if (candidate.metrics) collectNumbers(result.metrics, document, '');
      break;
    }
    case 'dvc-lock-params':
      result.params = readDvcParams(where);
      break;
    case 'mlflow-run': {
      const run = readMlflowRunRecord(where);
      Object.assign(result, { params: run.params, metrics: run.metrics, tags: run.tags });
      result.tags['mlflow.run_id'] = candidate.run?.id ?? path.basename(where);
      break;
    }
    case 'wandb-run': {
      const run = readWandbRunRecord(where);
      Object.assign(result, { params: run.params, metrics: run.metrics });
      const id = candidate.run?.id ?? runChoiceForFolder(projectRoot, where, 'wandb-run', '').source.id;
      if (id) result.tags['wandb.run_id'] = id;
      break;
    }
  }
  return result;
}

/** Nested numbers become dotted metric names; everything else (strings, histograms' lists) is left out. */
function collectNumbers(into: Record<string, number>, value: Record<string, unknown>, prefix: string): void {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof inner === 'number' && Number.isFinite(inner)) setOwn(into, name, inner);
    else if (isRecord(inner)) collectNumbers(into, inner, name);
  }
}

function exists(dir: string, relative: string): boolean {
  return statSync(path.join(dir, relative), { throwIfNoEntry: false }) !== undefined;
}

/** Hydra writes each run to outputs/<date>/<time>/.hydra/config.yaml. */
function newestHydraRun(projectRoot: string): string | undefined {
  let newest: { relative: string; mtime: number } | undefined;
  for (const day of listDirs(path.join(projectRoot, 'outputs'))) {
    for (const time of listDirs(path.join(projectRoot, 'outputs', day))) {
      const relative = `outputs/${day}/${time}/.hydra/config.yaml`;
      const stats = statSync(path.join(projectRoot, relative), { throwIfNoEntry: false });
      if (stats && (!newest || stats.mtimeMs > newest.mtime)) newest = { relative, mtime: stats.mtimeMs };
    }
  }
  return newest?.relative;
}


import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ParamValue } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { dvcMetricsFiles, flattenInto, readDvcParams } from './dvcFiles';
import { isRecord, projectRelative, readProjectText, readStructuredFile } from './projectFiles';

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
  /** When the file (or run) was last written, in ms since 1970. */
  modifiedMs: number;
}

export interface ParamsAndMetrics {
  params: Record<string, ParamValue>;
  metrics: Record<string, number>;
  /** Facts about a tracked run (its id, user tags) worth keeping as version tags. */
  tags: Record<string, string>;
}

/** MLflow projects pile up runs; only the newest are offered. */
const NEWEST_RUNS = 20;

/**
 * Every file in the project that holds params or metrics, most preferred first: params.yaml /
 * params.json, Hydra's .hydra/config.yaml (at the root, else the newest run under outputs/), DVC
 * params in dvc.lock, metrics.json and the metrics files dvc.yaml declares, MLflow file-store runs
 * (newest first) and W&B's latest run. When several hold the same kind, a person may choose.
 */
export function findParamsAndMetrics(projectRoot: string): ParamsMetricsCandidate[] {
  const found: ParamsMetricsCandidate[] = [];
  const add = (relative: string, format: RunRecordFormat, params: boolean, metrics: boolean, description: string): void => {
    const stats = statSync(path.join(projectRoot, relative), { throwIfNoEntry: false });
    if (stats && (params || metrics) && !found.some((candidate) => candidate.path === relative)) found.push({ path: relative, format, params, metrics, description, modifiedMs: stats.mtimeMs });
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
  for (const run of mlflowRuns(projectRoot)) add(run.path, 'mlflow-run', run.params, run.metrics, run.description);
  const wandb = 'wandb/latest-run/files';
  const summary = exists(projectRoot, `${wandb}/wandb-summary.json`);
  const config = exists(projectRoot, `${wandb}/config.yaml`);
  if (summary || config) add('wandb/latest-run', 'wandb-run', config, summary, `W&B latest run (${path.basename(safeRealpath(path.join(projectRoot, 'wandb/latest-run')))})`);
  return found;
}

/** What a --params or --metrics file given by hand is, judged by its name and place. */
export function candidateForFile(projectRoot: string, file: string): ParamsMetricsCandidate {
  const absolute = path.resolve(projectRoot, file);
  const stats = statSync(absolute, { throwIfNoEntry: false });
  if (!stats) throw new RegistryError('NOT_FOUND', `${file} does not exist; give a params or metrics file (YAML or JSON), dvc.lock, or an MLflow run folder.`);
  const relative = projectRelative(projectRoot, absolute);
  const base = { path: relative, modifiedMs: stats.mtimeMs, description: relative };
  if (stats.isDirectory()) {
    if (exists(absolute, 'meta.yaml') || exists(absolute, 'metrics') || exists(absolute, 'params')) return { ...base, format: 'mlflow-run', params: true, metrics: true };
    if (exists(absolute, 'files')) return { ...base, format: 'wandb-run', params: true, metrics: true };
    throw new RegistryError('INVALID_INPUT', `${file} is a folder but neither an MLflow run (metrics/, params/) nor a W&B run (files/).`);
  }
  if (path.basename(absolute) === 'dvc.lock') return { ...base, format: 'dvc-lock-params', params: true, metrics: false };
  return { ...base, format: 'params-file', params: true, metrics: true };
}

/** Reads one candidate: its params, metrics and run tags, whichever it holds. */
export function readParamsAndMetrics(projectRoot: string, candidate: ParamsMetricsCandidate): ParamsAndMetrics {
  const where = path.resolve(projectRoot, candidate.path);
  const result: ParamsAndMetrics = { params: {}, metrics: {}, tags: {} };
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
    case 'mlflow-run':
      readMlflowRun(where, result);
      break;
    case 'wandb-run':
      readWandbRun(where, result);
      break;
  }
  return result;
}

/** Nested numbers become dotted metric names; everything else (strings, histograms' lists) is left out. */
function collectNumbers(into: Record<string, number>, value: Record<string, unknown>, prefix: string): void {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof inner === 'number' && Number.isFinite(inner)) into[name] = inner;
    else if (isRecord(inner)) collectNumbers(into, inner, name);
  }
}

function exists(dir: string, relative: string): boolean {
  return statSync(path.join(dir, relative), { throwIfNoEntry: false }) !== undefined;
}

function safeRealpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
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

/** MLflow's file store: mlruns/<experiment id>/<run id>/{meta.yaml, metrics/, params/, tags/}. */
function mlflowRuns(projectRoot: string): { path: string; params: boolean; metrics: boolean; description: string }[] {
  const runs: { relative: string; mtime: number }[] = [];
  for (const experiment of listDirs(path.join(projectRoot, 'mlruns'))) {
    if (experiment === 'models') continue;
    for (const run of listDirs(path.join(projectRoot, 'mlruns', experiment))) {
      const relative = `mlruns/${experiment}/${run}`;
      const stats = statSync(path.join(projectRoot, relative, 'meta.yaml'), { throwIfNoEntry: false });
      if (stats) runs.push({ relative, mtime: stats.mtimeMs });
    }
  }
  runs.sort((a, b) => b.mtime - a.mtime);
  return runs.slice(0, NEWEST_RUNS).map(({ relative }) => {
    const folder = path.join(projectRoot, relative);
    const [, experiment, run] = relative.split('/');
    let name = '';
    try {
      const meta = readStructuredFile(path.join(folder, 'meta.yaml'));
      if (isRecord(meta) && typeof meta.run_name === 'string') name = ` "${meta.run_name}"`;
    } catch {
      // a run without readable metadata is still offered by its id
    }
    return { path: relative, params: exists(folder, 'params'), metrics: exists(folder, 'metrics'), description: `MLflow run${name} ${run} (experiment ${experiment})` };
  });
}

function readMlflowRun(folder: string, into: ParamsAndMetrics): void {
  for (const [name, file] of filesUnder(path.join(folder, 'params'), '')) into.params[name] = readProjectText(file);
  for (const [name, file] of filesUnder(path.join(folder, 'metrics'), '')) {
    // Each line is `<timestamp ms> <value> <step>`; the last line is the metric's final value.
    const lines = readProjectText(file).trim().split('\n');
    const value = Number(lines[lines.length - 1]?.trim().split(/\s+/)[1]);
    if (Number.isFinite(value)) into.metrics[name] = value;
  }
  for (const [name, file] of filesUnder(path.join(folder, 'tags'), '')) {
    if (!name.startsWith('mlflow.')) into.tags[name] = readProjectText(file);
  }
  into.tags['mlflow.run_id'] = path.basename(folder);
}

/** Metric and param names may hold `/`, which MLflow stores as sub-folders. */
function filesUnder(dir: string, prefix: string): [string, string][] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: [string, string][] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...filesUnder(path.join(dir, entry.name), name));
    else if (entry.isFile()) files.push([name, path.join(dir, entry.name)]);
  }
  return files;
}

/** W&B: files/wandb-summary.json holds each metric's last value; files/config.yaml holds `{key: {value}}`. */
function readWandbRun(folder: string, into: ParamsAndMetrics): void {
  const summaryFile = path.join(folder, 'files', 'wandb-summary.json');
  if (statSync(summaryFile, { throwIfNoEntry: false })) {
    const summary = readStructuredFile(summaryFile);
    if (isRecord(summary)) {
      const visible = Object.fromEntries(Object.entries(summary).filter(([key]) => !key.startsWith('_')));
      collectNumbers(into.metrics, visible, '');
    }
  }
  const configFile = path.join(folder, 'files', 'config.yaml');
  if (statSync(configFile, { throwIfNoEntry: false })) {
    const config = readStructuredFile(configFile);
    if (isRecord(config)) {
      const values: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(config)) {
        if (!key.startsWith('_') && isRecord(entry) && 'value' in entry) values[key] = entry.value;
      }
      flattenInto(into.params, values, '');
    }
  }
  const runFolder = path.basename(safeRealpath(folder));
  const id = /^run-\d{8}_\d{6}-(.+)$/.exec(runFolder)?.[1];
  if (id) into.tags['wandb.run_id'] = id;
}


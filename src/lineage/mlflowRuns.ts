import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ParamValue } from '../core/manifest';
import { readMlflowMeta } from './mlflowMeta';
import { readProjectText } from './projectFiles';
import { typedParamValue } from './typedParams';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

/**
 * A run of MLflow's file store: mlruns/<experiment id>/<run id>/{meta.yaml, params/, metrics/, tags/,
 * artifacts/}. Its times and state come from meta.yaml, never from file times, which a git clone or a
 * CI checkout sets to the moment of checkout.
 */
export interface MlflowRun {
  /** The run folder, absolute. */
  folder: string;
  runId: string;
  experimentId: string;
  name?: string;
  /** RUNNING, SCHEDULED, FINISHED, FAILED, KILLED (meta.yaml stores the enum's number). */
  status: string;
  /** 'active', or 'deleted' for a run (or experiment) deleted in the UI. */
  lifecycleStage: string;
  /** ms since 1970, from meta.yaml. */
  startTime?: number;
  endTime?: number;
  hasParams: boolean;
  hasMetrics: boolean;
}

/** mlflow.entities.RunStatus, as the file store persists it. */
const RUN_STATUS: Record<number, string> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

/** Every run under `<projectRoot>/mlruns` that meta.yaml describes, deleted ones included (the caller decides). */
export function listMlflowRuns(projectRoot: string): MlflowRun[] {
  const store = path.join(projectRoot, 'mlruns');
  const runs: MlflowRun[] = [];
  for (const experiment of listDirs(store)) {
    if (experiment === 'models') continue;
    const experimentDeleted = lifecycleOf(path.join(store, experiment, 'meta.yaml')) === 'deleted';
    for (const entry of listDirs(path.join(store, experiment))) {
      const run = readMlflowRunInfo(path.join(store, experiment, entry));
      if (run) runs.push(experimentDeleted ? { ...run, lifecycleStage: 'deleted' } : run);
    }
  }
  return runs;
}

/** A run folder's meta.yaml, or undefined when the folder is no run (an MLflow 3 `models/` folder, a stray folder). */
export function readMlflowRunInfo(folder: string): MlflowRun | undefined {
  const meta = readMlflowMeta(path.join(folder, 'meta.yaml'));
  if (!meta) return undefined;
  if (!('run_id' in meta) && !('run_uuid' in meta)) return undefined;
  // The file store names the folder by the run id; a meta.yaml id that is not text is not trusted over it.
  const runId = typeof meta.run_id === 'string' && meta.run_id ? meta.run_id : typeof meta.run_uuid === 'string' && meta.run_uuid ? meta.run_uuid : path.basename(folder);
  const status = typeof meta.status === 'number' ? (RUN_STATUS[meta.status] ?? `status ${meta.status}`) : (stringOf(meta.status)?.toUpperCase() ?? 'UNKNOWN');
  const run: MlflowRun = {
    folder,
    runId,
    experimentId: stringOf(meta.experiment_id) ?? path.basename(path.dirname(folder)),
    status,
    lifecycleStage: stringOf(meta.lifecycle_stage) ?? 'active',
    hasParams: isDir(path.join(folder, 'params')),
    hasMetrics: isDir(path.join(folder, 'metrics')),
  };
  const name = stringOf(meta.run_name);
  if (name) run.name = name;
  if (typeof meta.start_time === 'number') run.startTime = meta.start_time;
  if (typeof meta.end_time === 'number') run.endTime = meta.end_time;
  return run;
}

/**
 * The run a registered path was logged to: a path under `<run>/artifacts/` belongs to that run; a
 * path under an MLflow 3 logged model (`<experiment>/models/<model id>/artifacts/`) to the run its
 * meta.yaml names as `source_run_id`.
 */
export function mlflowRunHolding(file: string): MlflowRun | undefined {
  let dir = path.resolve(file);
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    if (path.basename(dir) === 'artifacts') {
      const run = readMlflowRunInfo(parent);
      if (run) return run;
      const sourceRun = loggedModelSourceRun(parent);
      if (sourceRun) return sourceRun;
    }
    dir = parent;
  }
}

function loggedModelSourceRun(modelFolder: string): MlflowRun | undefined {
  if (path.basename(path.dirname(modelFolder)) !== 'models') return undefined;
  const sourceRunId = stringOf(readMlflowMeta(path.join(modelFolder, 'meta.yaml'))?.source_run_id);
  return sourceRunId ? readMlflowRunInfo(path.join(path.dirname(path.dirname(modelFolder)), sourceRunId)) : undefined;
}

/** The run with this id among the project's runs. */
export function mlflowRunById(projectRoot: string, runId: string): MlflowRun | undefined {
  return listMlflowRuns(projectRoot).find((run) => run.runId === runId);
}

/** When a run ended, else when it started: the time runs are ordered by. */
export function runTime(run: MlflowRun): number {
  return run.endTime ?? run.startTime ?? 0;
}

/** Finished, not deleted: a run whose results can be trusted as a model's recipe. */
export function isUsableRun(run: MlflowRun): boolean {
  return run.status === 'FINISHED' && run.lifecycleStage === 'active';
}

/** Usable runs, newest first by end (else start) time from meta.yaml; ties by run id, so the order is stable. */
export function usableRunsNewestFirst(runs: MlflowRun[]): MlflowRun[] {
  return runs.filter(isUsableRun).sort((a, b) => runTime(b) - runTime(a) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
}

/**
 * A run's params, metrics and user tags. Params are strings in MLflow (`str(value)`); those that
 * read as numbers or booleans are recorded typed, as the same param from params.yaml would be.
 * A metric's value is MLflow's latest value: of every logged `timestamp value step` line, the one
 * with the greatest (step, timestamp, value), as `FileStore._get_metric_from_file` takes it.
 */
export function readMlflowRunRecord(folder: string): { params: Record<string, ParamValue>; metrics: Record<string, number>; tags: Record<string, string> } {
  const params = userKeyedRecord<ParamValue>();
  const metrics = userKeyedRecord<number>();
  const tags = userKeyedRecord<string>();
  for (const [name, file] of filesUnder(path.join(folder, 'params'), '')) setOwn(params, name, typedParamValue(readProjectText(file)));
  for (const [name, file] of filesUnder(path.join(folder, 'metrics'), '')) {
    const latest = latestMetricValue(readProjectText(file));
    if (latest !== undefined && Number.isFinite(latest)) setOwn(metrics, name, latest);
  }
  for (const [name, file] of filesUnder(path.join(folder, 'tags'), '')) {
    if (!name.startsWith('mlflow.')) setOwn(tags, name, readProjectText(file));
  }
  return { params, metrics, tags };
}

/**
 * MLflow's latest value of one metric file. Python's max() keeps the first of equal keys and
 * replaces it only by a strictly greater tuple; comparing equal-length tuples element by element,
 * NaN is never greater nor equal, so that is what this does too. A line without a step has step 0.
 */
export function latestMetricValue(text: string): number | undefined {
  let best: { step: number; timestamp: number; value: number } | undefined;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 2 || parts.length > 3 || parts[0] === '') continue;
    const entry = { timestamp: Number(parts[0]), value: pythonFloat(parts[1]), step: parts.length === 3 ? Number(parts[2]) : 0 };
    if (!Number.isInteger(entry.timestamp) || !Number.isInteger(entry.step)) continue;
    if (!best || greater(entry, best)) best = entry;
  }
  return best?.value;
}

function greater(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** Python's float(): 'nan', 'inf', '-Infinity' as well as decimal numbers. */
function pythonFloat(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return Number.NaN;
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  return text.trim() === '' ? Number.NaN : Number(text);
}

function lifecycleOf(metaFile: string): string | undefined {
  return stringOf(readMlflowMeta(metaFile)?.lifecycle_stage);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;
}

function isDir(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
}

export function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
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

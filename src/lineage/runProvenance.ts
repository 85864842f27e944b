import { statSync } from 'node:fs';
import path from 'node:path';
import type { RunSource } from '../core/manifest';
import { readMlflowModelFile } from '../formats/mlflowModel';
import { isUsableRun, listMlflowRuns, mlflowRunHolding, runTime, usableRunsNewestFirst, type MlflowRun } from './mlflowRuns';
import { projectRelative } from './projectFiles';
import { latestWandbRun, wandbRunHolding, type WandbRun } from './wandbRuns';

/** A tracked run that may be a version's source, with what it holds. */
export interface RunChoice {
  source: RunSource;
  /** The run folder, absolute. */
  folder: string;
  params: boolean;
  metrics: boolean;
}

export interface RunProvenance {
  /** The run the rules pick, when they pick one. */
  chosen?: RunChoice;
  /** Whether `chosen` was proven by the registered paths (in its artifacts, named by its MLmodel), not only the newest. */
  proven: boolean;
  /** The other runs a person may choose instead, newest first. */
  others: RunChoice[];
  /** Why no run was picked when the registered paths point at several. */
  warnings: string[];
}

/** Only the newest runs are offered to a person choosing; MLflow projects pile them up. */
const OFFERED_RUNS = 20;

/**
 * Which one run a version's params, metrics and run tags come from:
 * 1. a registered path under an MLflow run's `artifacts/` (or a W&B run's `files/`) → that run;
 * 2. a registered MLflow model folder whose MLmodel names a `run_id` found in mlruns/ → that run;
 * 3. else the newest MLflow run that FINISHED and is not deleted, by end_time (else start_time) in
 *    meta.yaml — never by file times, which a clone or a checkout sets;
 * 4. else W&B's latest run.
 * Registered paths that lie in different runs pick none (a person names one).
 */
export function chooseSourceRun(projectRoot: string, artifacts: readonly string[] = []): RunProvenance {
  const mlflowRuns = listMlflowRuns(projectRoot);
  const warnings: string[] = [];
  const proven = new Map<string, RunChoice>();
  for (const artifact of artifacts) {
    const relative = projectRelative(projectRoot, artifact);
    const inMlflow = mlflowRunHolding(artifact);
    if (inMlflow) {
      proven.set(inMlflow.folder, mlflowChoice(projectRoot, inMlflow, `${relative} lies in the run's artifacts${statusNote(inMlflow)}`));
      continue;
    }
    const inWandb = wandbRunHolding(artifact);
    if (inWandb) {
      proven.set(inWandb.folder, wandbChoice(projectRoot, inWandb, `${relative} lies in the run's files`));
      continue;
    }
    const named = runNamedByMlmodel(artifact, mlflowRuns);
    if (named) proven.set(named.folder, mlflowChoice(projectRoot, named, `the MLmodel of ${relative} names run_id ${named.runId}${statusNote(named)}`));
  }
  const usable = usableRunsNewestFirst(mlflowRuns);
  const offered = (except?: string): RunChoice[] => {
    const others = usable.filter((run) => run.folder !== except).slice(0, OFFERED_RUNS).map((run) => mlflowChoice(projectRoot, run, 'chosen by a person from the finished runs'));
    const latest = latestWandbRun(projectRoot);
    if (latest && latest.folder !== except) others.push(wandbChoice(projectRoot, latest, 'chosen by a person'));
    return others;
  };
  if (proven.size > 1) {
    const listed = [...proven.values()].map((choice) => `${choice.source.kind} run ${choice.source.id ?? choice.source.path}`).join(', ');
    warnings.push(`The registered paths lie in different runs (${listed}); no run's params and metrics were taken. Name one with --params/--metrics.`);
    return { proven: false, others: [...proven.values(), ...offered()], warnings };
  }
  if (proven.size === 1) {
    const [chosen] = proven.values();
    return { chosen, proven: true, others: offered(chosen.folder), warnings };
  }
  const newest = usable[0];
  if (newest) {
    const left = mlflowRuns.length - usable.length;
    const leftOut = left > 0 ? `; ${left} running, failed, killed or deleted run(s) left out` : '';
    const when = newest.endTime !== undefined ? `end_time ${new Date(newest.endTime).toISOString()}` : `start_time ${new Date(runTime(newest)).toISOString()}`;
    const chosen = mlflowChoice(projectRoot, newest, `the newest finished run (${when} in meta.yaml) of ${usable.length}${leftOut}`);
    return { chosen, proven: false, others: offered(newest.folder), warnings };
  }
  const latest = latestWandbRun(projectRoot);
  if (latest) {
    const chosen = wandbChoice(projectRoot, latest, "W&B's latest-run");
    return { chosen, proven: false, others: [], warnings };
  }
  return { proven: false, others: [], warnings };
}

/** A run named by hand (`--params mlruns/0/<id>`), with the reason it was taken. */
export function runChoiceForFolder(projectRoot: string, folder: string, format: 'mlflow-run' | 'wandb-run', reason: string): RunChoice {
  if (format === 'mlflow-run') {
    const run = listMlflowRuns(projectRoot).find((candidate) => candidate.folder === path.resolve(folder));
    if (run) return mlflowChoice(projectRoot, run, `${reason}${statusNote(run)}`);
    const id = path.basename(folder);
    return { source: { kind: 'mlflow', id, path: projectRelative(projectRoot, folder), reason }, folder, params: isDir(path.join(folder, 'params')), metrics: isDir(path.join(folder, 'metrics')) };
  }
  const holding = wandbRunHolding(path.join(folder, 'files', 'x'));
  const latest = path.basename(folder) === 'latest-run' ? latestWandbRun(path.dirname(path.dirname(folder))) : undefined;
  return wandbChoice(projectRoot, { folder, id: holding?.id ?? latest?.id }, reason);
}

function mlflowChoice(projectRoot: string, run: MlflowRun, reason: string): RunChoice {
  const name = run.name ? ` "${run.name}"` : '';
  return {
    source: { kind: 'mlflow', id: run.runId, path: projectRelative(projectRoot, run.folder), reason: `MLflow run${name}: ${reason}` },
    folder: run.folder,
    params: run.hasParams,
    metrics: run.hasMetrics,
  };
}

function wandbChoice(projectRoot: string, run: WandbRun, reason: string): RunChoice {
  const source: RunSource = { kind: 'wandb', path: projectRelative(projectRoot, run.folder), reason: `W&B run: ${reason}` };
  if (run.id) source.id = run.id;
  return {
    source,
    folder: run.folder,
    params: isFile(path.join(run.folder, 'files', 'config.yaml')),
    metrics: isFile(path.join(run.folder, 'files', 'wandb-summary.json')),
  };
}

/** A registered MLflow model (the folder holding MLmodel, or MLmodel itself) whose run is in mlruns/. */
function runNamedByMlmodel(artifact: string, runs: MlflowRun[]): MlflowRun | undefined {
  const stats = statSync(artifact, { throwIfNoEntry: false });
  const file = stats?.isDirectory() ? path.join(artifact, 'MLmodel') : path.basename(artifact) === 'MLmodel' ? artifact : undefined;
  const runId = file ? readMlflowModelFile(file)?.runId : undefined;
  return runId ? runs.find((run) => run.runId === runId) : undefined;
}

/** A run picked by its artifacts that is not a finished, active run says so. */
function statusNote(run: MlflowRun): string {
  if (isUsableRun(run)) return '';
  const notes = [run.status !== 'FINISHED' ? `status ${run.status}` : '', run.lifecycleStage !== 'active' ? `lifecycle_stage ${run.lifecycleStage}` : ''].filter(Boolean);
  return ` (note: ${notes.join(', ')})`;
}

function isDir(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ParamValue } from '../core/manifest';
import { flattenInto } from './dvcFiles';
import { isRecord, readStructuredFile } from './projectFiles';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

/** A W&B run folder: wandb/run-<YYYYMMDD_HHMMSS>-<id>/ (offline-run-… offline), with files/ inside. */
export interface WandbRun {
  /** The run folder, absolute (for latest-run, the folder it stands for when that is known). */
  folder: string;
  /** The run id, when the folder's name or its `run-<id>.wandb` file says it. */
  id?: string;
}

const RUN_FOLDER = /^(?:offline-)?run-\d{8}_\d{6}-([A-Za-z0-9]+)$/;
const RUN_FILE = /^run-([A-Za-z0-9]+)\.wandb$/;

/** The run id of a run folder: from its `run-<id>.wandb` file, else from the folder's name. */
export function wandbRunId(folder: string): string | undefined {
  try {
    for (const name of readdirSync(folder).sort()) {
      const id = RUN_FILE.exec(name)?.[1];
      if (id) return id;
    }
  } catch {
    return undefined;
  }
  return RUN_FOLDER.exec(path.basename(folder))?.[1];
}

/**
 * W&B's latest run, as `wandb/latest-run` says: a link to the run folder, or (in every repository
 * that committed one, since copies and archives do not keep links) a real folder, whose id comes
 * from its `run-<id>.wandb` file or from the run folder whose wandb-metadata.json has the same
 * `startedAt`.
 */
export function latestWandbRun(projectRoot: string): WandbRun | undefined {
  const latest = path.join(projectRoot, 'wandb', 'latest-run');
  const stats = lstatSync(latest, { throwIfNoEntry: false });
  if (!stats) return undefined;
  if (stats.isSymbolicLink()) {
    let target: string;
    try {
      // Resolved beside the link, not through realpath, so the folder stays inside the project as named.
      target = path.resolve(path.dirname(latest), readlinkSync(latest));
    } catch {
      return undefined;
    }
    if (!statSync(target, { throwIfNoEntry: false })?.isDirectory()) return undefined;
    return { folder: target, id: wandbRunId(target) };
  }
  if (!stats.isDirectory()) return undefined;
  const id = wandbRunId(latest);
  if (id) return { folder: latest, id };
  const started = startedAt(latest);
  if (started) {
    for (const folder of runFolders(projectRoot)) {
      if (startedAt(folder) === started) return { folder: latest, id: wandbRunId(folder) };
    }
  }
  return { folder: latest };
}

/** The W&B run a registered path was saved in: a path under `<run folder>/files/`. */
export function wandbRunHolding(file: string): WandbRun | undefined {
  let dir = path.resolve(file);
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    if (path.basename(dir) === 'files' && (RUN_FOLDER.test(path.basename(parent)) || path.basename(parent) === 'latest-run')) {
      const id = wandbRunId(parent);
      if (id || path.basename(parent) !== 'latest-run') return { folder: parent, id };
      const latest = latestWandbRun(path.dirname(path.dirname(parent)));
      return { folder: parent, id: latest?.id };
    }
    dir = parent;
  }
}

/**
 * A run's metrics and params. files/wandb-summary.json holds each logged value's last value, media
 * among them: a value with a `_type` (`images/separated`, `table-file`, `histogram` …) is a media
 * object or a chart, not a metric, and neither are `_runtime`, `_step`, `_timestamp`.
 * files/config.yaml holds `{key: {value}}`; W&B's own `_wandb` key is left out.
 */
export function readWandbRunRecord(folder: string): { params: Record<string, ParamValue>; metrics: Record<string, number> } {
  const params = userKeyedRecord<ParamValue>();
  const metrics = userKeyedRecord<number>();
  const summaryFile = path.join(folder, 'files', 'wandb-summary.json');
  if (statSync(summaryFile, { throwIfNoEntry: false })) {
    const summary = readStructuredFile(summaryFile);
    if (isRecord(summary)) summaryNumbers(metrics, summary, '');
  }
  const configFile = path.join(folder, 'files', 'config.yaml');
  if (statSync(configFile, { throwIfNoEntry: false })) {
    const config = readStructuredFile(configFile);
    if (isRecord(config)) {
      const values = userKeyedRecord<unknown>();
      for (const [key, entry] of Object.entries(config)) {
        if (!key.startsWith('_') && isRecord(entry) && 'value' in entry) setOwn(values, key, entry.value);
      }
      flattenInto(params, values, '');
    }
  }
  return { params, metrics };
}

function summaryNumbers(into: Record<string, number>, value: Record<string, unknown>, prefix: string): void {
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('_')) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof inner === 'number' && Number.isFinite(inner)) setOwn(into, name, inner);
    else if (isRecord(inner) && !('_type' in inner)) summaryNumbers(into, inner, name);
  }
}

function runFolders(projectRoot: string): string[] {
  const wandb = path.join(projectRoot, 'wandb');
  try {
    return readdirSync(wandb)
      .filter((name) => RUN_FOLDER.test(name))
      .sort()
      .map((name) => path.join(wandb, name));
  } catch {
    return [];
  }
}

function startedAt(folder: string): string | undefined {
  const file = path.join(folder, 'files', 'wandb-metadata.json');
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return undefined;
  try {
    const metadata = readStructuredFile(file);
    return isRecord(metadata) && typeof metadata.startedAt === 'string' ? metadata.startedAt : undefined;
  } catch {
    return undefined;
  }
}

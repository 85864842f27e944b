import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DataLineage } from '../core/manifest';
import { throwIfCancelled } from '../core/registryError';
import { dvcMd5 } from './dvcMd5';

/** A folder out is compared by file count and total size; walking more files than this is left unchecked. */
const MAX_FOLDER_FILES = 100_000;

export interface LocalCheckOptions {
  /** Read the file and compare DVC's md5 too (for data named by hand and registered artifacts), not only its size. */
  md5: boolean;
  signal?: AbortSignal;
}

/**
 * A DVC entry compared with what is on disk now, keeping both facts: absent (a fresh clone, not
 * pulled) → `local: 'not-pulled'`, recorded from the DVC file; a size, md5 or file count that
 * differs → `local: 'differs'` with what is on disk and a warning; else 'verified' (md5 compared) or
 * 'size-matches'. Entries that are not local DVC data (URIs, imports' sources) are returned as they are.
 */
export async function checkDvcEntryOnDisk(projectRoot: string, entry: DataLineage, options: LocalCheckOptions): Promise<DataLineage> {
  if (entry.kind === 'uri' || entry.md5 === undefined || entry.local !== undefined) return entry;
  const where = path.resolve(projectRoot, entry.uri);
  const stats = statSync(where, { throwIfNoEntry: false });
  if (!stats) return { ...entry, local: 'not-pulled' };
  const recordedBy = entry.source ?? 'DVC';
  if (entry.kind === 'folder') {
    if (!stats.isDirectory()) return { ...entry, local: 'differs', warning: `${entry.uri} is a file, but ${recordedBy} records a folder.` };
    const counted = countFolder(where);
    if (!counted) return entry;
    const problems: string[] = [];
    if (entry.files !== undefined && counted.files !== entry.files) problems.push(`${counted.files} file(s) where ${recordedBy} records ${entry.files}`);
    if (entry.size !== undefined && counted.size !== entry.size) problems.push(`${counted.size} bytes where ${recordedBy} records ${entry.size}`);
    if (problems.length === 0) return { ...entry, local: 'size-matches' };
    return { ...entry, local: 'differs', localFiles: counted.files, localSize: counted.size, warning: `${entry.uri} on disk holds ${problems.join(' and ')}: it is not the data DVC recorded (dvc status; dvc pull or dvc commit).` };
  }
  if (!stats.isFile()) return { ...entry, local: 'differs', warning: `${entry.uri} is a folder, but ${recordedBy} records a file.` };
  if (entry.size !== undefined && stats.size !== entry.size) {
    return { ...entry, local: 'differs', localSize: stats.size, warning: `${entry.uri} is ${stats.size} bytes on disk where ${recordedBy} records ${entry.size}: it is not the data DVC recorded (dvc status; dvc pull or dvc commit).` };
  }
  if (!options.md5) return { ...entry, local: 'size-matches' };
  throwIfCancelled(options.signal);
  const md5 = await dvcMd5(where, entry.hash ?? 'md5-dos2unix');
  if (md5 === entry.md5) return { ...entry, local: 'verified' };
  return { ...entry, local: 'differs', localSize: stats.size, localMd5: md5, warning: `${entry.uri} has md5 ${md5} on disk where ${recordedBy} records ${entry.md5}: it is not the data DVC recorded (dvc status; dvc pull or dvc commit).` };
}

/**
 * Registered artifacts that are DVC outs (of a dvc.lock stage, or of a `.dvc` file), compared with
 * what DVC recorded for them: a version claims a pipeline's lineage only for bytes that pipeline
 * produced. The out's entry gets `artifactCheck` and, when they differ, a warning.
 */
export async function crossCheckArtifacts(projectRoot: string, data: DataLineage[], artifacts: readonly string[], signal?: AbortSignal): Promise<DataLineage[]> {
  const registered = new Set(artifacts.map((artifact) => relativeToProject(projectRoot, artifact)));
  const checked: DataLineage[] = [];
  for (const entry of data) {
    if (entry.role !== 'out' || entry.kind === 'uri' || !registered.has(entry.uri)) {
      checked.push(entry);
      continue;
    }
    const local = await checkDvcEntryOnDisk(projectRoot, withoutLocalCheck(entry), { md5: true, signal });
    const result = local.local === 'differs' ? 'differs' : 'match';
    const stage = entry.stage ? ` of stage '${entry.stage}'` : '';
    const warning = result === 'differs' ? `Registered ${entry.uri} is an out${stage} in ${entry.source ?? 'DVC'}, but ${lowerFirst(local.warning ?? 'it differs from it.')}` : undefined;
    const withCheck: DataLineage = { ...local, artifactCheck: { artifact: entry.uri, result } };
    if (warning) withCheck.warning = warning;
    else delete withCheck.warning;
    checked.push(withCheck);
  }
  return checked;
}

/** The entry as DVC records it, before any comparison with the disk. */
function withoutLocalCheck(entry: DataLineage): DataLineage {
  const { local: _local, localSize: _size, localMd5: _md5, localFiles: _files, warning: _warning, ...recorded } = entry;
  return recorded;
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0].toLowerCase() + text.slice(1) : text;
}

function relativeToProject(projectRoot: string, file: string): string {
  return path.relative(projectRoot, path.resolve(file)).split(path.sep).join('/') || '.';
}

/** File count and total size under a folder, as DVC counts a directory out; undefined past the walking budget. */
function countFolder(dir: string): { files: number; size: number } | undefined {
  let files = 0;
  let size = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const item of entries) {
      const full = path.join(current, item.name);
      if (item.isDirectory()) {
        // DVC keeps its own bookkeeping out of a directory's hash.
        if (item.name !== '.dvc' && item.name !== '.git') pending.push(full);
      } else if (item.isFile()) {
        if (++files > MAX_FOLDER_FILES) return undefined;
        size += statSync(full).size;
      }
    }
  }
  return { files, size };
}

import { statSync } from 'node:fs';
import path from 'node:path';
import { collectArtifactFiles } from '../store/artifactFiles';
import type { DataLineage } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { sha256Hex } from '../core/sha256';
import type { HashOptions } from '../store/fileHashing';
import { isDvcFile, readDvcData } from './dvcFiles';
import { checkDvcEntryOnDisk } from './dvcLocalCheck';
import { projectRelative } from './projectFiles';

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/** What hashes a data file: the registry's stat cache, or (for a dry run, which writes nothing) a read-only use of it. */
export interface FileHasher {
  hash(file: string, options?: HashOptions): Promise<{ sha256: string; size: number }>;
}

/**
 * Data a version was trained on, from one `--data` argument:
 * - a URI is recorded as given; `#sha256=<hex>` or `#etag=<value>` after it records that too;
 * - a DVC file (`x.dvc`, `dvc.lock`) gives the data it records, with DVC's md5 and sizes, each
 *   compared with the disk (a `.dvc` file's outs by md5, dvc.lock's by size: a pipeline's data may
 *   be large);
 * - a local file or folder that DVC tracks (`x.dvc` beside it, or an out in dvc.lock) is taken from
 *   DVC's record and its md5 compared with the bytes on disk; when it is not pulled (a fresh clone)
 *   it is recorded from DVC's record, marked as not verified locally;
 * - any other local file or folder is hashed with the same streaming hasher and stat cache as
 *   artifacts (a folder's digest covers every file's path and hash).
 */
export async function captureDataLineage(spec: string, projectRoot: string, hasher: FileHasher, options: HashOptions = {}): Promise<DataLineage[]> {
  if (URI.test(spec)) return [uriLineage(spec)];
  // A path as typed is relative to where the command runs, which need not be the project root.
  const local = path.resolve(spec);
  const stats = statSync(local, { throwIfNoEntry: false });
  const check = (entries: DataLineage[], md5: boolean): Promise<DataLineage[]> => Promise.all(entries.map((entry) => checkDvcEntryOnDisk(projectRoot, entry, { md5, signal: options.signal })));
  if (stats?.isFile() && isDvcFile(local)) return check(readDvcData(projectRoot, local), path.basename(local) !== 'dvc.lock');
  const tracked = trackedByDvc(projectRoot, local);
  if (tracked) return check([tracked], true);
  if (!stats) throw new RegistryError('NOT_FOUND', `Data '${spec}' is neither an existing path, a path DVC tracks (no ${path.basename(local)}.dvc beside it, no out in dvc.lock), nor a URI like s3://bucket/key.`);
  const uri = projectRelative(projectRoot, local);
  if (stats.isFile()) {
    const { sha256, size } = await hasher.hash(local, options);
    return [{ uri, kind: 'file', sha256, size }];
  }
  const files = collectArtifactFiles([local]);
  const lines: string[] = [];
  let size = 0;
  for (const file of files) {
    const hashed = await hasher.hash(file.file, options);
    lines.push(`${file.artifactPath}\0${hashed.sha256}\n`);
    size += hashed.size;
  }
  return [{ uri, kind: 'folder', sha256: sha256Hex(lines.join('')), size, files: files.length }];
}

function uriLineage(spec: string): DataLineage {
  const hashAt = spec.indexOf('#');
  if (hashAt < 0) return { uri: spec, kind: 'uri' };
  const uri = spec.slice(0, hashAt);
  const fragment = new URLSearchParams(spec.slice(hashAt + 1));
  const sha256 = fragment.get('sha256');
  const etag = fragment.get('etag');
  if (sha256 === null && etag === null) return { uri: spec, kind: 'uri' };
  const lineage: DataLineage = { uri, kind: 'uri' };
  if (sha256 !== null) {
    if (!/^[0-9a-fA-F]{64}$/.test(sha256)) throw new RegistryError('INVALID_INPUT', `Data '${spec}': #sha256= takes the 64 hex digits of a SHA-256, got '${sha256}'.`);
    lineage.sha256 = sha256.toLowerCase();
  }
  if (etag !== null) {
    if (etag === '') throw new RegistryError('INVALID_INPUT', `Data '${spec}': #etag= is empty.`);
    lineage.etag = etag;
  }
  return lineage;
}

/** The entry DVC records for the absolute path `local`: from `<path>.dvc` beside it, else an out of the project's dvc.lock. */
function trackedByDvc(projectRoot: string, local: string): DataLineage | undefined {
  const wanted = projectRelative(projectRoot, local);
  const dvcFile = `${local}.dvc`;
  if (statSync(dvcFile, { throwIfNoEntry: false })?.isFile()) {
    const entry = readDvcData(projectRoot, dvcFile).find((item) => item.uri === wanted && item.role === 'out');
    if (entry) return entry;
  }
  const lock = path.join(projectRoot, 'dvc.lock');
  if (!statSync(lock, { throwIfNoEntry: false })?.isFile()) return undefined;
  return readDvcData(projectRoot, lock).find((item) => item.uri === wanted && item.role === 'out');
}

import { statSync } from 'node:fs';
import path from 'node:path';
import { collectArtifactFiles } from '../core/artifactFiles';
import type { DataLineage } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { sha256Hex } from '../core/sha256';
import type { HashOptions } from '../store/fileHashing';
import type { StatCache } from '../store/statCache';

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Data a version was trained on: a URI is recorded as given; a local file or folder is hashed with
 * the same streaming hasher and stat cache as artifacts (a folder's digest covers every file's path
 * and hash), and recorded by its path relative to the project.
 */
export async function captureDataLineage(spec: string, projectRoot: string, statCache: StatCache, options: HashOptions = {}): Promise<DataLineage> {
  if (URI.test(spec)) return { uri: spec, kind: 'uri' };
  const stats = statSync(spec, { throwIfNoEntry: false });
  if (!stats) throw new RegistryError('NOT_FOUND', `Data '${spec}' is neither an existing path nor a URI like s3://bucket/key.`);
  const uri = path.relative(projectRoot, path.resolve(spec)).split(path.sep).join('/') || '.';
  if (stats.isFile()) {
    const { sha256, size } = await statCache.hash(spec, options);
    return { uri, kind: 'file', sha256, size };
  }
  const files = collectArtifactFiles([spec]);
  const lines: string[] = [];
  let size = 0;
  for (const file of files) {
    const hashed = await statCache.hash(file.file, options);
    lines.push(`${file.artifactPath}\0${hashed.sha256}\n`);
    size += hashed.size;
  }
  return { uri, kind: 'folder', sha256: sha256Hex(lines.join('')), size, files: files.length };
}
